// Charts of the statistics page: data from the json_script blocks, Chart.js served locally.
document.addEventListener("DOMContentLoaded", function () {
  function data(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }
  var units = data("chart-units");
  if (units && window.Chart) {
    new Chart(document.getElementById("units-chart"), {
      type: "bar",
      data: { labels: units.labels, datasets: units.datasets },
      options: { responsive: true, animation: false, scales: { x: { stacked: true }, y: { stacked: true } } },
    });
  }
  var status = data("chart-status");
  if (status && window.Chart) {
    new Chart(document.getElementById("status-chart"), {
      type: "doughnut",
      data: { labels: status.labels, datasets: [{ data: status.values }] },
      options: { responsive: true, animation: false },
    });
  }
  var grades = data("chart-grades");
  if (grades && window.Chart) {
    new Chart(document.getElementById("grades-chart"), {
      type: "bar",
      data: { labels: grades.labels, datasets: [{ label: "在籍人数", data: grades.values }] },
      options: { responsive: true, animation: false },
    });
  }
});
