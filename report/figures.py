"""One horizontal bar chart per report figure, as plotly.js JSON (traces and layout).

Each figure's bars are grouped into categories (a measure, or a CMO technology beside its
crosswalked CIO plan) and series (CMO, CIO, all respondents, or a performance segment).
Every bar carries its 95% interval; the report's value is a marker beside the bar, filled
for published or derived numbers and open for calibration assumptions.
"""

from __future__ import annotations

from dataclasses import dataclass

from report.data import Row

# A reference statistic drawn on the share axis; ranks and counts are not shares.
SHARE_STATISTICS = {"share_pct", "share_pct_about", "share_pct_more_than"}
STATISTIC_WORDING = {
    "share_pct": "{value:g}%",
    "share_pct_about": "about {value:g}%",
    "share_pct_more_than": "more than {value:g}%",
}
FINDING_STATUSES = ("published", "derived")
ASSUMED_STATUS = "assumed"

SERIES_STYLE = {
    # series key: (legend name, colour)
    "CMO": ("CMO", "#1f5aa6"),
    "CIO": ("CIO", "#e07b00"),
    "ALL": ("All respondents", "#6b7280"),
    "outperformer": ("CMOs of outperforming enterprises", "#2e8b57"),
    "underperformer": ("CMOs of underperforming enterprises", "#b03a2e"),
}
TECHNOLOGY_BASED_COLOUR = "#0b3d91"
OTHER_FACTOR_COLOUR = "#7ea6d8"
TECHNOLOGY_MARK = "⊙"
MIN_LABELLED_SHARE = 6


@dataclass(frozen=True)
class FigureInfo:
    figure_id: str
    title_en: str
    title_zh: str
    subtitle_en: str


FIGURES = (
    FigureInfo(
        "fig02",
        "Expected complexity: are CMOs and CIOs prepared for it?",
        "图2. 预计的复杂度/CMO和CIO是否做好应对准备?",
        "Share of CMOs and CIOs expecting high complexity over the next five years, "
        "and share feeling prepared for it",
    ),
    FigureInfo(
        "fig03",
        "External forces that will affect the enterprise over the next 3 to 5 years",
        "图3. CMO和CIO根据外部因素在未来3到5年内对企业的影响所做的排序。",
        "Share choosing each force among their three most important, in CMO rank order",
    ),
    FigureInfo(
        "fig04",
        "How important is technology to the enterprise's future success? CMOs and CIOs agree",
        "图4. 技术对企业未来的成功有多重要?CMO和CIO观点一致",
        "Share saying technology is very important or crucial to future success",
    ),
    FigureInfo(
        "fig05",
        "How does your enterprise collaborate to integrate business and technology for innovation?",
        "图5. 您的企业如何通过协作实现创新?",
        "Share of CMOs, CIOs and all respondents choosing each answer",
    ),
    FigureInfo(
        "fig06",
        "Sources of information that influence marketing strategy decisions",
        "图6. 影响营销战略决策的数据来源。",
        "Share of CMOs using each source (select all that apply)",
    ),
    FigureInfo(
        "fig07",
        "Where CMOs feel underprepared, and where CIOs can support them",
        "图7. CMO认为未做好准备的管理领域以及CIO可提供支持的领域。",
        f"Share of CMOs underprepared for each market factor; {TECHNOLOGY_MARK} marks the "
        "technology-based factors, where CIOs can support",
    ),
    FigureInfo(
        "fig08",
        "Data for insight: CMO data goals, CIO priorities and CIO visionary plans",
        "图8. CMO的数据相关首要目标、CIO未来五年的首要任务与远见计划",
        "Share choosing each first goal or priority, and share of CIOs with each visionary plan",
    ),
    FigureInfo(
        "fig09",
        "Plans to increase competitiveness through technology: the social media gap",
        "图9. 计划通过技术提高竞争力",
        "Share of CMOs planning to use each technology more, beside CIOs with the "
        "crosswalked visionary plan",
    ),
)


@dataclass
class Category:
    key: str
    tick: str
    bars: dict[str, Row]  # series key -> mart row


def is_performance_split(row: Row) -> bool:
    """A fig07 bar restricted to outperformers or underperformers."""
    return row.get("performance_segment") not in (None, "all")


def series_key(figure_id: str, row: Row) -> str:
    """CMO, CIO, ALL; fig07 splits CMOs by performance segment."""
    if figure_id == "fig07" and is_performance_split(row):
        return str(row["performance_segment"])
    return str(row["role"])


