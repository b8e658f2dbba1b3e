"""Calibration choices of the synthetic 2011 exports that no publication fixes.

The published and assumed figures themselves live in
`seeds/reference/published_figures.csv` and are read from there. Everything
else the generator needs to decide (how many interviews were screened out,
who answered, how answers lean by segment) is set here, in one place, so a
reader can see every invented number at a glance.
"""

from __future__ import annotations

from datetime import date

DEFAULT_SEED = 2011

# Qualified completes (published) and the interviews a survey team screens out.
# "Interviewed" = qualified + partial + speeder must read as the report words
# it: "1,700多位CMO", "3,200多位CIO", "超过4,900位" in all, each at least the
# figure and short of the next hundred (5,000 would have been said so).
# 1,760 CMOs + 3,215 CIOs = 4,975.
QUALIFIED = {"CMO": 1734, "CIO": 3018}
SCREENED_OUT = {
    "CMO": {"test_record": 5, "duplicate": 9, "partial": 17, "speeder": 9},
    "CIO": {"test_record": 6, "duplicate": 17, "partial": 134, "speeder": 63},
}

# Outperformers are the top of a latent leaning to confident, large firms:
# weight of the confidence trait and of each size-band step.
PERFORMANCE_LATENT = {"confidence": 0.35, "size_step": 0.1}
# Outperformers among qualified completes ("about half each"). 867 of 1,734
# CMOs lets 66% / 70% of the two segments pool to exactly 68% (fig07).
OUTPERFORMERS = {"CMO": 867, "CIO": 1502}

# Fieldwork: first and last day, the hours interviews start in (local time)
# and whether weekends were worked. CMOs answered online whenever it suited
# them; CIO interviews were booked on weekdays in office hours.
FIELDWORK = {
    "CMO": {"days": (date(2011, 2, 1), date(2011, 4, 29)), "hours": (6, 23), "weekends": True},
    "CIO": {"days": (date(2011, 1, 10), date(2011, 4, 28)), "hours": (8, 18), "weekends": False},
}
# A duplicate re-interviews a panel member this many days after the first time.
DUPLICATE_DAYS_LATER = (1, 20)

# Interview length: typical (median) minutes and the lognormal spread of
# completes. Completes never run shorter than `floor` x typical, speeders
# take between `speeder_range` x typical: far apart from the 0.4 cut-off.
DURATION = {
    "CMO": {"typical_minutes": 26.0, "sigma": 0.33, "floor": 0.5, "speeder_range": (0.12, 0.3)},
    "CIO": {"typical_minutes": 52.0, "sigma": 0.22, "floor": 0.55, "speeder_range": (0.15, 0.32)},
}

# Partial interviews last this share of a typical interview; test records
# (clicking through a preview) this many minutes.
PARTIAL_RANGE = (0.08, 0.7)
TEST_RECORD_MINUTES = (1.5, 6.0)

# Countries each study did NOT reach (the rest of countries.csv took part):
# 78 countries in the codebook, 64 in the CMO study, 71 in the CIO study
# (the generator checks these against fig01 of published_figures).
COUNTRIES_NOT_REACHED = {
    "CMO": ["IS", "MT", "CY", "EE", "LV", "LT", "RS", "GH", "TZ", "KW", "BD", "LK", "PA", "HR"],
    "CIO": ["IS", "MT", "GH", "TZ", "PA", "UY", "CY"],
}
# Relative sample weight per country (default 1); every country reached gets
# at least MIN_PER_COUNTRY qualified respondents.
COUNTRY_WEIGHTS = {
    "US": 14,
    "CN": 8,
    "JP": 7,
    "DE": 7,
    "GB": 7,
    "FR": 6,
    "BR": 6,
    "IN": 6,
    "IT": 4,
    "ES": 4,
    "AU": 4,
    "CA": 4,
    "KR": 3,
    "MX": 3,
    "NL": 3,
    "RU": 3,
    "CH": 2.5,
    "SE": 2.5,
    "SG": 2,
    "ZA": 2,
    "AR": 2,
    "BE": 2,
    "AE": 2,
    "PL": 2,
    "TR": 2,
    "HK": 2,
    "TW": 2,
    "CL": 1.5,
    "CO": 1.5,
    "AT": 1.5,
    "DK": 1.5,
    "FI": 1.5,
    "NO": 1.5,
    "IE": 1.5,
    "MY": 1.5,
    "SA": 1.5,
    "IL": 1.5,
    "ID": 1.5,
    "TH": 1.5,
    "CZ": 1.5,
    "NZ": 1.5,
    "PT": 1.2,
}
MIN_PER_COUNTRY = 3

