/* The case form: searchable pickers, repeating rows, live checks. No framework: the admin
   page stays usable without it except for adding rows and searching. */
(function () {
  "use strict";
  if (window.xjCaseForm) return; // a page may bring this script twice (a form's and a filter's media)
  window.xjCaseForm = true;

  function debounce(fn, ms) {
    let timer;
    return function () { const args = arguments; clearTimeout(timer); timer = setTimeout(() => fn.apply(this, args), ms); };
  }

  function schoolFor(picker) {
    const within = picker.dataset.within;
    if (within) {
      const form = picker.closest("form");
      const chosen = form && form.querySelector('input[type=hidden][name="' + within + '"]');
      // Nothing chosen there (a transfer into the province): the classes of the case's own school.
      if (chosen && chosen.value) return chosen.value;
    }
    return picker.dataset.school || "";
  }

  function choose(picker, id, label) {
    const chosen = picker.querySelector(".xj-picker__chosen");
    if (picker.dataset.multiple !== "1") chosen.innerHTML = "";
    if (chosen.querySelector('input[value="' + id + '"]')) return;
    const item = document.createElement("li");
    item.className = "xj-picker__chip";
    const input = document.createElement("input");
    input.type = "hidden"; input.name = picker.dataset.name; input.value = id;
    const text = document.createElement("span");
    text.textContent = label;
    const remove = document.createElement("button");
    remove.type = "button"; remove.className = "button button-small button-secondary"; remove.textContent = "移除";
    remove.setAttribute("data-xj-remove", "");
    item.append(input, text, " ", remove);
    chosen.append(item);
    changed(picker);
    clearDependents(picker);
  }

  /* A choice is a change of the form: its live check runs, a list's filter form refreshes the list. */
  function changed(picker) {
    picker.dispatchEvent(new Event("change", { bubbles: true }));
  }

  /* A choice made or removed here empties the pickers that search within it (a class within
     the school chosen beside it): their choice belonged to the school before. */
  function clearDependents(picker) {
    const form = picker.closest("form");
    if (!form || !picker.dataset.name) return;
    form.querySelectorAll('[data-xj-picker][data-within="' + picker.dataset.name + '"]').forEach(function (other) {
      const chosen = other.querySelector(".xj-picker__chosen");
      if (chosen && chosen.children.length) { chosen.innerHTML = ""; changed(other); }
    });
  }

  function initPicker(picker) {
    const search = picker.querySelector(".xj-picker__search");
    const results = picker.querySelector(".xj-picker__results");
    if (!search || picker.dataset.xjReady) return;
    picker.dataset.xjReady = "1";
    const run = debounce(function () {
      const params = new URLSearchParams({ q: search.value, school: schoolFor(picker), stage: picker.dataset.stage || "" });
      fetch(picker.dataset.lookup + "&" + params.toString(), { credentials: "same-origin" })
        .then((r) => r.json())
        .then(function (data) {
          results.innerHTML = "";
          (data.results || []).forEach(function (found) {
            const option = document.createElement("li");
            const button = document.createElement("button");
            button.type = "button"; button.setAttribute("role", "option"); button.className = "xj-picker__option";
            button.textContent = found.label;
            button.addEventListener("click", function () {
              choose(picker, found.id, found.label);
              results.hidden = true; search.value = "";
            });
            option.append(button);
            results.append(option);
          });
          if (!results.children.length) {
            const empty = document.createElement("li");
            empty.textContent = data.hint || (search.value.trim() ? "没有找到,请换个关键字" : "请输入关键字查找");
            results.append(empty);
          }
          results.hidden = false;
        });
    }, 250);
    search.addEventListener("input", run);
    search.addEventListener("focus", run);
    // The results close on Esc and when the person clicks elsewhere.
    search.addEventListener("keydown", function (event) { if (event.key === "Escape") results.hidden = true; });
    document.addEventListener("click", function (event) { if (!picker.contains(event.target)) results.hidden = true; });
    // What is typed is a search, not a value of the form (it has no name): the form around it
    // (a list's filters refresh on input and change) hears only choices.
    ["input", "change"].forEach(function (type) {
      search.addEventListener(type, function (event) { event.stopPropagation(); });
    });
    search.addEventListener("keydown", function (event) { if (event.key === "Enter") event.preventDefault(); });
    picker.addEventListener("click", function (event) {
      if (event.target.matches("[data-xj-remove]")) {
        event.target.closest("li").remove();
        changed(picker);
        clearDependents(picker);
      }
    });
  }

  /* Dates in rows: the admin's picker, in its one form (2026年3月2日); typed dates are accepted too. */
  function initDates(root) {
    if (!window.initDateChooser) return;
    root.querySelectorAll("input[data-xj-date]").forEach(function (input) {
      if (input.dataset.xjDateReady === input.id) return;
      input.dataset.xjDateReady = input.id;
      // validateOnBlur off: the picker cannot parse this form and would reset a typed date.
      window.initDateChooser(input.id, { dayOfWeekStart: 1, format: "Y年n月j日", validateOnBlur: false });
    });
  }

  function renumber(table, name) {
    table.querySelectorAll("tbody tr").forEach(function (row, index) {
      row.querySelector("[data-xj-row-number]").textContent = index + 1;
      row.querySelectorAll("input, select").forEach(function (input) {
        input.name = input.name.replace(new RegExp("^" + name + "-\\d+-"), name + "-" + index + "-");
        if (input.hasAttribute("data-xj-date")) input.id = input.name;
        if (input.getAttribute("aria-label")) {
          input.setAttribute("aria-label", input.getAttribute("aria-label").replace(/^第\d+行/, "第" + (index + 1) + "行"));
        }
      });
    });
  }

  function initRows(rows) {
    const table = rows.querySelector("table");
    const name = rows.dataset.name;
    rows.addEventListener("click", function (event) {
      if (event.target.matches("[data-xj-row-add]")) {
        const body = table.querySelector("tbody");
        const last = body.lastElementChild;
        const copy = last.cloneNode(true);
        copy.querySelectorAll("input").forEach((input) => { input.value = ""; });
        copy.querySelectorAll("select").forEach((select) => { select.selectedIndex = 0; });
        body.append(copy);
        renumber(table, name);
        initDates(copy);
      } else if (event.target.matches("[data-xj-row-remove]")) {
        const body = table.querySelector("tbody");
        const row = event.target.closest("tr");
        if (body.children.length > 1) row.remove();
        else row.querySelectorAll("input, select").forEach((input) => { input.value = ""; });
        renumber(table, name);
        initDates(table);
      }
    });
  }

  /* Live check: what is entered so far, checked on the server as saving would check it. */
  function initLiveCheck(box) {
    const form = box.closest("form");
    const list = box.querySelector("ul");
    const run = debounce(function () {
      fetch(box.dataset.xjLiveCheck, { method: "POST", body: new FormData(form), credentials: "same-origin" })
        .then((r) => r.json())
        .then(function (data) {
          list.innerHTML = "";
          (data.problems || []).forEach(function (problem) {
            const item = document.createElement("li");
            item.textContent = problem.message + (problem.article ? "(" + problem.article + ")" : "") +
              (problem.generally ? " — 一般不予,审批时学籍主管部门可说明理由特批" : "");
            list.append(item);
          });
          box.hidden = !list.children.length;
        })
        .catch(function () { box.hidden = true; });
    }, 700);
    form.addEventListener("change", run);
  }

  function init() {
    document.querySelectorAll("[data-xj-live-check]").forEach(initLiveCheck);
    document.querySelectorAll("[data-xj-picker]").forEach(initPicker);
    document.querySelectorAll("[data-xj-rows]").forEach(initRows);
    document.querySelectorAll("[data-xj-rows]").forEach(initDates);
  }

  /* A list's filters are replaced when the list refreshes (removing a filter's tag): pickers that
     arrive later are set up as they come. */
  function watch() {
    new MutationObserver(function (mutations) {
      mutations.forEach(function (mutation) {
        mutation.addedNodes.forEach(function (node) {
          if (node.nodeType !== 1) return;
          if (node.matches("[data-xj-picker]")) initPicker(node);
          node.querySelectorAll("[data-xj-picker]").forEach(initPicker);
        });
      });
    }).observe(document.body, { childList: true, subtree: true });
  }

  function start() { init(); watch(); }

  // A list's filter brings this script in the page's head (the form's media), before the form.
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
