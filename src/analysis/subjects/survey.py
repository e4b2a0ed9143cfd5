"""The public questionnaire: collection rates, respondent profile, weighted design-based estimates.

Estimates follow R's ``survey`` package (Lumley) so that they can be checked against it
(tests/reference/survey_reference.R): the design is ``svydesign(ids = ~batch_id, weights = ~w)``,
a one-stage cluster sample of distribution batches drawn with replacement, no strata, no fpc.
Standard errors come from Taylor linearisation of the ratio estimator sum(w y) / sum(w); a
domain (a district, a channel, the valid answers of one item) keeps every batch of the design,
batches without a valid answer in the domain contributing zero (as R's ``subset`` does).
Intervals use Student's t with (batches holding the domain) - 1 degrees of freedom, as R's
``svyciprop(method = "logit")`` and ``confint(svymean(...), df = degf(design))`` do; proportions
use the logit interval (R's default for svyciprop).

Likert answers: 1-5 are valid; 9 ("don't know") and blank are excluded from every estimate of
that item (they are counted and reported separately).  Top box = 4 or 5 among the valid answers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from analysis.core.errors import ParameterError
from analysis.data.contract.files import LIKERT_ITEMS
from analysis.stats import design, weighting
from analysis.stats.proportions import wilson

ITEMS = tuple(LIKERT_ITEMS)
VALID = (1, 2, 3, 4, 5)
DONT_KNOW = 9
TOP_BOX = (4, 5)
SCALE_LABELS = {1: "very dissatisfied", 2: "dissatisfied", 3: "neutral", 4: "satisfied", 5: "very satisfied"}
# ASSUMPTION(design-batches-as-psu): distribution batches are treated as primary sampling units drawn with replacement, with no strata or finite-population correction, and the raking weights as fixed (no credit for calibration), as svydesign(ids=~batch_id, weights=~w); SEs are then slightly conservative.
CLUSTER = "batch_id"
OVERALL = "q10_overall"


# --- collection rate ---------------------------------------------------------------------------


def collection_rates(
    batches: pd.DataFrame, responses: pd.DataFrame, by: str | None = None, district: str | None = None
) -> pd.DataFrame:
    """Forms distributed and returned, the return rate and its Wilson 95% interval.

    One row overall (``by`` None) or one per level of ``by`` (a column of the batch log, e.g.
    'channel' or 'district').  Returned forms are the valid responses after cleaning, counted
    against the batch they came from, so the group is the batch's (not the form's) channel and
    district.  ``district`` restricts both to the batches of one district.
    """
    # ASSUMPTION(returned-by-batch): a returned form counts towards the channel and district of the batch it was handed out in, as logged in the distribution log.
    if district is not None and district not in set(batches["district"].dropna()):
        raise ParameterError(
            f"district {district!r} not in the distribution log; known: {sorted(batches['district'].dropna().unique())}"
        )
    b = batches if district is None else batches[batches["district"] == district]
    returned = responses.groupby(CLUSTER).size().rename("returned")
    unknown = set(responses[CLUSTER]) - set(batches[CLUSTER])
    if unknown:
        raise ValueError(f"responses name batches missing from the distribution log: {sorted(unknown)[:5]}")
    merged = b.set_index(CLUSTER).join(returned).fillna({"returned": 0})
    over = merged.index[merged["returned"] > merged["forms_distributed"]]
    if len(over):
        raise ValueError(f"more forms returned than distributed in batches {list(over)[:5]}")
    keys = ["all"] * len(merged) if by is None else merged[by]
    g = merged.groupby(keys, observed=True).agg(distributed=("forms_distributed", "sum"), returned=("returned", "sum"))
    g.index.name = by or "group"
    g = g.astype({"distributed": int, "returned": int})
    if (g["returned"] > g["distributed"]).any():
        raise ValueError(
            "more forms returned than distributed in " + ", ".join(map(str, g.index[g["returned"] > g["distributed"]]))
        )
    g["rate"] = g["returned"] / g["distributed"]
    ci = [wilson(r, d) for r, d in zip(g["returned"], g["distributed"])]
    g["ci_low"], g["ci_high"] = [c[0] for c in ci], [c[1] for c in ci]
    return g.reset_index()


@dataclass(frozen=True)
class ChiSquareTest:
    """Pearson chi-square test of equal return rates across groups."""

    chi2: float  #: the statistic
    df: int  #: groups - 1
    p_value: float
    min_expected: float  #: smallest expected cell count (forms); below 5 the chi-square approximation is rough


def collection_chi2(rates: pd.DataFrame) -> ChiSquareTest:
    """Pearson chi-square test that the return rate is the same in every group of ``rates``.

    Treats forms as independent, which batches (handed out and collected together) are not:
    the p-value is too small if returns cluster by batch; read it as descriptive.
    """
    # ASSUMPTION(chi2-independent-forms): the chi-square test of return rates treats each form as independent; clustering by batch would widen it, so small p-values overstate the evidence.
    if len(rates) < 2:
        raise ValueError("need at least two groups to compare return rates")
    table = np.column_stack([rates["returned"], rates["distributed"] - rates["returned"]])
    chi2, p, dof, expected = stats.chi2_contingency(table, correction=False)
    return ChiSquareTest(chi2=float(chi2), df=int(dof), p_value=float(p), min_expected=float(expected.min()))


def nonresponse_bounds(p: float, returned: int, distributed: int) -> tuple[float, float]:
    """Range of the share among all forms distributed if non-returners could be anyone.

    With return rate r, the share among everyone handed a form lies in [r p, r p + (1 - r)]
    (all non-returners dissatisfied .. all satisfied).
    """
    # ASSUMPTION(nonresponse-bounds-returned-only): the bounds cover forms not returned; they take the weighted share among respondents as the share among returned forms, so they do not also cover item non-response or unweightable respondents.
    if distributed <= 0 or not 0 <= returned <= distributed:
        raise ValueError("need 0 <= returned <= distributed and distributed > 0")
    if not 0 <= p <= 1:
        raise ValueError("p must be a proportion")
    r = returned / distributed
    return r * p, r * p + (1 - r)


# --- respondents and weights -------------------------------------------------------------------


@dataclass
class WeightedSample:
    """Respondents that could be weighted (with a ``weight`` column), and how weighting went."""

    frame: pd.DataFrame
    rake: weighting.RakeResult
    dropped: int
    deff: float

    @property
    def n(self) -> int:
        return len(self.frame)


def weight_respondents(
    responses: pd.DataFrame,
    population: pd.DataFrame,
    *,
    margins=weighting.DEFAULT_MARGINS,
    lower: float = weighting.TRIM_LOWER,
    upper: float = weighting.TRIM_UPPER,
) -> WeightedSample:
    """Raking weights (trimmed) for every respondent with district, age band and sex known."""
    needed = sorted({c for m in margins for c in m})
    known = responses[needed].notna().all(axis=1)
    # ASSUMPTION(weights-complete-profile): respondents with a blank age band or sex cannot be weighted and are left out of weighted estimates (their number is reported); if they differ from the rest, estimates are biased.
    sample = responses[known].copy()
    res = weighting.trim_and_rake(sample, weighting.population_margins(population, margins), lower=lower, upper=upper)
    sample["weight"] = res.weights
    return WeightedSample(frame=sample, rake=res, dropped=int((~known).sum()), deff=weighting.kish_deff(res.weights))


def respondent_profile(
    responses: pd.DataFrame,
    population: pd.DataFrame,
    weights: pd.Series | None = None,
    variables=("district", "age_band", "sex"),
) -> pd.DataFrame:
    """Respondents' shares against the population's, per level of each variable.

    Columns: variable, level, respondents, sample_share (among respondents with the variable
    known), population, population_share and, with ``weights``, weighted_share.
    """
    rows = []
    for var in variables:
        known = responses[var].notna()
        counts = responses.loc[known, var].value_counts()
        popc = population.groupby(var)["population"].sum()
        wsum = weights[known].groupby(responses.loc[known, var]).sum() if weights is not None else None
        for level in popc.index.union(counts.index):
            row = {
                "variable": var,
                "level": level,
                "respondents": int(counts.get(level, 0)),
                "sample_share": counts.get(level, 0) / counts.sum(),
                "population": int(popc.get(level, 0)),
                "population_share": popc.get(level, 0) / popc.sum(),
            }
            if wsum is not None:
                row["weighted_share"] = wsum.get(level, 0.0) / wsum.sum()
            rows.append(row)
    return pd.DataFrame(rows)


# --- Likert recoding -----------------------------------------------------------------------------


def valid_scores(responses: pd.DataFrame, items=ITEMS) -> pd.DataFrame:
    """Item answers 1-5 as floats; 9 ("don't know") and blanks become NaN (excluded)."""
    # ASSUMPTION(likert-dont-know-excluded): "don't know" (9) and blank answers are left out of each item's share and mean (reported separately); if they lean one way, the shares are biased.
    out = {}
    for item in items:
        x = responses[item].astype("Float64")
        bad = x.notna() & ~x.isin(VALID + (DONT_KNOW,))
        if bad.any():
            raise ValueError(f"{item}: answers outside 1-5 and 9: {sorted(x[bad].unique().tolist())}")
        out[item] = x.where(x.isin(VALID)).astype(float)
    return pd.DataFrame(out, index=responses.index)


def top_box(responses: pd.DataFrame, items=ITEMS) -> pd.DataFrame:
    """1.0 for 4 or 5, 0.0 for 1-3, NaN for 9 or blank."""
    # ASSUMPTION(top-box-4-5): "satisfied" means an answer of 4 or 5 of 5; neutral (3) counts as not satisfied.
    s = valid_scores(responses, items)
    return s.ge(TOP_BOX[0]).astype(float).where(s.notna())


def answer_counts(sample: pd.DataFrame, items=ITEMS, weight: str | None = "weight") -> pd.DataFrame:
    """Per item: (weighted) count of each answer 1-5, and unweighted counts of don't know and blank."""
    rows = []
    for item in items:
        x = sample[item].astype("Float64")
        w = sample[weight].astype(float) if weight else pd.Series(1.0, index=sample.index)
        row = {"item": item, "question": LIKERT_ITEMS.get(item, item)}
        for v in VALID:
            row[v] = float(w[(x == v).fillna(False)].sum())
        row["dont_know"] = int((x == DONT_KNOW).sum())
        row["blank"] = int(x.isna().sum())
        row["n_valid"] = int(x.isin(VALID).fillna(False).sum())
        rows.append(row)
    return pd.DataFrame(rows)