# Industries each study did not cover: the CIO study filed financial markets
# firms under banking (19 industries for CMOs, 18 for CIOs).
INDUSTRIES_NOT_COVERED = {"CMO": [], "CIO": ["09"]}
INDUSTRY_WEIGHTS = {"03": 2.0, "05": 1.8, "12": 1.6, "17": 1.5, "18": 1.3, "08": 1.3}
MIN_PER_INDUSTRY = 20

# Company size bands (codes of company_size_bands.csv).
SIZE_BAND_WEIGHTS = {"1": 0.22, "2": 0.27, "3": 0.16, "4": 0.22, "5": 0.13}

# Shares (percent of qualified answering) of single-choice options that the
# report does not print. Each study's options sum to 100 with the published one.
UNPUBLISHED_OPTION_SHARES = {
    ("CMO", "top_data_goal_single_customer_view"): 12,
    ("CMO", "top_data_goal_marketing_roi"): 9,
    ("CMO", "top_data_goal_real_time_decisions"): 6,
    ("CMO", "top_data_goal_data_governance"): 4,
    ("CIO", "top_priority_cost_efficiency"): 8,
    ("CIO", "top_priority_customer_engagement"): 6,
    ("CIO", "top_priority_new_business_models"): 4,
    ("CIO", "top_priority_risk_security"): 3,
}

# How answers spread over a 5-point scale inside the box a measure counts.
TOP_BOX_SPLIT = {"5": 0.42, "4": 0.58}
BOTTOM_BOX_SPLIT = {"1": 0.12, "2": 0.33, "3": 0.55}

# Item non-response among qualified completes: (item_code, sub_item_code) ->
# how many did not answer. CIO exports tell refusals (-99) from don't know (-98):
# DONT_KNOW_SHARE of them are don't know.
ITEM_NONRESPONSE = {
    "CMO": {
        ("information_sources", "*"): 11,
        ("market_factor_preparedness", "privacy"): 9,
        ("market_factor_preparedness", "global_outsourcing"): 14,
        ("market_factor_preparedness", "regulatory"): 12,
        ("market_factor_preparedness", "corporate_transparency"): 8,
        ("first_data_goal", "main"): 5,
        ("technology_plans", "content_management"): 6,
        ("technology_plans", "tablet_applications"): 10,
    },
    "CIO": {
        ("complexity_prepared", "main"): 6,
        ("technology_importance", "main"): 4,
        ("first_priority", "main"): 9,
        ("visionary_plans", "cloud_computing"): 21,
        ("visionary_plans", "application_harmonization"): 18,
        ("visionary_plans", "service_oriented_architecture"): 27,
    },
}
DONT_KNOW_SHARE = 0.6
# Qualified respondents who would not give their company size (empty / NA in
# the export): a `not_stated` size segment under the suppression threshold
# (min_cell_n, 10) in both studies.
SIZE_NOT_GIVEN = {"CMO": 7, "CIO": 8}

