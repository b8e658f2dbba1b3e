"""Build the static HTML report from the serving database.

`build_report(serving_db, out_dir)` writes `out_dir/index.html`: one self-contained page that
works offline (the plotly.js bundle of the pinned plotly package is embedded once, the data
are embedded as JSON), with one chart per report figure fig02-fig09, the sample counts and
a segment view.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

from markupsafe import Markup, escape

from cmo_cio.faults import fault_point
from cmo_cio.marts import FIGURE_MARTS
from cmo_cio.studies import MART_SCHEMA
from report.data import ReportData, Row, load_report_data
from report.figures import (
    ASSUMED_STATUS,
    FIGURES,
    SERIES_STYLE,
    bar_chart_layout,
    figure_spec,
    reference_wording,
)
from report.i18n import (
    HTML_LANG,
    LANGUAGES,
    REFERENCE_STATUSES,
    ROLES,
    SAMPLE_MEASURES,
    SEGMENT_TYPES,
    UI,
    Text,
    lookup,
)
from report.readings import figure_reading

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
PROJECT_DIR = Path(__file__).resolve().parent.parent

# The report is cited by its published (Chinese) title in either language.
REPORT_TITLE = UI["title"]["zh"]
ROLE_ORDER = {"CMO": 0, "CIO": 1, "ALL": 2}


def build_report(serving_db: Path, out_dir: Path) -> Path:
    """Write `out_dir/index.html` from the marts of `serving_db`; return its path."""
    data = load_report_data(Path(serving_db))
    page = render_page(data, source_name=Path(serving_db).name)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    # Write beside the page, then rename over it: a reader never sees half a page.
    target = out_dir / "index.html"
    for leftover in out_dir.glob(".index.html.*.tmp"):  # of a report killed half-way
        leftover.unlink()
    staged = out_dir / f".index.html.{os.getpid()}.tmp"
    with staged.open("w", encoding="utf-8") as file:
        file.write(page[: len(page) // 2])
        fault_point("report")
        file.write(page[len(page) // 2 :])
        file.flush()
        os.fsync(file.fileno())
    os.replace(staged, target)
    return target


def render_page(data: ReportData, source_name: str) -> str:
    import jinja2
    from plotly.offline import get_plotlyjs

    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
    )
    environment.globals.update(_translation_helpers())
    figures = [_figure_context(info, data) for info in FIGURES]
    page_data = {
        "figures": [{"id": f["id"], "plots": f["plots"]} for f in figures],
        "segments": _segment_view_data(data),
        "ui": UI,
        "languages": HTML_LANG,
        "role_order": sorted(ROLE_ORDER, key=ROLE_ORDER.get),
    }
    return environment.get_template("index.html.j2").render(
        figures=figures,
        screening=_screening_table(data.screening),
        coverage=sorted(data.sample_coverage, key=lambda r: ROLE_ORDER.get(r["role"], 9)),
        sample_reconciliation=[r for r in data.reconciliation if r["figure_id"] == "fig01"],
        segment_types=SEGMENT_TYPES,
        sample_measures=SAMPLE_MEASURES,
        reference_statuses=REFERENCE_STATUSES,
        roles=ROLES,
        ui_text=UI,
        built_at=f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        source_code=_code(source_name),
        comparison_code=_code(f"{MART_SCHEMA}.cmo_cio_comparison"),
        first_mart_code=_code(f"{MART_SCHEMA}.{next(iter(FIGURE_MARTS.values()))}"),
        last_mart_code=_code(f"{MART_SCHEMA}.segment_comparison"),
        # a proper name: shown as published, in either language
        report_title=Markup(f'<cite lang="zh-CN">“{REPORT_TITLE}”</cite>'),
        css=Markup((TEMPLATES_DIR / "report.css").read_text()),
        # "<" escaped in the JSON: no "</script>" or "<!--" can appear inside the element
        data_json=Markup(json.dumps(page_data, allow_nan=False).replace("<", "\\u003c")),
        plotly_js=Markup(_script_safe(get_plotlyjs())),
        report_js=Markup((TEMPLATES_DIR / "report.js").read_text()),
    )


def _code(name: str) -> Markup:
    return Markup(f"<code>{escape(name)}</code>")


def _translation_helpers() -> dict:
    """Template functions that write a string in both languages; the page shows one."""

    def bilingual(text: Text, **values) -> str:
        """Both languages as spans; `values` (escaped unless Markup) fill its {fields}."""
        spans = (
            f'<span data-l="{lang}">'
            f"{escape(text[lang]).format(**values) if values else escape(text[lang])}</span>"
            for lang in LANGUAGES
        )
        return Markup("".join(spans))

    def ui(key: str, **values) -> str:
        return bilingual(UI[key], **values)

    def code_label(table: dict, key: str) -> str:
        return bilingual({lang: lookup(table, key, lang) for lang in LANGUAGES})

    def attributes(text: Text, kind: str = "text") -> str:
        """data-text-en/-zh: the page sets the element's text (an <option>, the title);
        data-label-en/-zh: a table cell's heading where a narrow screen stacks the table."""
        return Markup(" ".join(f'data-{kind}-{lang}="{escape(text[lang])}"' for lang in LANGUAGES))

    return {"bilingual": bilingual, "ui": ui, "code_label": code_label, "attributes": attributes}


