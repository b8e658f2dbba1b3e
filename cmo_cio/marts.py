"""The figure marts, by report figure, in report order (models/marts/figures/).

The report draws one chart per figure mart and the audit builds one Great Expectations suite
per figure mart (`expectations.figures`) from this mapping; a test checks it against the marts
dbt builds.
"""

from __future__ import annotations

FIGURE_MARTS: dict[str, str] = {
    "fig02": "fig02_complexity",
    "fig03": "fig03_external_forces",
    "fig04": "fig04_technology_importance",
    "fig05": "fig05_business_technology_collaboration",
    "fig06": "fig06_cmo_information_sources",
    "fig07": "fig07_cmo_market_factor_preparedness",
    "fig08": "fig08_data_priorities",
    "fig09": "fig09_technology_plans",
}