def category_key(figure_id: str, row: Row) -> str:
    """The bar group a row belongs to: a measure, or a crosswalked pair in fig09."""
    if figure_id == "fig09" and row.get("comparison_id"):
        return str(row["comparison_id"])
    return str(row["measure_id"])


def factor_key(row: Row) -> str:
    """The fig07 market factor of a row; a performance-segment row shares its factor's key."""
    if row.get("market_factor_code"):
        return str(row["market_factor_code"])
    segment = row.get("performance_segment")
    measure_id = str(row["measure_id"])
    # underprepared_social_media_outperformers splits underprepared_social_media
    return measure_id.removesuffix(f"_{segment}s") if segment else measure_id


def categories_of(figure_id: str, rows: list[Row]) -> list[Category]:
    """Categories in reading order.

    The mart's display order, except: fig03 follows the CMO ranking, and a fig07
    performance-segment bar sits right under the factor it splits.
    """
    categories: dict[str, Category] = {}
    for row in rows:
        key = category_key(figure_id, row)
        category = categories.setdefault(key, Category(key, "", {}))
        category.bars[series_key(figure_id, row)] = row
    ordered = list(categories.values())
    if figure_id == "fig03":
        ordered.sort(key=lambda c: c.bars["CMO"]["rank"] if "CMO" in c.bars else 99)
    position = {c.key: index for index, c in enumerate(ordered)}
    if figure_id == "fig07":
        factor_position = {
            factor_key(row): position[c.key]
            for c in ordered
            for row in c.bars.values()
            if not is_performance_split(row)
        }

        def reading_position(category: Category) -> tuple:
            row = next(iter(category.bars.values()))
            parent = factor_position.get(factor_key(row)) if is_performance_split(row) else None
            if parent is None:
                return (position[category.key], 0, 0)
            return (parent, 1, position[category.key])

        ordered.sort(key=reading_position)
    for category in ordered:
        category.tick = _tick_text(figure_id, category)
    return ordered


def _tick_text(figure_id: str, category: Category) -> str:
    main = (
        category.bars.get("CMO") or category.bars.get("ALL") or next(iter(category.bars.values()))
    )
    label_en, label_zh = str(main["label_en"]), str(main["label_zh"] or "")
    if figure_id == "fig07" and main.get("is_technology_based"):
        label_en = f"{TECHNOLOGY_MARK} <b>{label_en}</b>"
    if figure_id == "fig03":
        ranks = ", ".join(
            f"{role} #{bar['rank']}" for role, bar in category.bars.items() if bar.get("rank")
        )
        label_en = f"{label_en} ({ranks})"
    tick = f"{label_en}<br>{label_zh}"
    if figure_id == "fig09":
        cio = category.bars.get("CIO")
        tick += f"<br>CIO plan: {cio['label_en']}" if cio else "<br>no CIO counterpart"
    return tick


def _share_text(row: Row) -> str:
    return (
        f"{row['share_pct']:.1f}% (95% CI {row['ci_low_pct']:.1f}–{row['ci_high_pct']:.1f})"
        f"<br>{row['n_selecting']:,} of {row['n_answering']:,} answering"
    )


def reference_wording(row: Row) -> str | None:
    """'68%' / 'about 33%' for a share reference, None where there is none to draw."""
    statistic, value = row.get("reference_statistic"), row.get("reference_value")
    if statistic not in SHARE_STATISTICS or value is None:
        return None
    return STATISTIC_WORDING[str(statistic)].format(value=float(value))


def figure_spec(figure_id: str, rows: list[Row]) -> dict:
    """plotly.js data and layout for one figure."""
    categories = categories_of(figure_id, rows)
    ticks = [category.tick for category in categories]
    series = [key for key in SERIES_STYLE if any(key in c.bars for c in categories)]
    # Where no category holds two series, bars need no side-by-side slots.
    grouped = any(len(category.bars) > 1 for category in categories)
    traces: list[dict] = []
    for key in series:
        group = key if grouped else "single"
        for name, colour, present in _series_parts(figure_id, key, categories):
            traces.append(_bar_trace(key, group, name, colour, present))
        traces.extend(_reference_traces(key, group, [c for c in categories if key in c.bars]))
    _show_each_reference_legend_once(traces)
    height = 140 + len(categories) * (34 + 18 * len(series) if grouped else 44)
    return {"data": traces, "layout": bar_chart_layout(height, ticks)}


