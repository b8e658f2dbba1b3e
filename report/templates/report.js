// Draws the figures and the segment view from the JSON embedded in the page, in the
// reader's language and for the width of their screen.
(function () {
  "use strict";

  var data = JSON.parse(document.getElementById("report-data").textContent);
  var root = document.documentElement;
  var STORED_LANGUAGE = "cmo-cio-report-lang";
  var NARROW = 640; // px: a phone; matches the page's CSS

  function lang() { return root.getAttribute("data-lang") === "zh" ? "zh" : "en"; }
  function ui(key) { return data.ui[key][lang()]; }
  function format(text, values) {
    return text.replace(/\{(\w+)\}/g, function (whole, name) {
      return name in values ? values[name] : whole;
    });
  }

  // -- axis labels wrapped to the screen -----------------------------------------------------
  var WIDE_CHARACTER = /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/;

  var CLOSING_PUNCTUATION = /^[、，。；：！？）》」』】,.;:!?)]$/;

  function textWidth(text) { // in Latin characters: a CJK character is two
    var width = 0;
    for (var i = 0; i < text.length; i++) { width += WIDE_CHARACTER.test(text[i]) ? 2 : 1; }
    return width;
  }

  // Breaks a line of label text into lines of at most `limit` characters: between words,
  // or between any two CJK characters.
  function wrapLine(line, limit) {
    var bold = /<b>/.test(line);
    var plain = line.replace(/<\/?b>/g, "");
    var pieces = plain.match(/[\u2e80-\u9fff\uff00-\uffef\u3000-\u303f]|[^\s\u2e80-\u9fff\uff00-\uffef\u3000-\u303f]+|\s+/g) || [];
    var lines = [], current = "";
    pieces.forEach(function (piece) {
      if (/^\s+$/.test(piece)) {
        if (current) { current += " "; }
        return;
      }
      var closing = CLOSING_PUNCTUATION.test(piece); // never starts a line
      if (current && !closing && textWidth(current.replace(/\s+$/, "") + piece) > limit) {
        lines.push(current.replace(/\s+$/, ""));
        current = "";
      }
      current += piece;
    });
    if (current.trim()) { lines.push(current.replace(/\s+$/, "")); }
    return lines.map(function (text) { return bold ? "<b>" + text + "</b>" : text; });
  }

  function tickText(lines, limit) {
    var wrapped = [];
    lines.forEach(function (line) { wrapped = wrapped.concat(wrapLine(line, limit)); });
    return wrapped.join("<br>");
  }

  // The widest an axis label may be: about 40% of the chart, in 12 px characters.
  function labelLimit(chartWidth) {
    return Math.max(14, Math.min(56, Math.floor(chartWidth * 0.4 / 6.6)));
  }

  function isNarrow() { return window.innerWidth <= NARROW; }

  // No toolbar: it would sit on the legend, and the axes are fixed (nothing to zoom).
  var CONFIG = { displaylogo: false, responsive: true, displayModeBar: false };

  var LINE_HEIGHT = 15; // px of one line of an axis label
  var CHART_FRAME = 140; // px of legend, axis and margins

  // A copy of `layout` with the axis labels of `ticks` (lines per category) for `element`,
  // tall enough that the longest label fits in its category's slot.
  function sized(layout, keys, ticks, element, traces) {
    var copy = JSON.parse(JSON.stringify(layout));
    // a phone stacks the legend's entries, one line each, above the plot
    var entries = traces.filter(function (trace) { return trace.showlegend !== false && trace.name; }).length;
    var legend = isNarrow() ? Math.max(0, entries - 1) * 24 : 0;
    var limit = labelLimit(element.clientWidth || window.innerWidth);
    var texts = ticks.map(function (lines) { return tickText(lines, limit); });
    var mostLines = texts.reduce(function (most, text) { return Math.max(most, text.split("<br>").length); }, 1);
    var slot = ((copy.height || 300) - CHART_FRAME) / Math.max(keys.length, 1);
    copy.height = CHART_FRAME + legend + keys.length * Math.max(slot, (mostLines + 1) * LINE_HEIGHT);
    copy.yaxis.tickvals = keys;
    copy.yaxis.ticktext = texts;
    copy.yaxis.categoryarray = keys;
    // every category is shown, also a heading row that has no bars of its own
    copy.yaxis.autorange = false;
    copy.yaxis.range = [keys.length - 0.5, -0.5];
    if (isNarrow()) {
      copy.margin = { l: 4, r: 14, t: 40, b: 46 };
      copy.font = Object.assign({}, copy.font, { size: 11 });
    }
    return copy;
  }

  // -- the figures ---------------------------------------------------------------------------
  function drawFigure(figure) {
    var element = document.getElementById("chart-" + figure.id);
    var plot = figure.plots[lang()];
    var keys = plot.layout.yaxis.categoryarray;
    return Plotly.react(element, plot.data, sized(plot.layout, keys, plot.ticks, element, plot.data), CONFIG);
  }

  // -- segment view ------------------------------------------------------------------------
  var segments = data.segments;
  var column = {};
  segments.columns.forEach(function (name, index) { column[name] = index; });
  var typeSelect = document.getElementById("segment-type");
  var measureSelect = document.getElementById("segment-measure");
  var chart = document.getElementById("chart-segments");
  var table = document.getElementById("segment-table");

  function value(row, name) { return row[column[name]]; }
  function segmentLabel(row) {
    return value(row, "segment_label_" + lang()) || value(row, "segment_label_en");
  }
  function styleOf(role) {
    var style = segments.styles[role];
    return style ? { name: style.name[lang()], colour: style.colour } : { name: role, colour: "#6b7280" };
  }

  function fillMeasures() {
    var selected = measureSelect.value;
    measureSelect.replaceChildren();
    var groups = {};
    segments.measures.forEach(function (measure) {
      var group = groups[measure.figure_id];
      if (!group) {
        group = document.createElement("optgroup");
        group.label = measure.figure_id ?
          format(ui("figure_group"), { number: Number(measure.figure_id.replace("fig", "")) }) :
          ui("other_group");
        groups[measure.figure_id] = group;
        measureSelect.appendChild(group);
      }
      var option = document.createElement("option");
      option.value = measure.id;
      option.textContent = measure["label_" + lang()] || measure.label_en;
      group.appendChild(option);
    });
    if (selected) { measureSelect.value = selected; }
  }

  function percent(number) { return number.toFixed(0) + "%"; }
  function count(number) { return number.toLocaleString("en"); }

  function suppressedText(row) {
    // hidden only so that a small neighbour cannot be recovered by subtraction
    if (value(row, "suppression_reason") === "complementary") { return ui("suppressed_complementary"); }
    var n = value(row, "n_answering");
    var minimum = segments.min_cell_n;
    var shown = n === null || n === undefined ? "n" : "n = " + n;
    return format(ui(minimum ? "suppressed_small" : "suppressed_below"), { count: shown, minimum: minimum });
  }

  function cellText(row) {
    if (!row) { return "–"; }
    if (value(row, "is_suppressed")) { return suppressedText(row); }
    return percent(value(row, "share_pct")) + " (" + percent(value(row, "ci_low_pct")) + "–" +
      percent(value(row, "ci_high_pct")) + "), n = " + count(value(row, "n_answering"));
  }

  function selectedRows() {
    var type = typeSelect.value, measure = measureSelect.value;
    return segments.rows.filter(function (row) {
      return value(row, "segment_type") === type && value(row, "measure_id") === measure;
    });
  }

  function renderSegments() {
    var rows = selectedRows();
    var keys = [], labels = {}, roles = [], cells = {};
    rows.forEach(function (row) {
      var key = value(row, "segment_value"), role = value(row, "role");
      if (keys.indexOf(key) < 0) { keys.push(key); labels[key] = segmentLabel(row); }
      if (roles.indexOf(role) < 0) { roles.push(role); }
      cells[key + "|" + role] = row;
    });
    roles.sort(function (a, b) { return data.role_order.indexOf(a) - data.role_order.indexOf(b); });

    var traces = [];
    roles.forEach(function (role) {
      var style = styleOf(role);
      var shown = rows.filter(function (r) { return value(r, "role") === role && !value(r, "is_suppressed"); });
      var hidden = rows.filter(function (r) { return value(r, "role") === role && value(r, "is_suppressed"); });
      traces.push({
        type: "bar", orientation: "h", name: style.name, offsetgroup: role,
        marker: { color: style.colour },
        y: shown.map(function (r) { return value(r, "segment_value"); }),
        x: shown.map(function (r) { return value(r, "share_pct"); }),
        error_x: {
          type: "data", symmetric: false, color: "#333", thickness: 1.2, width: 3,
          array: shown.map(function (r) { return value(r, "ci_high_pct") - value(r, "share_pct"); }),
          arrayminus: shown.map(function (r) { return value(r, "share_pct") - value(r, "ci_low_pct"); })
        },
        hovertext: shown.map(function (r) { return style.name + " · " + segmentLabel(r) + "<br>" + cellText(r); }),
        hoverinfo: "text"
      });
      if (hidden.length) {
        traces.push({
          type: "scatter", mode: "text", orientation: "h", offsetgroup: role, showlegend: false,
          name: style.name,
          y: hidden.map(function (r) { return value(r, "segment_value"); }),
          x: hidden.map(function () { return 0.5; }),
          text: hidden.map(function (r) { return style.name + ": " + suppressedText(r); }),
          textposition: "middle right", textfont: { color: "#6b7280", size: 11 },
          hoverinfo: "text", hovertext: hidden.map(function (r) { return style.name + ": " + suppressedText(r); })
        });
      }
    });
    // the layout of the figures, sized for this selection
    var layout = JSON.parse(JSON.stringify(segments.layouts[lang()]));
    layout.height = CHART_FRAME + keys.length * (20 + 18 * Math.max(roles.length, 1));
    var ticks = keys.map(function (key) { return [labels[key]]; });
    renderTable(keys, labels, roles, cells);
    var selection = typeSelect.value + "/" + measureSelect.value;
    return Plotly.react(chart, traces, sized(layout, keys, ticks, chart, traces), CONFIG).then(function () {
      chart.setAttribute("data-selection", selection);
    });
  }

  function renderTable(keys, labels, roles, cells) {
    var names = roles.map(function (role) { return styleOf(role).name; });
    var head = document.createElement("tr");
    [typeSelect.options[typeSelect.selectedIndex].text].concat(names).forEach(function (text) {
      var th = document.createElement("th");
      th.textContent = text;
      head.appendChild(th);
    });
    table.tHead.replaceChildren(head);
    table.tBodies[0].replaceChildren();
    keys.forEach(function (key) {
      var tr = document.createElement("tr");
      var th = document.createElement("th");
      th.textContent = labels[key];
      tr.appendChild(th);
      roles.forEach(function (role, index) {
        var row = cells[key + "|" + role];
        var td = document.createElement("td");
        td.textContent = cellText(row);
        // the heading a narrow screen shows beside the cell (see report.css)
        td.setAttribute("data-label-" + lang(), names[index]);
        if (row && value(row, "is_suppressed")) { td.className = "suppressed"; }
        tr.appendChild(td);
      });
      table.tBodies[0].appendChild(tr);
    });
  }

  // -- language ------------------------------------------------------------------------------
  function applyLanguageToText() {
    var current = lang();
    document.querySelectorAll("[data-text-" + current + "]").forEach(function (element) {
      element.textContent = element.getAttribute("data-text-" + current);
    });
    document.querySelectorAll("[data-set-lang]").forEach(function (button) {
      button.setAttribute("aria-pressed", String(button.getAttribute("data-set-lang") === current));
    });
  }

  function drawAll() {
    var drawn = data.figures.map(drawFigure);
    drawn.push(renderSegments());
    return Promise.all(drawn);
  }

  function setLanguage(chosen) {
    root.setAttribute("data-lang", chosen);
    root.lang = data.languages[chosen];
    try { localStorage.setItem(STORED_LANGUAGE, chosen); } catch (error) { /* private mode */ }
    var url = new URL(location.href);
    if (url.searchParams.has("lang")) {
      url.searchParams.set("lang", chosen);
      history.replaceState(null, "", url.href);
    }
    applyLanguageToText();
    fillMeasures();
    return redraw();
  }

  // The browser test (and a reader's tooling) waits for data-rendered="<language>".
  function redraw() {
    document.body.removeAttribute("data-rendered");
    return drawAll().then(function () { document.body.setAttribute("data-rendered", lang()); });
  }

  document.querySelectorAll("[data-set-lang]").forEach(function (button) {
    button.addEventListener("click", function () { setLanguage(button.getAttribute("data-set-lang")); });
  });
  typeSelect.addEventListener("change", renderSegments);
  measureSelect.addEventListener("change", renderSegments);

  // Labels are wrapped for the width: redraw when it changes (not on every pixel).
  var drawnFor = window.innerWidth, resizing = null;
  window.addEventListener("resize", function () {
    clearTimeout(resizing);
    resizing = setTimeout(function () {
      if (Math.abs(window.innerWidth - drawnFor) < 40 && (window.innerWidth <= NARROW) === (drawnFor <= NARROW)) { return; }
      drawnFor = window.innerWidth;
      redraw();
    }, 200);
  });

  applyLanguageToText();
  fillMeasures();
  redraw();
})();