# --- How answers lean ------------------------------------------------------
# Every answer ranks respondents on a latent propensity:
#   trait loadings x respondent traits + segment effects + normal noise (sd 1)
# and the exact number of respondents a target needs is taken from the top.
# Respondent traits are standard normal: confidence (feels prepared), tech
# (technology minded), data (analytics minded), outlook (expects change).
TRAIT_LOADINGS = {
    "complexity_expected": {"outlook": 0.8},
    "complexity_prepared": {"confidence": 0.9},
    "market_factor_preparedness": {"confidence": 0.8, "tech": 0.2},
    "technology_importance": {"tech": 0.9},
    "business_technology_collaboration": {"confidence": 0.3, "tech": 0.5},
    "information_sources": {"data": 0.6},
    "first_data_goal": {"data": 0.7},
    "first_priority": {"data": 0.7},
    "technology_plans": {"tech": 0.7, "outlook": 0.2},
    "visionary_plans": {"tech": 0.5, "data": 0.3},
    "external_forces": {},
}
# Added for outperformers, subtracted for underperformers (half each way).
PERFORMANCE_EFFECT = {
    "complexity_expected": 0.0,
    "complexity_prepared": 0.45,
    "market_factor_preparedness": 0.4,
    "technology_importance": 0.15,
    "business_technology_collaboration": 0.35,
    "information_sources": 0.25,
    "first_data_goal": 0.2,
    "first_priority": 0.15,
    "technology_plans": 0.25,
    "visionary_plans": 0.25,
    "external_forces": 0.0,
}
# Per size band step (band 1 smallest): large firms expect more complexity,
# feel readier and plan more technology.
SIZE_EFFECT_PER_BAND = {
    "complexity_expected": 0.08,
    "complexity_prepared": 0.06,
    "market_factor_preparedness": 0.05,
    "technology_importance": 0.04,
    "business_technology_collaboration": 0.05,
    "information_sources": 0.07,
    "technology_plans": 0.05,
    "visionary_plans": 0.08,
}
# Named regional leanings: (item_code, sub_item_code or "*") -> region -> effect.
REGION_EFFECTS = {
    ("market_factor_preparedness", "*"): {"japan": -0.35, "north_america": 0.15},
    ("complexity_prepared", "*"): {"japan": -0.3, "asia_pacific": 0.1},
    ("technology_plans", "mobile_applications"): {"asia_pacific": 0.35, "japan": 0.25},
    ("technology_plans", "tablet_applications"): {"north_america": 0.3, "asia_pacific": 0.2},
    ("visionary_plans", "mobility_solutions"): {"asia_pacific": 0.3, "latin_america": 0.2},
    ("visionary_plans", "cloud_computing"): {"north_america": 0.3, "western_europe": 0.1},
    ("external_forces", "globalization"): {"asia_pacific": 0.35, "latin_america": 0.25},
    ("external_forces", "macro_economic_factors"): {"western_europe": 0.3},
    ("external_forces", "geopolitical_factors"): {"middle_east_africa": 0.5},
    ("external_forces", "people_skills"): {"asia_pacific": 0.25, "japan": 0.3},
}
# Named industry leanings (industry codes of industries.csv).
INDUSTRY_EFFECTS = {
    ("external_forces", "regulatory_concerns"): {
        "03": 0.8,
        "09": 0.8,
        "13": 0.6,
        "14": 0.7,
        "11": 0.5,
        "08": 0.5,
        "10": 0.4,
    },
    ("external_forces", "technological_factors"): {"07": 0.6, "18": 0.6, "15": 0.4},
    ("external_forces", "environmental_issues"): {"04": 0.7, "08": 0.6, "02": 0.4},
    ("technology_plans", "social_media"): {"17": 0.4, "15": 0.4, "05": 0.3, "19": 0.2},
    ("market_factor_preparedness", "social_media"): {"15": 0.3, "17": 0.2, "12": -0.2},
    ("information_sources", "consumer_reviews"): {"17": 0.5, "05": 0.5, "19": 0.3},
    ("visionary_plans", "risk_management_compliance"): {"03": 0.6, "09": 0.6, "13": 0.5},
    ("technology_importance", "*"): {"18": 0.3, "07": 0.3, "10": -0.2},
}
# Small unnamed differences between every region / industry and every item.
RANDOM_SEGMENT_SD = 0.12

# Scale-out parquet files: respondents per chunk (memory stays bounded).
SCALE_CHUNK_ROWS = 50_000
