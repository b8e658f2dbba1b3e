"""A short reading of each figure, written from the data rather than copied from the report.

CMO/CIO gaps are called significant or not exactly as `cmo_cio_comparison.is_significant`
says; the page never invents its own test.
"""

from __future__ import annotations

from report.data import Row
from report.figures import FINDING_STATUSES, categories_of, factor_key, is_performance_split

ROLE_NAMES = {"CMO": "CMOs", "CIO": "CIOs", "ALL": "all respondents"}
# fig08 holds three questions; the measure_id prefix says which (measures.csv).
FIG08_QUESTIONS = (
    ("top_data_goal_", "CMO", "CMOs' most frequent answer"),
    ("top_priority_", "CIO", "CIOs' most frequent answer"),
    ("visionary_plan_", "CIO", "CIOs' most frequent visionary plan"),
)


def figure_reading(
    figure_id: str, rows: list[Row], comparisons: list[Row], reconciliation: list[Row]
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
    sentences = specific(figure_id, rows) if specific else []
    figure_comparisons = [c for c in comparisons if c["figure_id"] == figure_id]
    sentences += gap_sentences(figure_comparisons)
    reproduced = reproduction_sentence(figure_id, reconciliation)
    if reproduced:
        sentences.append(reproduced)
    return sentences


def format_p(p_value: float | None) -> str:
    if p_value is None:
        return "p not available"
    return "p < 0.001" if p_value < 0.001 else f"p = {p_value:.3f}"


def _points(difference: float) -> str:
    # round first, so a tiny negative gap does not print as "-0.0"
    return f"{round(difference, 1) + 0.0:+.1f} points"


def gap_sentences(comparisons: list[Row]) -> list[str]:
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
        return (
            f"{comparison['label_en']} (CMO {comparison['cmo_share_pct']:.0f}% vs "
            f"CIO {comparison['cio_share_pct']:.0f}%, "
            f"{_points(comparison['difference_pct_points'])}, {format_p(comparison['p_value'])})"
        )

    # widest gap first; the label breaks ties so the wording never depends on row order
    ordered = sorted(pairs, key=lambda c: (-abs(c["difference_pct_points"]), c["label_en"]))
    significant = [c for c in ordered if c["is_significant"]]
    not_significant = [c for c in ordered if not c["is_significant"]]
    sentences = []
    if significant:
        sentences.append(
            "Significant CMO/CIO gaps (95% level): " + "; ".join(map(describe, significant)) + "."
        )
    else:
        sentences.append("No CMO/CIO gap in this figure is significant at the 95% level.")
    if not_significant:
        sentences.append("Not significant: " + "; ".join(map(describe, not_significant)) + ".")
    return sentences


def reproduction_sentence(figure_id: str, reconciliation: list[Row]) -> str | None:
    """How many of the report's numbers for this figure the raw interviews reproduce."""
    rows = [r for r in reconciliation if r["figure_id"] == figure_id]
    if not rows:
        return None
    findings = [r for r in rows if r["status"] in FINDING_STATUSES]
    assumed = [r for r in rows if r["status"] not in FINDING_STATUSES]
    parts = []
    if findings:
        done = sum(bool(r["is_reproduced"]) for r in findings)
        parts.append(f"{done} of {len(findings)} published or derived values")
    if assumed:
        done = sum(bool(r["is_reproduced"]) for r in assumed)
        parts.append(f"{done} of {len(assumed)} calibration assumptions")
    return "Reproduced from the raw interviews: " + " and ".join(parts) + "."


def _share(row: Row) -> str:
    return f"{row['share_pct']:.0f}%"


def _ranking_sentences(figure_id: str, rows: list[Row]) -> list[str]:
    sentences = []
    for role in ("CMO", "CIO"):
        ranked = sorted((r for r in rows if r["role"] == role), key=lambda r: r["rank"])
        if not ranked:
            continue
        order = ", ".join(f"{r['rank']}. {r['label_en']} ({_share(r)})" for r in ranked)
        sentences.append(f"{ROLE_NAMES[role]} rank: {order}.")
        with_reference = [r for r in ranked if r.get("reference_rank") is not None]
        if with_reference:
            sentences.append(f"{role} ranks matching the report: {_rank_matches(with_reference)}.")
    return sentences


def _rank_matches(rows: list[Row]) -> str:
    """'3 of 3 published or derived, 5 of 6 assumed' (all together without statuses)."""
    groups: dict[str, list[Row]] = {}
    for row in rows:
        status = row.get("reference_rank_status")
        name = "published or derived" if status in FINDING_STATUSES else status
        groups.setdefault(str(name or ""), []).append(row)
    return ", ".join(
        f"{sum(r['rank'] == r['reference_rank'] for r in group)} of {len(group)} {name}".strip()
        for name, group in sorted(
            groups.items(), key=lambda g: (g[0] != "published or derived", g[0])
        )
    )


def _pooled_sentences(figure_id: str, rows: list[Row]) -> list[str]:
    pooled = [r for r in rows if r["role"] == "ALL"]
    if not pooled:
        return []
    answers = ", ".join(f"{_share(r)} {r['label_en'].lower()}" for r in pooled)
    return [f"All respondents pooled: {answers}."]


def _cmo_only_sentences(figure_id: str, rows: list[Row]) -> list[str]:
    ordered = sorted(rows, key=lambda r: -r["share_pct"])
    if not ordered:
        return []
    top, bottom = ordered[0], ordered[-1]
    under_half = [r["label_en"] for r in ordered if r["share_pct"] < 50]
    sentences = [
        f"Most used: {top['label_en'].lower()} ({_share(top)} of CMOs); "
        f"least used: {bottom['label_en'].lower()} ({_share(bottom)})."
    ]
    if under_half:
        sentences.append("Used by fewer than half of CMOs: " + ", ".join(under_half) + ".")
    return sentences


def _preparedness_sentences(figure_id: str, rows: list[Row]) -> list[str]:
    everyone = sorted(
        (r for r in rows if not is_performance_split(r)), key=lambda r: -r["share_pct"]
    )
    sentences = []
    if everyone:
        top = everyone[:3]
        technology = sum(bool(r.get("is_technology_based")) for r in top)
        listing = "; ".join(f"{r['label_en']} ({_share(r)})" for r in top)
        sentences.append(
            f"Most often underprepared: {listing}. {technology} of these {len(top)} are "
            "technology-based factors, where CIOs can support."
        )
    splits: dict[str, dict[str, Row]] = {}
    for row in rows:
        if is_performance_split(row):
            splits.setdefault(factor_key(row), {})[str(row["performance_segment"])] = row
    labels = {factor_key(r): r["label_en"] for r in everyone}
    for parent, split in splits.items():
        out, under = split.get("outperformer"), split.get("underperformer")
        if not (out and under):
            continue
        overlap = (
            out["ci_low_pct"] <= under["ci_high_pct"] and under["ci_low_pct"] <= out["ci_high_pct"]
        )
        sentences.append(
            f"{labels.get(parent, parent)}: {_share(out)} of outperformers' CMOs vs "
            f"{_share(under)} of underperformers' CMOs; the 95% intervals "
            + ("overlap." if overlap else "do not overlap.")
        )
    return sentences


def _priority_sentences(figure_id: str, rows: list[Row]) -> list[str]:
    sentences = []
    for prefix, role, description in FIG08_QUESTIONS:
        answers = [r for r in rows if r["role"] == role and str(r["measure_id"]).startswith(prefix)]
        if answers:
            top = max(answers, key=lambda r: r["share_pct"])
            sentences.append(f"{description} — {top['label_en']} ({_share(top)}).")
    return sentences


def _technology_plan_sentences(figure_id: str, rows: list[Row]) -> list[str]:
    categories = categories_of(figure_id, rows)
    alone = [c.bars["CMO"] for c in categories if "CMO" in c.bars and "CIO" not in c.bars]
    pairs = [c for c in categories if "CMO" in c.bars and "CIO" in c.bars]
    sentences = []
    if pairs:
        widest = max(pairs, key=lambda c: c.bars["CMO"]["share_pct"] - c.bars["CIO"]["share_pct"])
        cmo, cio = widest.bars["CMO"], widest.bars["CIO"]
        sentences.append(
            f"Widest gap: {_share(cmo)} of CMOs plan more {cmo['label_en'].lower()}, "
            f"{_share(cio)} of CIOs plan {cio['label_en'].lower()}."
        )
    if alone:
        listing = ", ".join(f"{r['label_en'].lower()} ({_share(r)})" for r in alone)
        sentences.append(f"CMO technologies with no CIO counterpart: {listing}.")
    return sentences
