"""One horizontal bar chart per report figure, as plotly.js JSON (traces and layout).

Each figure's bars are grouped into categories (a measure, or a CMO technology beside its
crosswalked CIO plan) and series (CMO, CIO, all respondents, or a performance segment).
Every bar carries its 95% interval; the report's value is a marker beside the bar, filled
for published or derived numbers and open for calibration assumptions.

A chart is built once per language. Its y axis holds category keys; the labels a reader
sees are `ticks` (lines of text), which the page wraps to the width of the screen.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from report.data import Row
from report.i18n import LANGUAGES, REFERENCE_STATUSES, UI, Text, both, label, lookup

# A reference statistic drawn on the share axis; ranks and counts are not shares.
SHARE_STATISTICS = {"share_pct", "share_pct_about", "share_pct_more_than"}
STATISTIC_WORDING = {
    "share_pct": both("{value:g}%", "{value:g}%"),
    "share_pct_about": both("about {value:g}%", "约{value:g}%"),
    "share_pct_more_than": both("more than {value:g}%", "超过{value:g}%"),
}
FINDING_STATUSES = ("published", "derived")
ASSUMED_STATUS = "assumed"

SERIES_STYLE: dict[str, tuple[Text, str]] = {
    # series key: (legend name, colour)
    "CMO": (both("CMO", "CMO"), "#1f5aa6"),
    "CIO": (both("CIO", "CIO"), "#e07b00"),
    "ALL": (both("All respondents", "全体受访者"), "#6b7280"),
    "outperformer": (
        both("CMOs of outperforming enterprises", "绩效优异企业的CMO"),
        "#2e8b57",
    ),
    "underperformer": (
        both("CMOs of underperforming enterprises", "绩效欠佳企业的CMO"),
        "#b03a2e",
    ),
}
TECHNOLOGY_BASED_COLOUR = "#0b3d91"
OTHER_FACTOR_COLOUR = "#7ea6d8"
TECHNOLOGY_MARK = "⊙"
# A share label fits inside a bar this long; a shorter bar has it beside its whisker.
MIN_INSIDE_LABEL_SHARE = 10
LABEL_OUTSIDE_COLOUR = "#1f2937"

REFERENCE_NAMES = {
    "diamond": both("Report value (published or derived)", "报告数值（已发布或推导）"),
    "circle-open": both("Calibration assumption (not a report finding)", "校准假设（非报告结论）"),
}

# Fig. 8 puts three questions on one axis; a measure_id prefix says which (measures.csv).
FIG08_QUESTIONS: tuple[tuple[str, str, Text], ...] = (
    ("top_data_goal_", "CMO", both("CMOs: first data-related goal", "CMO：首要数据目标")),
    ("top_priority_", "CIO", both("CIOs: first priority", "CIO：首要任务")),
    (
        "visionary_plan_",
        "CIO",
        both("CIOs: visionary plans (next five years)", "CIO：远见计划（未来五年）"),
    ),
)


@dataclass(frozen=True)
class FigureInfo:
    figure_id: str
    title: Text
    subtitle: Text

    @property
    def number(self) -> int:
        return int(self.figure_id.removeprefix("fig"))


FIGURES = (
    FigureInfo(
        "fig02",
        both(
            "Expected complexity: are CMOs and CIOs prepared for it?",
            "预计的复杂性：CMO和CIO是否做好了应对准备？",
        ),
        both(
            "Share of CMOs and CIOs expecting high complexity over the next five years, "
            "and share feeling prepared for it",
            "预计未来五年复杂性高的CMO和CIO比例，以及认为已做好准备的比例",
        ),
    ),
    FigureInfo(
        "fig03",
        both(
            "External forces that will affect the enterprise over the next 3 to 5 years",
            "CMO和CIO根据外部因素在未来3到5年内对企业的影响所做的排序",
        ),
        both(
            "Share choosing each force among their three most important, in CMO rank order",
            "将各项因素列为三大最重要因素之一的比例，按CMO排名排序",
        ),
    ),
    FigureInfo(
        "fig04",
        both(
            "How important is technology to the enterprise's future success? CMOs and CIOs agree",
            "技术对企业未来的成功有多重要？CMO和CIO观点一致",
        ),
        both(
            "Share saying technology is very important or crucial to future success",
            "认为技术对未来成功非常重要或至关重要的比例",
        ),
    ),
    FigureInfo(
        "fig05",
        both(
            "How does your enterprise collaborate to integrate business and technology "
            "for innovation?",
            "您的企业如何通过协作整合业务与技术以实现创新？",
        ),
        both(
            "Share of CMOs, CIOs and all respondents choosing each answer",
            "CMO、CIO及全体受访者选择各答案的比例",
        ),
    ),
    FigureInfo(
        "fig06",
        both(
            "Sources of information that influence marketing strategy decisions",
            "影响营销战略决策的信息来源",
        ),
        both(
            "Share of CMOs using each source (select all that apply)",
            "使用各信息来源的CMO比例（可多选）",
        ),
    ),
    FigureInfo(
        "fig07",
        both(
            "Where CMOs feel underprepared, and where CIOs can support them",
            "CMO认为未做好准备的管理领域以及CIO可提供支持的领域",
        ),
        both(
            f"Share of CMOs underprepared for each market factor; {TECHNOLOGY_MARK} marks "
            "the technology-based factors, where CIOs can support",
            f"认为对各市场因素准备不足的CMO比例；{TECHNOLOGY_MARK} 标出CIO可提供支持的技术相关因素",
        ),
    ),
    FigureInfo(
        "fig08",
        both(
            "Data for insight: CMO data goals, CIO priorities and CIO visionary plans",
            "数据洞察：CMO的数据相关首要目标、CIO未来五年的首要任务与远见计划",
        ),
        both(
            "Share choosing each first goal or priority, and share of CIOs with each "
            "visionary plan",
            "选择各项首要目标或首要任务的比例，以及有各项远见计划的CIO比例",
        ),
    ),
    FigureInfo(
        "fig09",
        both(
            "Plans to increase competitiveness through technology: the social media gap",
            "计划通过技术提高竞争力：社交媒体的差距",
        ),
        both(
            "Share of CMOs planning to use each technology more, beside CIOs with the "
            "crosswalked visionary plan",
            "计划更多使用各项技术的CMO比例，以及有对应远见计划的CIO比例",
        ),
    ),
)


@dataclass
class Category:
    key: str
    bars: dict[str, Row]  # series key -> mart row
    heading: Text | None = None  # a question heading: a row of the axis with no bars
    first_of_group: bool = False  # a separator is drawn above it
    ticks: dict[str, list[str]] = field(default_factory=dict)  # language -> lines


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


def fig08_question(row: Row) -> int | None:
    """The position in FIG08_QUESTIONS of the question a fig08 row answers."""
    for index, (prefix, role, _) in enumerate(FIG08_QUESTIONS):
        if row["role"] == role and str(row["measure_id"]).startswith(prefix):
            return index
    return None


def categories_of(figure_id: str, rows: list[Row]) -> list[Category]:
    """Categories in reading order.

    The mart's display order, except: fig03 follows the CMO ranking, a fig07
    performance-segment bar sits right under the factor it splits, and fig08's
    questions each get a heading.
    """
    categories: dict[str, Category] = {}
    for row in rows:
        key = category_key(figure_id, row)
        category = categories.setdefault(key, Category(key, {}))
        category.bars[series_key(figure_id, row)] = row
    ordered = list(categories.values())
    if figure_id == "fig03":
        ordered.sort(key=lambda c: c.bars["CMO"]["rank"] if "CMO" in c.bars else 99)
    if figure_id == "fig07":
        ordered = _performance_splits_under_their_factor(ordered)
    if figure_id == "fig08":
        ordered = _with_question_headings(ordered)
    for category in ordered:
        category.ticks = {lang: _tick_lines(figure_id, category, lang) for lang in LANGUAGES}
    return ordered


def _performance_splits_under_their_factor(ordered: list[Category]) -> list[Category]:
    position = {c.key: index for index, c in enumerate(ordered)}
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

    return sorted(ordered, key=reading_position)


def _with_question_headings(ordered: list[Category]) -> list[Category]:
    """Fig. 8's categories grouped by question, each group under a heading row."""
    groups: dict[int | None, list[Category]] = {}
    for category in ordered:
        question = fig08_question(next(iter(category.bars.values())))
        groups.setdefault(question, []).append(category)
    result: list[Category] = []
    for question in sorted(groups, key=lambda q: len(FIG08_QUESTIONS) if q is None else q):
        group = groups[question]
        if question is not None:
            heading = FIG08_QUESTIONS[question][2]
            group = [Category(f"question:{question}", {}, heading=heading), *group]
        group[0].first_of_group = bool(result)
        result.extend(group)
    return result