# --- design-based estimation (the estimator itself: analysis.stats.design) -------------------------


def item_estimates(sample: pd.DataFrame, items=ITEMS, domain=None, weight: str = "weight") -> pd.DataFrame:
    """Per item: weighted top-box share (logit interval) and weighted mean score, both with SEs."""
    tb, sc = top_box(sample, items), valid_scores(sample, items)
    clusters = design.cluster_codes(sample[CLUSTER])[0]
    rows = []
    for item in items:
        p = design.design_mean(tb[item], sample[weight], clusters, domain, logit=True)
        m = design.design_mean(sc[item], sample[weight], clusters, domain)
        rows.append(
            {
                "item": item,
                "question": LIKERT_ITEMS.get(item, item),
                "n_valid": p.n,
                "top_box": p.estimate,
                "top_box_se": p.se,
                "top_box_low": p.ci_low,
                "top_box_high": p.ci_high,
                "top_box_deff": p.deff,
                "mean": m.estimate,
                "mean_se": m.se,
                "mean_low": m.ci_low,
                "mean_high": m.ci_high,
                "df": p.df,
            }
        )
    return pd.DataFrame(rows)


def satisfaction_by(
    sample: pd.DataFrame, by: str, item: str = OVERALL, weight: str = "weight", domain=None
) -> pd.DataFrame:
    """Weighted top-box share (logit interval) and mean score of ``item`` in each level of ``by``.

    Domain estimates: each level keeps the whole design's batches for its variance.
    """
    tb = top_box(sample, [item])[item]
    sc = valid_scores(sample, [item])[item]
    dom = np.ones(len(sample), dtype=bool) if domain is None else np.asarray(domain, dtype=bool)
    clusters = design.cluster_codes(sample[CLUSTER])[0]
    level_codes, levels = pd.factorize(sample[by])  # blank -> -1, never a level
    rows = []
    for j in sorted(range(len(levels)), key=lambda j: str(levels[j])):
        level = levels[j]
        mask = dom & (level_codes == j)
        r = design.design_mean(tb, sample[weight], clusters, mask, logit=True)
        m = design.design_mean(sc, sample[weight], clusters, mask)
        rows.append(
            {
                by: level,
                "respondents": int(mask.sum()),
                "n_valid": r.n,
                "top_box": r.estimate,
                "se": r.se,
                "ci_low": r.ci_low,
                "ci_high": r.ci_high,
                "df": r.df,
                "mean": m.estimate,
                "mean_se": m.se,
                "mean_low": m.ci_low,
                "mean_high": m.ci_high,
            }
        )
    return pd.DataFrame(rows)


def group_difference_test(
    sample: pd.DataFrame, by: str, item: str = OVERALL, weight: str = "weight", domain=None
) -> design.WaldTest:
    """Design-based Wald test that the top-box share of ``item`` is the same in every level of ``by``.

    :func:`analysis.stats.design.share_wald_test` on the top-box answers, batches as clusters, as
    R's ``regTermTest(svyglm(tb ~ by, design, family = quasibinomial), ~by)``.  Rows with a blank
    group or a don't-know/blank answer are left out.
    """
    y = top_box(sample, [item])[item].to_numpy(dtype=float)
    return design.share_wald_test(
        y, sample[by], sample[weight], sample[CLUSTER], domain, name=by, outcome="top-box share"
    )


def domain_mask(sample: pd.DataFrame, district: str | None) -> np.ndarray | None:
    """Boolean domain for one district, or None for the whole county; unknown districts raise."""
    if district is None:
        return None
    if district not in set(sample["district"].dropna()):
        raise ParameterError(
            f"district {district!r} not in the data; known: {sorted(sample['district'].dropna().unique())}"
        )
    return (sample["district"] == district).to_numpy(dtype=bool)
