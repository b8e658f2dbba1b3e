"""Read the codebook seeds and the calibration targets the generator works from."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from synthetic import calibration

REFERENCE_DIR = Path(__file__).resolve().parent.parent / "seeds" / "reference"
SHARE_STATISTIC = "share_pct"


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@dataclass
class Codebook:
    """The codebook seeds, indexed the way the generator looks them up."""

    countries: list[dict[str, str]]
    industries: list[dict[str, str]]
    size_bands: list[dict[str, str]]
    survey_items: list[dict[str, str]]
    answer_options: list[dict[str, str]]
    measures: list[dict[str, str]]
    published: list[dict[str, str]]
    screening_outcomes: list[dict[str, str]]
    region_of_country: dict[str, str] = field(init=False)

    def __post_init__(self) -> None:
        self.region_of_country = {c["country_code"]: c["region_code"] for c in self.countries}

    @property
    def qualified_outcome(self) -> str:
        """The outcome of an interview no screening reason applies to."""
        return min(self.screening_outcomes, key=lambda row: int(row["outcome_order"]))[
            "screening_outcome"
        ]

    @property
    def screening_reasons(self) -> tuple[str, ...]:
        """The reasons an interview is screened out, in the order they apply."""
        ordered = sorted(self.screening_outcomes, key=lambda row: int(row["outcome_order"]))
        return tuple(row["screening_outcome"] for row in ordered[1:])

    def items_of(self, study: str) -> list[dict[str, str]]:
        """Survey items of a study in questionnaire (column) order."""
        return [row for row in self.survey_items if row["study"] == study]

    def raw_value(self, study: str, item_code: str) -> dict[str, str]:
        """Harmonized option code -> raw code of the study's export."""
        return {
            row["option_code"]: row["raw_value"]
            for row in self.answer_options
            if row["study"] == study and row["item_code"] == item_code
        }

    def option_codes(self, study: str, item_code: str) -> list[str]:
        rows = [
            r for r in self.answer_options if r["study"] == study and r["item_code"] == item_code
        ]
        return [r["option_code"] for r in sorted(rows, key=lambda r: int(r["sort_order"]))]

    def measures_of(self, role: str, item_code: str, sub_item_code: str) -> list[dict[str, str]]:
        return [
            m
            for m in self.measures
            if m["role"] == role
            and m["item_code"] == item_code
            and m["sub_item_code"] == sub_item_code
        ]

    def published_count(self, role: str, measure_id: str) -> int:
        """A fig01 count of published_figures (qualified completes, countries, ...)."""
        for row in self.published:
            if row["role"] == role and row["measure_id"] == measure_id:
                return int(float(row["value"]))
        raise KeyError(f"no published count {role} {measure_id}")

    def target_share(self, role: str, measure_id: str) -> float:
        """Published (or derived / assumed) share_pct, else the calibration choice."""
        for row in self.published:
            if (
                row["role"] == role
                and row["measure_id"] == measure_id
                and row["statistic"] == SHARE_STATISTIC
            ):
                return float(row["value"])
        try:
            return float(calibration.UNPUBLISHED_OPTION_SHARES[(role, measure_id)])
        except KeyError:
            raise KeyError(f"no calibration target for {role} {measure_id}") from None


def load_codebook(reference_dir: Path = REFERENCE_DIR) -> Codebook:
    def read(name: str) -> list[dict[str, str]]:
        return read_rows(reference_dir / f"{name}.csv")

    return Codebook(
        countries=read("countries"),
        industries=read("industries"),
        size_bands=read("company_size_bands"),
        survey_items=read("survey_items"),
        answer_options=read("answer_options"),
        measures=read("measures"),
        published=read("published_figures"),
        screening_outcomes=read("screening_outcomes"),
    )