def answer_of_question(row: Row, lang: str) -> str:
    """A fig08 label without the question its heading names ('First priority: reduce IT
    cost' -> 'reduce IT cost'), starting in upper case as a label does."""
    text = label(row, lang)
    for colon in (": ", "："):
        if colon in text:
            answer = text.split(colon, 1)[1]
            return answer[:1].upper() + answer[1:]
    return text


def _tick_lines(figure_id: str, category: Category, lang: str) -> list[str]:
    """The lines of a category's axis label; the page wraps long ones."""
    if category.heading is not None:
        return [f"<b>{category.heading[lang]}</b>"]
    main = (
        category.bars.get("CMO") or category.bars.get("ALL") or next(iter(category.bars.values()))
    )
    lines = [answer_of_question(main, lang) if figure_id == "fig08" else label(main, lang)]
    if figure_id == "fig07" and main.get("is_technology_based"):
        lines = [f"{TECHNOLOGY_MARK} <b>{lines[0]}</b>"]
    if figure_id == "fig03":
        ranks = ", ".join(
            f"{role} #{bar['rank']}" for role, bar in category.bars.items() if bar.get("rank")
        )
        lines.append(f"({ranks})")
    if figure_id == "fig09":
        cio = category.bars.get("CIO")
        if cio:
            lines.append(
                both("CIO plan: {plan}", "CIO计划：{plan}")[lang].format(plan=label(cio, lang))
            )
        else:
            lines.append(both("no CIO counterpart", "无对应的CIO计划")[lang])
    return lines


