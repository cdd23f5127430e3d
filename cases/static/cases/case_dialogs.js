/* Confirmation dialogs of the case page: 提交, 撤回, 同意, 退回 (the comment is checked inside
   the dialog), 特批. Messages are Chinese whatever the browser's language. */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    const opener = event.target.closest("[data-xj-open]");
    if (opener) {
      event.preventDefault();
      const dialog = document.getElementById(opener.dataset.xjOpen);
      if (dialog) dialog.showModal();
    }
    if (event.target.matches("[data-xj-close]")) event.target.closest("dialog").close();
  });
  function check(form) {
    let ok = true;
    form.querySelectorAll("[data-xj-required-message]").forEach(function (field) {
      const error = form.querySelector("[data-xj-error]");
      if (!field.value.trim()) {
        ok = false;
        if (error) { error.textContent = field.dataset.xjRequiredMessage; error.hidden = false; }
        else { field.setCustomValidity(field.dataset.xjRequiredMessage); field.reportValidity(); }
        field.focus();
      } else {
        field.setCustomValidity("");
        if (error) error.hidden = true;
      }
    });
    return ok;
  }
  document.addEventListener("submit", function (event) {
    const form = event.target;
    // data-xj-confirm-if names a checkbox: ask only when it is ticked (e.g. a print that also issues).
    const when = form.dataset.xjConfirmIf;
    const confirm = form.dataset.xjConfirm && (!when || (form.elements[when] && form.elements[when].checked));
    if (!form.querySelector("[data-xj-required-message]") && !confirm) return;
    if (!check(form)) { event.preventDefault(); return; }
    if (confirm && !window.confirm(form.dataset.xjConfirm)) event.preventDefault();
  }, true);
  document.addEventListener("input", function (event) {
    if (event.target.dataset && event.target.dataset.xjRequiredMessage) event.target.setCustomValidity("");
  });
})();
