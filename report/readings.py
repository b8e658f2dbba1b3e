"""A short reading of each figure, written from the data rather than copied from the report.

CMO/CIO gaps are called significant or not exactly as `cmo_cio_comparison.is_significant`
says; the page never invents its own test. Every sentence is written in both languages.
"""

from __future__ import annotations

from report.data import Row
from report.figures import (
    FIG08_QUESTIONS,
    FINDING_STATUSES,
    answer_of_question,
    categories_of,
    factor_key,
    fig08_question,
    is_performance_split,
)
from report.i18n import both, label

ROLE_NAMES = {
    "CMO": both("CMOs", "CMO"),
    "CIO": both("CIOs", "CIO"),
    "ALL": both("all respondents", "全体受访者"),
}
LIST_SEPARATOR = both(", ", "、")
CLAUSE_SEPARATOR = both("; ", "；")

SENTENCES = {
    "significant": both(
        "Significant CMO/CIO gaps (95% level): {pairs}.", "显著的CMO/CIO差异（95%水平）：{pairs}。"
    ),
    "none_significant": both(
        "No CMO/CIO gap in this figure is significant at the 95% level.",
        "本图中没有在95%水平上显著的CMO/CIO差异。",
    ),
    "not_significant": both("Not significant: {pairs}.", "不显著：{pairs}。"),
    "pair": both(
        "{label} (CMO {cmo} vs CIO {cio}, {points}, {p})",
        "{label}（CMO {cmo}，CIO {cio}，{points}，{p}）",
    ),
    "points": both("{value:+.1f} points", "{value:+.1f}个百分点"),
    "p_missing": both("p not available", "无p值"),
    "reproduced": both(
        "Reproduced from the raw interviews: {parts}.", "由原始访谈数据重现：{parts}。"
    ),
    "reproduced_findings": both(
        "{done} of {total} published or derived values", "{total}个已发布或推导数值中的{done}个"
    ),
    "reproduced_assumed": both(
        "{done} of {total} calibration assumptions", "{total}个校准假设中的{done}个"
    ),
    "and": both(" and ", "，以及"),
    "rank": both("{role} rank: {order}.", "{role}的排序：{order}。"),
    "rank_item": both("{rank}. {label} ({share})", "{rank}. {label}（{share}）"),
    "rank_matches": both(
        "{role} ranks matching the report: {matches}.", "与报告一致的{role}排名：{matches}。"
    ),
    "rank_match_group": both("{done} of {total} {group}", "{total}个{group}中的{done}个"),
    "rank_findings": both("published or derived", "已发布或推导排名"),
    "rank_assumed": both("assumed", "假设排名"),
    "pooled": both("All respondents pooled: {answers}.", "全体受访者合计：{answers}。"),
    "pooled_item": both("{share} {label}", "{label} {share}"),
    "most_least_used": both(
        "Most used: {top} ({top_share} of CMOs); least used: {bottom} ({bottom_share}).",
        "使用最多：{top}（{top_share}的CMO）；使用最少：{bottom}（{bottom_share}）。",
    ),
    "under_half": both("Used by fewer than half of CMOs: {labels}.", "不到半数CMO使用：{labels}。"),
    "underprepared": both(
        "CMOs most often feel underprepared for: {listing}. {technology} of these {count} "
        "{are} technology-based, where CIOs can support.",
        "CMO最常感到准备不足的领域：{listing}。这{count}项中有{technology}项是CIO可提供支持的"
        "技术相关因素。",
    ),
    "labelled_share": both("{label} ({share})", "{label}（{share}）"),
    "performance_split": both(
        "{factor}: {outperformers} of outperformers' CMOs vs {underperformers} of "
        "underperformers' CMOs; the 95% intervals {overlap}.",
        "{factor}：绩效优异企业的CMO为{outperformers}，绩效欠佳企业的CMO为{underperformers}；"
        "两者的95%置信区间{overlap}。",
    ),
    "overlap": both("overlap", "重叠"),
    "no_overlap": both("do not overlap", "不重叠"),
    "most_frequent": both(
        "{question} — most often {label} ({share}).", "{question}——最多的是{label}（{share}）。"
    ),
    "widest_gap": both(
        "Widest gap: {cmo_share} of CMOs plan more {cmo_label}, {cio_share} of CIOs plan "
        "{cio_label}.",
        "差距最大：{cmo_share}的CMO计划更多使用{cmo_label}，{cio_share}的CIO计划{cio_label}。",
    ),
    "no_counterpart": both(
        "CMO technologies with no CIO counterpart: {listing}.",
        "没有对应CIO计划的CMO技术：{listing}。",
    ),
}


def say(key: str, lang: str, **values) -> str:
    return SENTENCES[key][lang].format(**values)


