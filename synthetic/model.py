"""Synthetic respondents whose answers hit exact targets yet correlate like real ones.

Every answer is decided by ranking respondents on a latent propensity:

    propensity = trait loadings x respondent traits
                 + financial-performance, size, region and industry effects
                 + normal noise

and giving the selected answer to exactly as many of the top-ranked
respondents as the target share needs (`exact_count`). Marginals therefore
come out exactly while answers lean by segment and hang together within a
respondent (a confident CMO feels prepared for most market factors).
All numbers are synthetic; see `synthetic.calibration` for the choices.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np
import pandas as pd

from synthetic import calibration as cal
from synthetic.codebook import Codebook

TRAITS = ("confidence", "tech", "data", "outlook")
REFUSED = "<refused>"
DONT_KNOW = "<dont_know>"
NOT_REACHED = "<not_reached>"
MISSING = (REFUSED, DONT_KNOW, NOT_REACHED)
RANK_CODES = ("1", "2", "3")
NOT_RANKED = "not_ranked"
# Rounded shares must sit this far inside the rounding interval (never x.5).
ROUNDING_MARGIN = 0.49


def exact_count(share_pct: float, n: int) -> int:
    """Number of respondents whose share of `n` rounds to `share_pct`, never at x.5."""
    k = round(share_pct * n / 100)
    for candidate in (k, k - 1, k + 1):
        if 0 <= candidate <= n and abs(100 * candidate / n - share_pct) <= ROUNDING_MARGIN:
            return candidate
    raise ValueError(f"no count of {n} rounds to {share_pct}%")


def allocate(weights: dict[str, float], total: int, exact_shares: bool = False) -> dict[str, int]:
    """Split `total` over keys in proportion to weights, largest remainder first.

    With `exact_shares`, weights are percentages whose shares of the split
    must each round back to them (shares of a base `total / scale`).
    """
    keys = list(weights)
    scale = sum(weights.values())
    raw = {k: weights[k] * total / scale for k in keys}
    counts = {k: int(np.floor(raw[k])) for k in keys}
    by_remainder = sorted(keys, key=lambda k: (-(raw[k] - counts[k]), keys.index(k)))
    for k in by_remainder[: total - sum(counts.values())]:
        counts[k] += 1
    if exact_shares:
        base = total * 100 / scale
        for k in keys:
            if abs(100 * counts[k] / base - weights[k]) > ROUNDING_MARGIN:
                raise ValueError(f"{k}: {counts[k]} of {base:.0f} does not round to {weights[k]}")
    return counts


def allocate_with_minimum(weights: dict[str, float], total: int, minimum: int) -> dict[str, int]:
    """Every key gets `minimum` (when the total allows), the rest by weight."""
    floor = min(minimum, total // len(weights))
    rest = allocate(weights, total - floor * len(weights))
    return {k: floor + rest[k] for k in weights}


def stable_rng(seed: int, *key: object) -> np.random.Generator:
    """A generator fixed by the seed and a readable key (same key, same draws)."""
    return np.random.default_rng([seed, zlib.crc32("|".join(map(str, key)).encode())])


@dataclass
class Cohort:
    """Respondents of one study: profile columns and harmonized answers.

    `answers[(item_code, sub_item_code)]` holds option codes (or a MISSING
    marker); for external forces the option is the rank position or not_ranked.
    """

    study: str
    country: np.ndarray
    industry: np.ndarray
    size_band: np.ndarray  # "" where not given
    performance: np.ndarray  # outperformer / underperformer
    traits: dict[str, np.ndarray]
    answers: dict[tuple[str, str], np.ndarray]

    @property
    def n(self) -> int:
        return len(self.country)

    def take(self, index: np.ndarray) -> Cohort:
        return Cohort(
            study=self.study,
            country=self.country[index],
            industry=self.industry[index],
            size_band=self.size_band[index],
            performance=self.performance[index],
            traits={k: v[index] for k, v in self.traits.items()},
            answers={k: v[index] for k, v in self.answers.items()},
        )


def concat(cohorts: list[Cohort]) -> Cohort:
    first = cohorts[0]
    return Cohort(
        study=first.study,
        country=np.concatenate([c.country for c in cohorts]),
        industry=np.concatenate([c.industry for c in cohorts]),
        size_band=np.concatenate([c.size_band for c in cohorts]),
        performance=np.concatenate([c.performance for c in cohorts]),
        traits={k: np.concatenate([c.traits[k] for c in cohorts]) for k in first.traits},
        answers={k: np.concatenate([c.answers[k] for c in cohorts]) for k in first.answers},
    )


def scaled(count: int, study: str, n: int) -> int:
    """A count fixed for the 2011 sample, scaled to a cohort of n respondents."""
    return round(count * n / cal.QUALIFIED[study])


class CohortBuilder:
    """Draws one cohort of a study; `exact` enforces the calibration targets."""

    def __init__(self, book: Codebook, study: str, seed: int, exact: bool = True):
        self.book = book
        self.study = study
        self.seed = seed
        self.exact = exact

    # -- profile ---------------------------------------------------------
    def countries(self) -> list[str]:
        skip = set(cal.COUNTRIES_NOT_REACHED[self.study])
        return [c["country_code"] for c in self.book.countries if c["country_code"] not in skip]

    def industries(self) -> list[str]:
        skip = set(cal.INDUSTRIES_NOT_COVERED[self.study])
        return [i["industry_code"] for i in self.book.industries if i["industry_code"] not in skip]

    def draw_codes(self, rng, codes, weights, n, minimum) -> np.ndarray:
        weight_of = {c: float(weights.get(c, 1.0)) for c in codes}
        if self.exact:
            counts = allocate_with_minimum(weight_of, n, minimum)
            drawn = np.repeat(np.array(codes, dtype=object), [counts[c] for c in codes])
            return rng.permutation(drawn)
        p = np.array([weight_of[c] for c in codes])
        return rng.choice(np.array(codes, dtype=object), size=n, p=p / p.sum())

    def check_reach(self) -> None:
        """The calibrated countries and industries are as many as fig01 says."""
        for measure_id, codes in (
            ("countries", self.countries()),
            ("industries", self.industries()),
        ):
            expected = self.book.published_count(self.study, measure_id)
            if len(codes) != expected:
                raise ValueError(f"{self.study}: {len(codes)} {measure_id}, fig01 says {expected}")

    def draw(self, rng: np.random.Generator, n: int) -> Cohort:
        if self.exact:
            self.check_reach()
        country = self.draw_codes(
            rng, self.countries(), cal.COUNTRY_WEIGHTS, n, cal.MIN_PER_COUNTRY
        )
        industry = self.draw_codes(
            rng, self.industries(), cal.INDUSTRY_WEIGHTS, n, cal.MIN_PER_INDUSTRY
        )
        bands = list(cal.SIZE_BAND_WEIGHTS)
        p = np.array(list(cal.SIZE_BAND_WEIGHTS.values()))
        size_band = rng.choice(np.array(bands, dtype=object), size=n, p=p / p.sum())
        traits = {t: rng.standard_normal(n) for t in TRAITS}
        size_step = size_steps(size_band)
        # Outperformers: the top of a latent leaning to confident, large firms.
        performance_latent = (
            cal.PERFORMANCE_LATENT["confidence"] * traits["confidence"]
            + cal.PERFORMANCE_LATENT["size_step"] * size_step
            + rng.standard_normal(n)
        )
        n_out = scaled(cal.OUTPERFORMERS[self.study], self.study, n)
        performance = np.full(n, "underperformer", dtype=object)
        performance[np.argsort(-performance_latent, kind="stable")[:n_out]] = "outperformer"
        not_given = rng.choice(n, scaled(cal.SIZE_NOT_GIVEN[self.study], self.study, n), False)
        size_band[not_given] = ""
        cohort = Cohort(self.study, country, industry, size_band, performance, traits, {})
        self.answer_all(rng, cohort)
        return cohort

    # -- propensities ----------------------------------------------------
    def segment_effect(self, cohort: Cohort, item: str, sub: str) -> np.ndarray:
        """Performance, size, region and industry leanings for one item."""
        n = cohort.n
        effect = np.zeros(n)
        perf = cal.PERFORMANCE_EFFECT.get(item, 0.0)
        effect += np.where(cohort.performance == "outperformer", perf / 2, -perf / 2)
        effect += cal.SIZE_EFFECT_PER_BAND.get(item, 0.0) * size_steps(cohort.size_band)
        regions = [c["region_code"] for c in self.book.countries]
        region_of = self.book.region_of_country
        industries = [i["industry_code"] for i in self.book.industries]
        for kind, codes, values, named in (
            ("region", vectorized_lookup(region_of, cohort.country), regions, cal.REGION_EFFECTS),
            ("industry", cohort.industry, industries, cal.INDUSTRY_EFFECTS),
        ):
            lean = {**named.get((item, "*"), {}), **named.get((item, sub), {})}
            values = sorted(set(values))  # the codebook's, so every cohort leans alike
            noise = stable_rng(self.seed, kind, self.study, item, sub).normal(
                0, cal.RANDOM_SEGMENT_SD, size=len(values)
            )
            table = {v: lean.get(v, 0.0) + noise[i] for i, v in enumerate(values)}
            effect += vectorized_lookup(table, codes).astype(float)
        return effect

    def propensity(self, rng, cohort: Cohort, item: str, sub: str) -> np.ndarray:
        latent = self.segment_effect(cohort, item, sub) + rng.standard_normal(cohort.n)
        for trait, loading in cal.TRAIT_LOADINGS.get(item, {}).items():
            latent += loading * cohort.traits[trait]
        return latent

    def count(self, share: float, n: int) -> int:
        return exact_count(share, n) if self.exact else round(share * n / 100)

    # -- answers ---------------------------------------------------------
    def answer_all(self, rng, cohort: Cohort) -> None:
        """Answer every item and sub-item the study's measures count, in codebook order.

        Chosen non-respondents of an item (calibration.ITEM_NONRESPONSE) get a
        refused / don't know marker; the targets hold among those who answered.
        """
        seen: dict[str, list[str]] = {}
        types: dict[str, str] = {}
        for m in self.book.measures:
            if m["role"] != self.study:
                continue
            subs = seen.setdefault(m["item_code"], [])
            if m["sub_item_code"] not in subs:
                subs.append(m["sub_item_code"])
        for row in self.book.items_of(self.study):
            types[row["item_code"]] = row["answer_type"]
        nonresponse = cal.ITEM_NONRESPONSE[self.study]
        for item, subs in seen.items():
            answer_type = types[item]
            if answer_type == "top3_ranking":
                self.answer_ranking(rng, cohort, item, subs)
                continue
            block_missing = self.missing_rows(rng, cohort.n, nonresponse.get((item, "*"), 0))
            for sub in subs:
                missing = block_missing
                if (item, sub) in nonresponse:
                    missing = self.missing_rows(rng, cohort.n, nonresponse[(item, sub)])
                answers = np.full(cohort.n, "", dtype=object)
                answering = np.ones(cohort.n, dtype=bool)
                answering[missing] = False
                answers[missing] = np.where(
                    rng.random(len(missing)) < cal.DONT_KNOW_SHARE, DONT_KNOW, REFUSED
                )
                prop = self.propensity(rng, cohort, item, sub)
                measures = self.book.measures_of(self.study, item, sub)
                if answer_type == "scale_5pt":
                    self.answer_scale(cohort, measures, prop, answering, answers)
                elif answer_type in ("multi_select", "yes_no"):
                    (measure,) = measures
                    k = self.count(
                        self.book.target_share(self.study, measure["measure_id"]),
                        int(answering.sum()),
                    )
                    self.fill_by_rank(prop, answering, answers, [("yes", k), ("no", None)])
                elif answer_type == "single_choice":
                    self.answer_single_choice(rng, cohort, item, measures, prop, answering, answers)
                else:
                    raise ValueError(f"unknown answer type {answer_type}")
                cohort.answers[(item, sub)] = answers

    def missing_rows(self, rng, n: int, count: int) -> np.ndarray:
        count = scaled(count, self.study, n)
        return np.sort(rng.choice(n, count, replace=False)) if count else np.array([], int)

    @staticmethod
    def fill_by_rank(prop, eligible, answers, plan: list[tuple[str, int | None]]) -> None:
        """Give plan's options to eligible respondents from the highest propensity down."""
        order = np.flatnonzero(eligible)
        order = order[np.argsort(-prop[order], kind="stable")]
        start = 0
        for option, k in plan:
            stop = len(order) if k is None else start + k
            answers[order[start:stop]] = option
            start = stop

    def answer_scale(self, cohort, measures, prop, answering, answers) -> None:
        """5-point scale: the measure's box gets exactly its count, the rest the other box."""
        segments = [(m, m["financial_performance_filter"]) for m in measures]
        filtered = [m for m, segment in segments if segment]
        if filtered:  # exact within each performance segment (fig07 social media)
            for m in filtered:
                in_segment = answering & (cohort.performance == m["financial_performance_filter"])
                self.scale_plan(m, prop, in_segment, answers)
        else:
            (m,) = [m for m, segment in segments if not segment]
            self.scale_plan(m, prop, answering, answers)

    def scale_plan(self, measure, prop, eligible, answers) -> None:
        n = int(eligible.sum())
        k = self.count(self.book.target_share(self.study, measure["measure_id"]), n)
        selected = measure["selected_option_codes"].split("|")
        top = allocate(cal.TOP_BOX_SPLIT, k if selected == ["4", "5"] else n - k)
        bottom = allocate(cal.BOTTOM_BOX_SPLIT, n - k if selected == ["4", "5"] else k)
        if selected not in (["4", "5"], ["1", "2", "3"]):
            raise ValueError(f"unsupported scale box {selected}")
        plan = [(v, top[v]) for v in ("5", "4")] + [(v, bottom[v]) for v in ("3", "2", "1")]
        self.fill_by_rank(prop, eligible, answers, plan)

    def answer_single_choice(self, rng, cohort, item, measures, prop, answering, answers):
        shares = {
            m["selected_option_codes"]: self.book.target_share(self.study, m["measure_id"])
            for m in measures
        }
        n = int(answering.sum())
        counts = allocate(shares, n, exact_shares=self.exact)
        options = self.book.option_codes(self.study, item)
        if item == "business_technology_collaboration":  # ordinal: extensive first
            self.fill_by_rank(prop, answering, answers, [(o, counts[o]) for o in options])
            return
        # Nominal: the leading option goes to the highest propensity, the others
        # each rank the rest on their own propensity.
        ordered = sorted(options, key=lambda o: -shares[o])
        lead, others = ordered[0], ordered[1:]
        self.fill_by_rank(prop, answering, answers, [(lead, counts[lead])])
        for option in others[:-1]:
            open_rows = answering & (answers == "")
            own = self.propensity(rng, cohort, item, option)
            self.fill_by_rank(own, open_rows, answers, [(option, counts[option])])
        answers[answering & (answers == "")] = others[-1]

    def answer_ranking(self, rng, cohort: Cohort, item: str, forces: list[str]) -> None:
        """Top-3 ranking: each respondent picks exactly three forces, in order.

        Each force's utility is its segment effects plus noise; a per-force
        price is tuned until every force is picked by (close to) its target,
        then single swaps with the smallest utility loss make counts exact.
        """
        n = cohort.n
        utility = np.column_stack([self.propensity(rng, cohort, item, force) for force in forces])
        shares = {
            force: self.book.target_share(self.study, f"external_force_{force}") for force in forces
        }
        targets = allocate(shares, 3 * n, exact_shares=self.exact)
        target = np.array([targets[force] for force in forces])
        price = np.log(target / (3 * n - target))
        for _ in range(200):
            picked = top3(utility + price)
            counts = picked.sum(axis=0)
            if np.abs(counts - target).sum() <= 2 + n // 2000:  # swaps do the rest
                break
            price += 0.8 * (target - counts) / np.maximum(np.minimum(target, n - target), 1)
        picked = top3(utility + price)
        score = utility + price
        counts = picked.sum(axis=0)
        while not np.array_equal(counts, target):
            over = int(np.argmax(counts - target))
            under = int(np.argmax(target - counts))
            candidates = np.flatnonzero(picked[:, over] & ~picked[:, under])
            loss = score[candidates, over] - score[candidates, under]
            row = candidates[int(np.argmin(loss))]
            picked[row, over], picked[row, under] = False, True
            counts[over] -= 1
            counts[under] += 1
        # Rank the three picks by utility: the most pressing force first.
        masked = np.where(picked, score, -np.inf)
        order = np.argsort(-masked, axis=1, kind="stable")[:, :3]
        for j, force in enumerate(forces):
            answers = np.full(n, NOT_RANKED, dtype=object)
            for position in range(3):
                answers[order[:, position] == j] = RANK_CODES[position]
            cohort.answers[(item, force)] = answers


def vectorized_lookup(table: dict, codes: np.ndarray) -> np.ndarray:
    """table[code] for every code, one dictionary look-up per distinct code."""
    inverse, values = pd.factorize(codes)
    return np.array([table[v] for v in values], dtype=object)[inverse]


def size_steps(size_band: np.ndarray) -> np.ndarray:
    """Size band as steps from the middle band (0 where not given)."""
    table = {b: float(int(b) - 3) for b in cal.SIZE_BAND_WEIGHTS} | {"": 0.0}
    return vectorized_lookup(table, size_band).astype(float)


def top3(score: np.ndarray) -> np.ndarray:
    """Boolean matrix: the three highest scores of each row."""
    picked = np.zeros(score.shape, dtype=bool)
    best = np.argpartition(-score, 3, axis=1)[:, :3]
    np.put_along_axis(picked, best, True, axis=1)
    return picked
