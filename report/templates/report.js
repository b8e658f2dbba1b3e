// Draws the figures and the segment view from the JSON embedded in the page.
(function () {
  "use strict";

  var data = JSON.parse(document.getElementById("report-data").textContent);
  var config = { displaylogo: false, responsive: true };

  var drawn = data.figures.map(function (figure) {
    return Plotly.newPlot("chart-" + figure.id, figure.plot.data, figure.plot.layout, config);
  });

  // -- segment view ------------------------------------------------------------------------
  var segments = data.segments;
  var column = {};
  segments.columns.forEach(function (name, index) { column[name] = index; });
  var typeSelect = document.getElementById("segment-type");
  var measureSelect = document.getElementById("segment-measure");
  var chart = document.getElementById("chart-segments");
  var table = document.getElementById("segment-table");

  function value(row, name) { return row[column[name]]; }

  function fillMeasures() {
    var groups = {};
    segments.measures.forEach(function (measure) {
      var group = groups[measure.figure_id];
      if (!group) {
        group = document.createElement("optgroup");
        group.label = measure.figure_id ? "Figure " + measure.figure_id.replace("fig0", "") : "Other";
        groups[measure.figure_id] = group;
        measureSelect.appendChild(group);
      }
      var option = document.createElement("option");
      option.value = measure.id;
      option.textContent = measure.label_en + (measure.label_zh ? " · " + measure.label_zh : "");
      group.appendChild(option);
    });
  }

  function percent(number) { return number.toFixed(0) + "%"; }

  function suppressedText(row) {
    // hidden only so that a small neighbour cannot be recovered by subtraction
    if (value(row, "suppression_reason") === "complementary") { return "suppressed (complementary)"; }
    var n = value(row, "n_answering");
    var minimum = segments.min_cell_n;
    var count = n === null || n === undefined ? "n" : "n = " + n;
    return "suppressed (" + count + (minimum ? " < " + minimum : ", below the minimum cell size") + ")";
  }

  function cellText(row) {
    if (!row) { return "–"; }
    if (value(row, "is_suppressed")) { return suppressedText(row); }
    return percent(value(row, "share_pct")) + " (" + percent(value(row, "ci_low_pct")) + "–" +
      percent(value(row, "ci_high_pct")) + "), n = " + value(row, "n_answering").toLocaleString("en");
  }

  function selectedRows() {
    var type = typeSelect.value, measure = measureSelect.value;
    return segments.rows.filter(function (row) {
      return value(row, "segment_type") === type && value(row, "measure_id") === measure;
    });
  }

  function render() {
    var rows = selectedRows();
    var labels = [], roles = [], cells = {};
    rows.forEach(function (row) {
      var label = value(row, "segment_label_en"), role = value(row, "role");
      if (labels.indexOf(label) < 0) { labels.push(label); }
      if (roles.indexOf(role) < 0) { roles.push(role); }
      cells[label + "|" + role] = row;
    });
    var roleOrder = ["CMO", "CIO", "ALL"];
    roles.sort(function (a, b) { return roleOrder.indexOf(a) - roleOrder.indexOf(b); });

    var traces = [];
    roles.forEach(function (role) {
      var style = segments.styles[role] || { name: role, colour: "#6b7280" };
      var shown = rows.filter(function (r) { return value(r, "role") === role && !value(r, "is_suppressed"); });
      var hidden = rows.filter(function (r) { return value(r, "role") === role && value(r, "is_suppressed"); });
      traces.push({
        type: "bar", orientation: "h", name: style.name, offsetgroup: role,
        marker: { color: style.colour },
        y: shown.map(function (r) { return value(r, "segment_label_en"); }),
        x: shown.map(function (r) { return value(r, "share_pct"); }),
        error_x: {
          type: "data", symmetric: false, color: "#333", thickness: 1.2, width: 3,
          array: shown.map(function (r) { return value(r, "ci_high_pct") - value(r, "share_pct"); }),
          arrayminus: shown.map(function (r) { return value(r, "share_pct") - value(r, "ci_low_pct"); })
        },
        hovertext: shown.map(function (r) { return style.name + " · " + value(r, "segment_label_en") + "<br>" + cellText(r); }),
        hoverinfo: "text"
      });
      if (hidden.length) {
        traces.push({
          type: "scatter", mode: "text", orientation: "h", offsetgroup: role, showlegend: false,
          name: style.name + " suppressed",
          y: hidden.map(function (r) { return value(r, "segment_label_en"); }),
          x: hidden.map(function () { return 0.5; }),
          text: hidden.map(function (r) { return style.name + ": " + suppressedText(r); }),
          textposition: "middle right", textfont: { color: "#6b7280", size: 11 },
          hoverinfo: "text", hovertext: hidden.map(function (r) { return style.name + ": " + suppressedText(r); })
        });
      }
    });
    // the layout of the figures, sized for this selection
    var layout = JSON.parse(JSON.stringify(segments.layout));
    layout.height = 140 + labels.length * (20 + 18 * Math.max(roles.length, 1));
    layout.yaxis.categoryarray = labels;
    renderTable(labels, roles, cells);
    var selection = typeSelect.value + "/" + measureSelect.value;
    return Plotly.react(chart, traces, layout, config).then(function () {
      chart.setAttribute("data-selection", selection);
    });
  }

  function renderTable(labels, roles, cells) {
    var headings = [typeSelect.options[typeSelect.selectedIndex].text].concat(
      roles.map(function (role) { return (segments.styles[role] || { name: role }).name; }));
    var head = document.createElement("tr");
    headings.forEach(function (text) {
      var th = document.createElement("th");
      th.textContent = text;
      head.appendChild(th);
    });
    table.tHead.replaceChildren(head);
    table.tBodies[0].innerHTML = "";
    labels.forEach(function (label) {
      var tr = document.createElement("tr");
      var th = document.createElement("th");
      th.textContent = label;
      tr.appendChild(th);
      roles.forEach(function (role) {
        var row = cells[label + "|" + role];
        var td = document.createElement("td");
        td.textContent = cellText(row);
        if (row && value(row, "is_suppressed")) { td.className = "suppressed"; }
        tr.appendChild(td);
      });
      table.tBodies[0].appendChild(tr);
    });
  }

  fillMeasures();
  typeSelect.addEventListener("change", render);
  measureSelect.addEventListener("change", render);
  drawn.push(render());
  // lets a reader's tooling (and the browser test) know every chart is on the page
  Promise.all(drawn).then(function () { document.body.setAttribute("data-rendered", "true"); });
})();