def _share_text(row: Row, lang: str) -> str:
    numbers = {
        "share": f"{row['share_pct']:.1f}",
        "low": f"{row['ci_low_pct']:.1f}",
        "high": f"{row['ci_high_pct']:.1f}",
        "selecting": f"{row['n_selecting']:,}",
        "answering": f"{row['n_answering']:,}",
    }
    return both(
        "{share}% (95% CI {low}–{high})<br>{selecting} of {answering} answering",
        "{share}%（95%置信区间 {low}–{high}）<br>{answering}名回答者中{selecting}名",
    )[lang].format(**numbers)


def reference_wording(row: Row, lang: str = "en") -> str | None:
    """'68%' / 'about 33%' for a share reference, None where there is none to draw."""
    statistic, value = row.get("reference_statistic"), row.get("reference_value")
    if statistic not in SHARE_STATISTICS or value is None:
        return None
    return STATISTIC_WORDING[str(statistic)][lang].format(value=float(value))


def figure_spec(figure_id: str, rows: list[Row], lang: str = "en") -> dict:
    """plotly.js data and layout for one figure in one language, and its axis labels."""
    categories = categories_of(figure_id, rows)
    series = [key for key in SERIES_STYLE if any(key in c.bars for c in categories)]
    # Where no category holds two series, bars need no side-by-side slots.
    grouped = any(len(category.bars) > 1 for category in categories)
    traces: list[dict] = []
    for key in series:
        group = key if grouped else "single"
        for name, colour, present in _series_parts(figure_id, key, categories, lang):
            traces.append(_bar_trace(key, group, name, colour, present, lang))
            traces.extend(_beside_labels(group, present, key))
        traces.extend(_reference_traces(key, group, [c for c in categories if key in c.bars], lang))
    _show_each_reference_legend_once(traces)
    height = 140 + len(categories) * (34 + 18 * len(series) if grouped else 44)
    layout = bar_chart_layout(height, [c.key for c in categories], lang)
    layout["shapes"] = _group_separators(categories)
    return {
        "data": traces,
        "layout": layout,
        "ticks": [category.ticks[lang] for category in categories],
    }


def _group_separators(categories: list[Category]) -> list[dict]:
    """A rule above each group of categories but the first, and a band behind each
    heading row, so that the questions of one axis read apart."""
    shapes = []
    for index, category in enumerate(categories):
        if category.first_of_group:
            shapes.append(_band(index - 0.5, index - 0.5, {"color": "#9ca3af", "width": 1}))
        if category.heading is not None:
            shapes.append({**_band(index - 0.5, index + 0.5, {"width": 0}), "fillcolor": "#eef2f7"})
    return shapes


def _band(y0: float, y1: float, line: dict) -> dict:
    """A shape across the plotting area between two category positions."""
    kind = "line" if y0 == y1 else "rect"
    return {
        "type": kind,
        "layer": "below",
        "xref": "paper",
        "x0": 0,
        "x1": 1,
        "yref": "y",
        "y0": y0,
        "y1": y1,
        "line": line,
    }


def _series_parts(
    figure_id: str, key: str, categories: list, lang: str
) -> list[tuple[str, str, list]]:
    """The traces of one series: (legend name, colour, categories). Fig. 7 draws the CMO
    bars of technology-based factors (which CIOs can support) apart from the others, so
    each of its two blues has a legend entry of its own."""
    name, colour = SERIES_STYLE[key]
    present = [c for c in categories if key in c.bars]
    if figure_id != "fig07" or key != "CMO":
        return [(name[lang], colour, present)]
    technology = [c for c in present if c.bars[key].get("is_technology_based")]
    other = [c for c in present if not c.bars[key].get("is_technology_based")]
    parts = [
        (
            both(
                f"CMO: {TECHNOLOGY_MARK} technology-based factors",
                f"CMO：{TECHNOLOGY_MARK} 技术相关因素",
            )[lang],
            TECHNOLOGY_BASED_COLOUR,
            technology,
        ),
        (both("CMO: other factors", "CMO：其他因素")[lang], OTHER_FACTOR_COLOUR, other),
    ]
    return [part for part in parts if part[2]]


