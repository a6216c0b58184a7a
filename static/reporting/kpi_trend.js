/* KPI trend chart: Chart.js over the data the page passes with json_script. */
(function () {
  var source = document.getElementById("kpi-trend-data");
  var canvas = document.getElementById("kpi-trend");
  var picker = document.getElementById("trend-kpi");
  if (!source || !canvas || !picker || typeof Chart === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var chart = new Chart(canvas, {
    type: "line",
    data: { labels: data.labels, datasets: [{ label: "", data: [], borderColor: "#005eb8", backgroundColor: "#005eb8", spanGaps: true }] },
    options: { responsive: true, maintainAspectRatio: false, scales: { y: { beginAtZero: true } } }
  });
  function show(code) {
    chart.data.datasets[0].label = data.names[code];
    chart.data.datasets[0].data = data.series[code];
    chart.update();
  }
  picker.addEventListener("change", function () { show(picker.value); });
  show(picker.value);
})();