def figure_reading(
    figure_id: str,
    rows: list[Row],
    comparisons: list[Row],
    reconciliation: list[Row],
    lang: str = "en",
) -> list[str]:
    """Sentences about one figure, most important first."""
    specific = {
        "fig03": _ranking_sentences,
        "fig05": _pooled_sentences,
        "fig06": _cmo_only_sentences,
        "fig07": _preparedness_sentences,
        "fig08": _priority_sentences,
        "fig09": _technology_plan_sentences,
    }.get(figure_id)
    sentences = specific(figure_id, rows, lang) if specific else []
    figure_comparisons = [c for c in comparisons if c["figure_id"] == figure_id]
    sentences += gap_sentences(figure_comparisons, lang)
    reproduced = reproduction_sentence(figure_id, reconciliation, lang)
    if reproduced:
        sentences.append(reproduced)
    return sentences


def format_p(p_value: float | None, lang: str = "en") -> str:
    if p_value is None:
        return say("p_missing", lang)
    return "p < 0.001" if p_value < 0.001 else f"p = {p_value:.3f}"


def _points(difference: float, lang: str) -> str:
    # round first, so a tiny negative gap does not print as "-0.0"
    return say("points", lang, value=round(difference, 1) + 0.0)


def gap_sentences(comparisons: list[Row], lang: str = "en") -> list[str]:
    """Which CMO/CIO gaps are significant, which are not (pairs with both shares only)."""
    pairs = [
        c
        for c in comparisons
        if c.get("cmo_share_pct") is not None
        and c.get("cio_share_pct") is not None
        and c.get("is_significant") is not None
    ]
    if not pairs:
        return []

    def describe(comparison: Row) -> str:
        return say(
            "pair",
            lang,
            label=label(comparison, lang),
            cmo=f"{comparison['cmo_share_pct']:.0f}%",
            cio=f"{comparison['cio_share_pct']:.0f}%",
            points=_points(comparison["difference_pct_points"], lang),
            p=format_p(comparison["p_value"], lang),
        )

    # widest gap first; the label breaks ties so the wording never depends on row order
    ordered = sorted(pairs, key=lambda c: (-abs(c["difference_pct_points"]), c["label_en"]))
    significant = [c for c in ordered if c["is_significant"]]
    not_significant = [c for c in ordered if not c["is_significant"]]
    separator = CLAUSE_SEPARATOR[lang]
    sentences = []
    if significant:
        sentences.append(say("significant", lang, pairs=separator.join(map(describe, significant))))
    else:
        sentences.append(say("none_significant", lang))
    if not_significant:
        sentences.append(
            say("not_significant", lang, pairs=separator.join(map(describe, not_significant)))
        )
    return sentences


def reproduction_sentence(
    figure_id: str, reconciliation: list[Row], lang: str = "en"
) -> str | None:
    """How many of the report's numbers for this figure the raw interviews reproduce."""
    rows = [r for r in reconciliation if r["figure_id"] == figure_id]
    if not rows:
        return None
    findings = [r for r in rows if r["status"] in FINDING_STATUSES]
    assumed = [r for r in rows if r["status"] not in FINDING_STATUSES]
    parts = []
    for key, group in (("reproduced_findings", findings), ("reproduced_assumed", assumed)):
        if group:
            done = sum(bool(r["is_reproduced"]) for r in group)
            parts.append(say(key, lang, done=done, total=len(group)))
    return say("reproduced", lang, parts=SENTENCES["and"][lang].join(parts))


def _share(row: Row) -> str:
    return f"{row['share_pct']:.0f}%"


def _lower(text: str, lang: str) -> str:
    """A label inside an English sentence starts in lower case (an acronym such as CRM
    stays as it is); Chinese has no case."""
    if lang != "en" or text[1:2].isupper():
        return text
    return text[:1].lower() + text[1:]


def _ranking_sentences(figure_id: str, rows: list[Row], lang: str) -> list[str]:
    sentences = []
    for role in ("CMO", "CIO"):
        ranked = sorted((r for r in rows if r["role"] == role), key=lambda r: r["rank"])
        if not ranked:
            continue
        order = LIST_SEPARATOR[lang].join(
            say("rank_item", lang, rank=r["rank"], label=label(r, lang), share=_share(r))
            for r in ranked
        )
        sentences.append(say("rank", lang, role=ROLE_NAMES[role][lang], order=order))
        with_reference = [r for r in ranked if r.get("reference_rank") is not None]
        if with_reference:
            sentences.append(
                say("rank_matches", lang, role=role, matches=_rank_matches(with_reference, lang))
            )
    return sentences


def _rank_matches(rows: list[Row], lang: str) -> str:
    """'3 of 3 published or derived, 5 of 6 assumed'."""
    groups: dict[str, list[Row]] = {}
    for row in rows:
        findings = row.get("reference_rank_status") in FINDING_STATUSES
        groups.setdefault("rank_findings" if findings else "rank_assumed", []).append(row)
    return LIST_SEPARATOR[lang].join(
        say(
            "rank_match_group",
            lang,
            done=sum(r["rank"] == r["reference_rank"] for r in group),
            total=len(group),
            group=SENTENCES[key][lang],
        )
        for key, group in sorted(groups.items(), key=lambda g: g[0] != "rank_findings")
    )