def _series_parts(figure_id: str, key: str, categories: list) -> list[tuple[str, str, list]]:
    """The traces of one series: (legend name, colour, categories). Fig. 7 draws the CMO
    bars of technology-based factors (which CIOs can support) apart from the others, so
    each of its two blues has a legend entry of its own."""
    name, colour = SERIES_STYLE[key]
    present = [c for c in categories if key in c.bars]
    if figure_id != "fig07" or key != "CMO":
        return [(name, colour, present)]
    technology = [c for c in present if c.bars[key].get("is_technology_based")]
    other = [c for c in present if not c.bars[key].get("is_technology_based")]
    parts = [
        (
            f"{name}: {TECHNOLOGY_MARK} technology-based factors",
            TECHNOLOGY_BASED_COLOUR,
            technology,
        ),
        (f"{name}: other factors", OTHER_FACTOR_COLOUR, other),
    ]
    return [part for part in parts if part[2]]


def _bar_trace(key: str, group: str, name: str, colour: str, present: list) -> dict:
    bars = [c.bars[key] for c in present]
    return {
        "type": "bar",
        "orientation": "h",
        "name": name,
        "legendgroup": name,
        "offsetgroup": group,
        "y": [c.tick for c in present],
        "x": [bar["share_pct"] for bar in bars],
        "marker": {"color": colour},
        "error_x": {
            "type": "data",
            "symmetric": False,
            "array": [bar["ci_high_pct"] - bar["share_pct"] for bar in bars],
            "arrayminus": [bar["share_pct"] - bar["ci_low_pct"] for bar in bars],
            "color": "#333",
            "thickness": 1.2,
            "width": 3,
        },
        # a label inside a very short bar would be squeezed unreadable
        "text": [
            f"{bar['share_pct']:.0f}%" if bar["share_pct"] >= MIN_LABELLED_SHARE else ""
            for bar in bars
        ],
        "textposition": "inside",
        "insidetextanchor": "start",
        "textfont": {"color": "white"},
        "hovertext": [f"{name} · {bar['label_en']}<br>{_share_text(bar)}" for bar in bars],
        "hoverinfo": "text",
    }


def bar_chart_layout(height: int, ticks: list[str]) -> dict:
    """Layout shared by every chart of the page (the segment chart reuses it in the browser)."""
    return {
        "barmode": "group",
        "scattermode": "group",
        "bargap": 0.25,
        "height": height,
        "margin": {"l": 10, "r": 30, "t": 50, "b": 50},
        "xaxis": {
            "title": {"text": "% of respondents (95% interval)"},
            "range": [0, 105],
            "ticksuffix": "%",
            "gridcolor": "#e5e7eb",
        },
        "yaxis": {
            "autorange": "reversed",
            "automargin": True,
            "categoryorder": "array",
            "categoryarray": ticks,
        },
        "showlegend": True,
        "legend": {"orientation": "h", "x": 0, "y": 1.0, "yanchor": "bottom"},
        "plot_bgcolor": "white",
        "paper_bgcolor": "white",
        "font": {"family": "Noto Sans, WenQuanYi Zen Hei, Arial, sans-serif", "size": 12},
    }


def _reference_traces(key: str, group: str, categories: list[Category]) -> list[dict]:
    """Markers for the report's values: filled for findings, open for assumptions."""
    findings: dict[str, list] = {"y": [], "x": [], "hovertext": []}
    assumptions: dict[str, list] = {"y": [], "x": [], "hovertext": []}
    for category in categories:
        bar = category.bars[key]
        wording = reference_wording(bar)
        if wording is None:
            continue
        status = bar.get("reference_status")
        target = assumptions if status == ASSUMED_STATUS else findings
        target["y"].append(category.tick)
        target["x"].append(float(bar["reference_value"]))
        description = (
            "calibration assumption, not a finding of the report"
            if status == ASSUMED_STATUS
            else f"report value ({status})"
        )
        target["hovertext"].append(f"{SERIES_STYLE[key][0]} · {description}: {wording}")
    traces = []
    for points, name, symbol in (
        (findings, "Report value (published or derived)", "diamond"),
        (assumptions, "Calibration assumption (not a report finding)", "circle-open"),
    ):
        if not points["x"]:
            continue
        traces.append(
            {
                "type": "scatter",
                "mode": "markers",
                "orientation": "h",
                "name": name,
                "legendgroup": name,
                "offsetgroup": group,
                **points,
                "hoverinfo": "text",
                "marker": {
                    "symbol": symbol,
                    "size": 11,
                    "color": "#111",
                    "line": {"width": 2, "color": "#111"},
                },
                "cliponaxis": False,
            }
        )
    return traces


def _show_each_reference_legend_once(traces: list[dict]) -> None:
    seen: set[str] = set()
    for trace in traces:
        if trace["type"] != "scatter":
            continue
        trace["showlegend"] = trace["name"] not in seen
        seen.add(trace["name"])