def _script_safe(text: str) -> str:
    """Text placed inside <script> must not close the element early."""
    return text.replace("</", "<\\/")


def _figure_context(info, data: ReportData) -> dict:
    rows = data.figures[info.figure_id]
    if not rows:
        raise ValueError(f"figure mart for {info.figure_id} has no rows")
    drawn_statuses = {r.get("reference_status") for r in rows if reference_wording(r)}
    return {
        "id": info.figure_id,
        "number": info.number,
        "title": info.title,
        "subtitle": info.subtitle,
        "plots": {lang: figure_spec(info.figure_id, rows, lang) for lang in LANGUAGES},
        "readings": {
            lang: figure_reading(info.figure_id, rows, data.comparisons, data.reconciliation, lang)
            for lang in LANGUAGES
        },
        "has_assumed": ASSUMED_STATUS in drawn_statuses,
    }


def _screening_table(screening: list[Row]) -> dict:
    """One row per study: interviews per screening outcome, interviewed and raw totals."""
    order = {r["screening_outcome"]: r.get("outcome_order", 0) for r in screening}
    outcomes = sorted(order, key=lambda outcome: (order[outcome], outcome))
    studies: dict[str, dict] = {}
    for row in screening:
        study = studies.setdefault(
            row["study"], {"study": row["study"], "counts": {}, "raw": row["raw_interview_count"]}
        )
        study["counts"][row["screening_outcome"]] = row["interview_count"]
    # "Interviewed" counts real, distinct interviews: the codebook marks their outcomes.
    interviewed = {r["screening_outcome"] for r in screening if r["is_interviewed"]}
    for study in studies.values():
        study["interviewed"] = sum(study["counts"].get(o, 0) for o in interviewed)
    ordered = sorted(studies.values(), key=lambda s: (ROLE_ORDER.get(s["study"], 9), s["study"]))
    labels = {
        r["screening_outcome"]: {
            lang: str(r.get(f"outcome_label_{lang}") or r["screening_outcome"])
            for lang in LANGUAGES
        }
        for r in screening
    }
    return {"outcomes": outcomes, "studies": ordered, "labels": labels}


def _segment_view_data(data: ReportData) -> dict:
    """Segment rows as compact columns, plus the measures a reader can pick."""
    labels: dict[str, Row] = {}
    for info in FIGURES:
        for row in data.figures[info.figure_id]:
            labels.setdefault(str(row["measure_id"]), row)
    columns = [
        "role",
        "measure_id",
        "segment_type",
        "segment_value",
        "segment_label_en",
        "segment_label_zh",
        "n_answering",
        "n_selecting",
        "share_pct",
        "ci_low_pct",
        "ci_high_pct",
        "is_suppressed",
        "suppression_reason",
        "min_cell_n",
    ]
    measure_ids = {r["measure_id"] for r in data.segments}
    figure_order = {info.figure_id: i for i, info in enumerate(FIGURES)}
    measures = sorted(
        (
            {
                "id": measure_id,
                "figure_id": labels[measure_id]["figure_id"] if measure_id in labels else "",
                "label_en": labels[measure_id]["label_en"] if measure_id in labels else measure_id,
                "label_zh": labels[measure_id]["label_zh"] if measure_id in labels else "",
                "order": labels[measure_id]["display_order"] if measure_id in labels else 0,
            }
            for measure_id in measure_ids
        ),
        key=lambda m: (figure_order.get(m["figure_id"], 99), m["order"], m["id"]),
    )
    return {
        "columns": columns,
        "rows": [[r[c] for c in columns] for r in data.segments],
        "measures": measures,
        "types": SEGMENT_TYPES,
        "min_cell_n": min_cell_n(data.segments),
        "layouts": {lang: bar_chart_layout(0, [], lang) for lang in LANGUAGES},
        "styles": {
            key: {"name": name, "colour": colour} for key, (name, colour) in SERIES_STYLE.items()
        },
    }


def min_cell_n(segments: list[Row]) -> int | None:
    """The suppression threshold the served cells were built with (their min_cell_n column).

    A run may override the dbt var, so the number comes from the data, and it is shown only
    when every cell carries the same one. Otherwise None (no number).
    """
    thresholds = {row.get("min_cell_n") for row in segments}
    if len(thresholds) != 1 or None in thresholds:
        return None
    return int(thresholds.pop())