def _pooled_sentences(figure_id: str, rows: list[Row], lang: str) -> list[str]:
    pooled = [r for r in rows if r["role"] == "ALL"]
    if not pooled:
        return []
    answers = LIST_SEPARATOR[lang].join(
        say("pooled_item", lang, share=_share(r), label=_lower(label(r, lang), lang))
        for r in pooled
    )
    return [say("pooled", lang, answers=answers)]


def _cmo_only_sentences(figure_id: str, rows: list[Row], lang: str) -> list[str]:
    ordered = sorted(rows, key=lambda r: -r["share_pct"])
    if not ordered:
        return []
    top, bottom = ordered[0], ordered[-1]
    under_half = [_lower(label(r, lang), lang) for r in ordered if r["share_pct"] < 50]
    sentences = [
        say(
            "most_least_used",
            lang,
            top=_lower(label(top, lang), lang),
            top_share=_share(top),
            bottom=_lower(label(bottom, lang), lang),
            bottom_share=_share(bottom),
        )
    ]
    if under_half:
        sentences.append(say("under_half", lang, labels=LIST_SEPARATOR[lang].join(under_half)))
    return sentences


def _preparedness_sentences(figure_id: str, rows: list[Row], lang: str) -> list[str]:
    everyone = sorted(
        (r for r in rows if not is_performance_split(r)), key=lambda r: -r["share_pct"]
    )
    sentences = []
    if everyone:
        top = everyone[:3]
        listing = CLAUSE_SEPARATOR[lang].join(
            say("labelled_share", lang, label=market_factor(r, lang), share=_share(r)) for r in top
        )
        technology = sum(bool(r.get("is_technology_based")) for r in top)
        sentences.append(
            say(
                "underprepared",
                lang,
                listing=listing,
                technology=technology,
                count=len(top),
                are="is" if technology == 1 else "are",
            )
        )
    splits: dict[str, dict[str, Row]] = {}
    for row in rows:
        if is_performance_split(row):
            splits.setdefault(factor_key(row), {})[str(row["performance_segment"])] = row
    labels = {factor_key(r): market_factor(r, lang) for r in everyone}
    for parent, split in splits.items():
        out, under = split.get("outperformer"), split.get("underperformer")
        if not (out and under):
            continue
        overlap = (
            out["ci_low_pct"] <= under["ci_high_pct"] and under["ci_low_pct"] <= out["ci_high_pct"]
        )
        sentences.append(
            say(
                "performance_split",
                lang,
                factor=labels.get(parent, parent),
                outperformers=_share(out),
                underperformers=_share(under),
                overlap=SENTENCES["overlap" if overlap else "no_overlap"][lang],
            )
        )
    return sentences


def market_factor(row: Row, lang: str) -> str:
    """A fig07 label as the factor alone: 'Underprepared for data explosion' -> 'data
    explosion', '对数据爆炸准备不足' -> '数据爆炸' (the codebook words them so)."""
    text = label(row, lang)
    if lang == "en":
        return _lower(text.removeprefix("Underprepared for "), lang)
    return text.removeprefix("对").removesuffix("准备不足")


def _priority_sentences(figure_id: str, rows: list[Row], lang: str) -> list[str]:
    sentences = []
    for index, (_, _, question) in enumerate(FIG08_QUESTIONS):
        answers = [r for r in rows if fig08_question(r) == index]
        if answers:
            top = max(answers, key=lambda r: r["share_pct"])
            sentences.append(
                say(
                    "most_frequent",
                    lang,
                    question=question[lang],
                    label=_lower(answer_of_question(top, lang), lang),
                    share=_share(top),
                )
            )
    return sentences


def _technology_plan_sentences(figure_id: str, rows: list[Row], lang: str) -> list[str]:
    categories = categories_of(figure_id, rows)
    alone = [c.bars["CMO"] for c in categories if "CMO" in c.bars and "CIO" not in c.bars]
    pairs = [c for c in categories if "CMO" in c.bars and "CIO" in c.bars]
    sentences = []
    if pairs:
        widest = max(
            pairs, key=lambda c: abs(c.bars["CMO"]["share_pct"] - c.bars["CIO"]["share_pct"])
        )
        cmo, cio = widest.bars["CMO"], widest.bars["CIO"]
        sentences.append(
            say(
                "widest_gap",
                lang,
                cmo_share=_share(cmo),
                cmo_label=_lower(label(cmo, lang), lang),
                cio_share=_share(cio),
                cio_label=_lower(label(cio, lang), lang),
            )
        )
    if alone:
        listing = LIST_SEPARATOR[lang].join(
            say("labelled_share", lang, label=_lower(label(r, lang), lang), share=_share(r))
            for r in alone
        )
        sentences.append(say("no_counterpart", lang, listing=listing))
    return sentences