def _bar_trace(key: str, group: str, name: str, colour: str, present: list, lang: str) -> dict:
    bars = [c.bars[key] for c in present]
    return {
        "type": "bar",
        "orientation": "h",
        "name": name,
        "legendgroup": name,
        "offsetgroup": group,
        "y": [c.key for c in present],
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
        # a short bar is labelled beside its whisker instead (_beside_labels)
        "text": [
            f"{bar['share_pct']:.0f}%" if bar["share_pct"] >= MIN_INSIDE_LABEL_SHARE else ""
            for bar in bars
        ],
        "textposition": "inside",
        "textangle": 0,
        "insidetextanchor": "start",
        "textfont": {"color": "white"},
        "hovertext": [f"{name} · {label(bar, lang)}<br>{_share_text(bar, lang)}" for bar in bars],
        "hoverinfo": "text",
    }


def _beside_labels(group: str, present: list[Category], key: str) -> list[dict]:
    """The share labels of bars too short to hold them, just right of the whisker."""
    short = [c for c in present if c.bars[key]["share_pct"] < MIN_INSIDE_LABEL_SHARE]
    if not short:
        return []
    return [
        {
            "type": "scatter",
            "mode": "text",
            "orientation": "h",
            "name": "",
            "showlegend": False,
            "offsetgroup": group,
            "y": [c.key for c in short],
            "x": [c.bars[key]["ci_high_pct"] for c in short],
            # two no-break spaces keep the label clear of the whisker's cap
            "text": [f"\u00a0\u00a0{c.bars[key]['share_pct']:.0f}%" for c in short],
            "textposition": "middle right",
            "textfont": {"color": LABEL_OUTSIDE_COLOUR},
            "hoverinfo": "skip",
            "cliponaxis": False,
        }
    ]


def bar_chart_layout(height: int, keys: list[str], lang: str) -> dict:
    """Layout shared by every chart of the page (the segment chart reuses it in the browser).
    The page sets the axis labels (`ticktext`) for the width it is drawn at."""
    return {
        "barmode": "group",
        "scattermode": "group",
        "bargap": 0.25,
        "height": height,
        "margin": {"l": 10, "r": 30, "t": 50, "b": 50},
        "xaxis": {
            "title": {"text": UI["axis_share"][lang]},
            "range": [0, 105],
            "ticksuffix": "%",
            "gridcolor": "#e5e7eb",
            "fixedrange": True,
        },
        "yaxis": {
            # keys such as company size "1".."5" must not turn the axis numeric
            "type": "category",
            "autorange": "reversed",
            "automargin": True,
            "categoryorder": "array",
            "categoryarray": keys,
            "tickmode": "array",
            "tickvals": keys,
            "ticktext": keys,
            "fixedrange": True,
        },
        "showlegend": True,
        "legend": {"orientation": "h", "x": 0, "y": 1.0, "yanchor": "bottom"},
        "plot_bgcolor": "white",
        "paper_bgcolor": "white",
        "font": {"family": "Noto Sans, WenQuanYi Zen Hei, Arial, sans-serif", "size": 12},
    }


def _reference_traces(key: str, group: str, categories: list[Category], lang: str) -> list[dict]:
    """Markers for the report's values: filled for findings, open for assumptions."""
    points = {symbol: {"y": [], "x": [], "hovertext": []} for symbol in REFERENCE_NAMES}
    for category in categories:
        bar = category.bars[key]
        wording = reference_wording(bar, lang)
        if wording is None:
            continue
        status = bar.get("reference_status")
        assumed = status == ASSUMED_STATUS
        target = points["circle-open" if assumed else "diamond"]
        target["y"].append(category.key)
        target["x"].append(float(bar["reference_value"]))
        description = (
            both(
                "calibration assumption, not a finding of the report",
                "校准假设，并非报告的结论",
            )[lang]
            if assumed
            else both("report value ({status})", "报告数值（{status}）")[lang].format(
                status=lookup(REFERENCE_STATUSES, str(status), lang)
            )
        )
        target["hovertext"].append(f"{SERIES_STYLE[key][0][lang]} · {description}: {wording}")
    traces = []
    for symbol, name in REFERENCE_NAMES.items():
        if not points[symbol]["x"]:
            continue
        traces.append(
            {
                "type": "scatter",
                "mode": "markers",
                "orientation": "h",
                "name": name[lang],
                "legendgroup": name[lang],
                "offsetgroup": group,
                **points[symbol],
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
        if trace["type"] != "scatter" or trace["mode"] != "markers":
            continue
        trace["showlegend"] = trace["name"] not in seen
        seen.add(trace["name"])
