"""The report's two languages: every visible string has an English and a Chinese form.

The page carries both and shows one (the reader's choice, remembered by the browser and
settable with `?lang=zh`). Strings from the marts come in both languages already
(`label_en`/`label_zh`, `segment_label_en`/`segment_label_zh`); this module holds the
page's own words.
"""

from __future__ import annotations

LANGUAGES = ("en", "zh")
HTML_LANG = {"en": "en", "zh": "zh-CN"}

Text = dict[str, str]  # language -> string


def both(en: str, zh: str) -> Text:
    return {"en": en, "zh": zh}


def label(row: dict, lang: str, column: str = "label") -> str:
    """A mart row's label in `lang`; English where the mart has no translation."""
    return str(row.get(f"{column}_{lang}") or row.get(f"{column}_en") or "")


# The page's own words, by key: the template and the script take them from here.
UI: dict[str, Text] = {
    "title": both("CMO and CIO: acquaintances or allies?", "CMO和CIO：熟人还是盟友？"),
    "lead": both(
        "The figures of the IBM Institute for Business Value report, rebuilt from the raw "
        "interviews of the 2011 Global CMO and CIO Studies by this warehouse.",
        "IBM商业价值研究院报告中的各图表，由本数据仓库从2011年全球CMO与CIO调研的原始访谈数据重新计算得出。",
    ),
    "built": both("Built {built_at} from {source}.", "生成于 {built_at}，数据来自 {source}。"),
    "how_to_read": both("How to read the charts", "如何阅读图表"),
    "how_bar": both(
        "A bar is the share of qualified respondents who answered the question; its whisker "
        "is the 95% interval (Wilson).",
        "条形表示合格受访者中作出该回答的比例；误差线为95%置信区间（Wilson法）。",
    ),
    "how_finding": both(
        "A filled diamond is the report's value: a number it published, or one that follows "
        "from its words.",
        "实心菱形为报告的数值：报告公布的数字，或由报告文字推得的数字。",
    ),
    "how_assumed": both(
        "An open circle is an assumed value: the report gives no number there, so a "
        "plausible value was chosen to calibrate the synthetic interviews.",
        "空心圆为假设值：报告在此未给出数字，因此选取了一个合理的数值来校准合成访谈数据。",
    ),
    "assumed_warning": both(
        "Assumed values are calibration assumptions, not the report's findings.",
        "假设值是校准假设，并非报告的结论。",
    ),
    "how_significant": both(
        '"Significant" means the CMO/CIO difference passes the warehouse\'s two-proportion '
        "test at the 95% level ({relation}).",
        "“显著”指CMO与CIO的差异在95%水平上通过了数据仓库的双比例检验（{relation}）。",
    ),
    "nav_sample": both("Sample", "样本"),
    "nav_figure": both("Fig. {number}", "图{number}"),
    "nav_segments": both("Segments", "细分群体"),
    "sample_title": both("Figure 1. Who was interviewed", "图1. 受访者"),
    "sample_subtitle": both(
        "Interviews by screening outcome, and the qualified sample behind every figure",
        "按筛选结果统计的访谈数，以及各图表所依据的合格样本",
    ),
    "study": both("Study", "调研"),
    "interviewed": both("Interviewed", "访谈数"),
    "raw_rows": both("Raw rows", "原始行数"),
    "role": both("Role", "角色"),
    "qualified_respondents": both("Qualified respondents", "合格受访者"),
    "countries": both("Countries", "国家"),
    "industries": both("Industries", "行业"),
    "measure": both("Measure", "指标"),
    "report": both("Report", "报告值"),
    "status": both("Status", "状态"),
    "computed": both("Computed", "计算值"),
    "reproduced": both("Reproduced", "已重现"),
    "yes": both("yes", "是"),
    "no": both("no", "否"),
    "at_least": both("at least {value}", "至少 {value}"),
    "assumed_note": both(
        "Open circles in this figure are calibration assumptions, not the report's findings.",
        "本图中的空心圆为校准假设，并非报告的结论。",
    ),
    "segments_title": both("Shares by segment", "各细分群体的比例"),
    "segments_subtitle": both(
        "Pick a segmentation and a measure. Cells answered by too few respondents are "
        "suppressed before they leave the warehouse, and where one such cell would otherwise "
        "follow from the total, the next-smallest cell is suppressed with it (complementary).",
        "请选择细分方式和指标。回答人数过少的单元格在离开数据仓库前即被隐藏；"
        "若某个被隐藏的单元格可由总数推算出来，则次小的单元格也一并隐藏（互补隐藏）。",
    ),
    "segment_by": both("Segment by", "细分方式"),
    "figure_group": both("Figure {number}", "图{number}"),
    "figure_heading": both("Figure {number}.", "图{number}."),
    "other_group": both("Other", "其他"),
    "suppressed_complementary": both("suppressed (complementary)", "已隐藏（互补隐藏）"),
    "suppressed_small": both("suppressed ({count} < {minimum})", "已隐藏（{count} < {minimum}）"),
    "suppressed_below": both(
        "suppressed ({count}, below the minimum cell size)", "已隐藏（{count}，低于最小单元格规模）"
    ),
    "footer": both(
        "Source: the warehouse's marts ({first} … {last}); report text: IBM Institute for "
        "Business Value, {report_title} (“CMO and CIO: acquaintances or allies?”). The "
        "interviews are synthetic where no real export was loaded.",
        "来源：数据仓库的数据集市（{first} … {last}）；报告原文：IBM商业价值研究院，"
        "{report_title}。未载入真实导出数据时，访谈数据为合成数据。",
    ),
    "axis_share": both("% of respondents (95% interval)", "受访者比例（%，95%置信区间）"),
}

# CMO and CIO are the same in both languages; ALL is everyone of both studies.
ROLES: dict[str, Text] = {"ALL": both("all", "全体")}

SEGMENT_TYPES: dict[str, Text] = {
    "region": both("Region", "地区"),
    "industry": both("Industry", "行业"),
    "company_size": both("Company size", "企业规模"),
    "financial_performance": both("Financial performance", "财务绩效"),
}

# fig01 measures of the reconciliation mart
SAMPLE_MEASURES: dict[str, Text] = {
    "respondents_interviewed": both("respondents interviewed", "受访人数"),
    "qualified_completes": both("qualified completes", "合格完成问卷数"),
    "countries": both("countries", "国家数"),
    "industries": both("industries", "行业数"),
}

REFERENCE_STATUSES: dict[str, Text] = {
    "published": both("published", "已发布"),
    "derived": both("derived", "已推导"),
    "assumed": both("assumed", "假设"),
}


def lookup(table: dict[str, Text], key: str, lang: str) -> str:
    """`table[key]` in `lang`; the key itself (a code) where the table has no entry."""
    text = table.get(key)
    return text[lang] if text else key
