"""The public questionnaire: return rates, respondent profile, weighted design-based estimates.

Every survey estimate uses the one design stated in data/reference/survey_design.csv
(:class:`analysis.stats.design.SurveyDesign`): distribution batches as clusters within district
strata, raking weights trimmed to 0.2-5 x the mean, the raking credited in the variance, as R's
``svydesign(ids = ~batch_id, strata = ~district)`` then ``calibrate(calfun = "raking")``. A domain
(a district, a channel) keeps every batch of the design; its degrees of freedom are R's ``degf``
of the domain (batches holding a respondent of it minus the districts holding one); proportions
have the logit interval of ``svyciprop``, means ``confint(svymean, df = degf)``, design effects
``svymean(deff = TRUE)``. Checked against R in tests/reference/r.

Return rates are estimates over the forms handed out: one row per form, weight 1, on the same
batches and strata (``svymean(~returned)``, the batch ratio estimator); tests of return rates
across groups are Rao-Scott corrected (``svychisq``).

Likert answers: 1-5 are valid; 9 ("don't know") and blank are excluded from every estimate of
that item (counted and reported separately); a code outside 1-5 and 9 never reaches here, because
cleaning sets it missing. Top box = 4 or 5 among the valid answers.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.core import paths
from analysis.core.errors import ParameterError
from analysis.core.text import count, interval, number, p_value, percent
from analysis.data.contract.files import LIKERT_ITEMS
from analysis.i18n import _, label, sentences
from analysis.stats import agreement, weighting
from analysis.stats.design import Contrast, Design, DesignEstimate, RaoScottTest, SurveyDesign, holm

ITEMS = tuple(LIKERT_ITEMS)
VALID = (1, 2, 3, 4, 5)
DONT_KNOW = 9
TOP_BOX = (4, 5)
SCALE_LABELS = {1: "very dissatisfied", 2: "dissatisfied", 3: "neutral", 4: "satisfied", 5: "very satisfied"}
CLUSTER = "batch_id"
OVERALL = "q10_overall"


def stated_design(design: SurveyDesign | None = None) -> SurveyDesign:
    """``design``, or the design stated in data/reference/survey_design.csv."""
    return SurveyDesign.stated() if design is None else design


# --- return rates -------------------------------------------------------------------------------


def _batch_log(batches: pd.DataFrame, responses: pd.DataFrame) -> pd.DataFrame:
    """The distribution log with each batch's returned (valid) forms; a form counts for its batch."""
    # ASSUMPTION(returned-by-batch): a returned form counts towards the channel and district of the batch it was handed out in, as logged in the distribution log.
    unknown = set(responses[CLUSTER].unique()) - set(batches[CLUSTER].unique())  # unique(): no loop over rows
    if unknown:
        raise ValueError(f"responses name batches missing from the distribution log: {sorted(unknown)[:5]}")
    returned = responses.groupby(CLUSTER).size().rename("returned")
    log = batches.set_index(CLUSTER).join(returned).fillna({"returned": 0})
    log["returned"] = log["returned"].astype(int)
    log["forms_distributed"] = log["forms_distributed"].astype(int)
    over = log.index[log["returned"] > log["forms_distributed"]]
    if len(over):
        raise ValueError(f"more forms returned than distributed in batches {list(over)[:5]}")
    return log.reset_index()


def _check_district(batches: pd.DataFrame, district: str | None) -> None:
    if district is not None and district not in set(batches["district"].dropna()):
        raise ParameterError(
            f"district {district!r} not in the distribution log; known: {sorted(batches['district'].dropna().unique())}"
        )


@dataclass(frozen=True)
class FormDesign:
    """Every form handed out (one row each: its batch's channel and district, returned 0/1) and its design."""

    forms: pd.DataFrame
    design: Design


def form_design(batches: pd.DataFrame, responses: pd.DataFrame, design: SurveyDesign | None = None) -> FormDesign:
    """The forms handed out as a survey of their own: weight 1, the stated design's clusters and strata.

    The return rate of a domain is then R's ``svymean(~returned)`` on it, which equals the ratio
    estimator sum(returned) / sum(distributed) over the domain's batches. No raking and no
    finite-population correction: every batch is in the data (see the methodology on whole populations).
    """
    spec = stated_design(design)
    log = _batch_log(batches, responses)
    m, r = log["forms_distributed"].to_numpy(), log["returned"].to_numpy()
    idx = np.repeat(np.arange(len(log)), m)
    returned = np.concatenate([np.r_[np.ones(k), np.zeros(t - k)] for k, t in zip(r, m)]) if len(log) else []
    forms = log.iloc[idx][[CLUSTER, "channel", "district"]].reset_index(drop=True).assign(returned=returned)
    strata = forms[spec.strata] if spec.strata else None
    return FormDesign(forms, Design(np.ones(len(forms)), forms[spec.cluster], strata))


def collection_rates(
    batches: pd.DataFrame,
    responses: pd.DataFrame,
    by: str | None = None,
    district: str | None = None,
    design: SurveyDesign | None = None,
) -> pd.DataFrame:
    """Forms distributed and returned, the return rate and its batch-clustered 95% interval.

    One row overall (``by`` None) or one per level of ``by`` (a column of the batch log, e.g.
    'channel' or 'district'). Returned forms are the valid responses after cleaning, counted
    against the batch they came from. ``district`` restricts the domains to one district's batches.
    Columns: group (or ``by``), batches, distributed, returned, rate, se, df, deff (R's deff =
    "replace": forms have weight 1), ci_low, ci_high (logit, t on df).
    """
    _check_district(batches, district)
    fd = form_design(batches, responses, design)
    f = fd.forms
    base = np.ones(len(f), dtype=bool) if district is None else (f["district"] == district).to_numpy()
    keys = pd.Series("all", index=f.index) if by is None else f[by]
    rows = []
    for level in sorted(keys[base].dropna().unique(), key=str):
        domain = base & (keys == level).to_numpy()
        est = fd.design.mean(f["returned"], domain, logit=True)
        rows.append(
            {
                by or "group": level,
                "batches": int(f.loc[domain, CLUSTER].nunique()),
                "distributed": int(domain.sum()),
                "returned": int(f.loc[domain, "returned"].sum()),
                "rate": est.estimate,
                "se": est.se,
                "df": est.df,
                "deff": est.deff_replace,
                "ci_low": est.ci_low,
                "ci_high": est.ci_high,
            }
        )
    return pd.DataFrame(rows)


def return_rate_test(
    batches: pd.DataFrame,
    responses: pd.DataFrame,
    by: str,
    district: str | None = None,
    design: SurveyDesign | None = None,
) -> RaoScottTest:
    """Are return rates the same in every level of ``by``? Rao-Scott test on the forms' design (R's svychisq).

    Forms handed out together come back together, so Pearson's chi-square (forms independent,
    kept as ``pearson_*``) overstates the evidence; the Rao-Scott second-order correction divides
    it by the mean generalised design effect and refers it to F on (d0, d0 x design df).
    """
    _check_district(batches, district)
    fd = form_design(batches, responses, design)
    domain = None if district is None else (fd.forms["district"] == district).to_numpy()
    return fd.design.chisq_test(fd.forms["returned"], fd.forms[by], domain)


def return_rate_test_text(by: str, test: RaoScottTest) -> str:
    """One printed line: the Rao-Scott test of return rates by ``by``, with the uncorrected chi-square beside it."""
    return _(
        "Return rate by {by}: Rao-Scott F = {f} on ({ndf}, {ddf}) df, {p} (forms taken as independent: "
        "chi-square = {chi2} on {df} df, {p_pearson})"
    ).format(
        by=_variable(by),
        f=number(test.f_statistic),
        ndf=number(test.ndf),
        ddf=number(test.ddf, 1),
        p=p_value(test.p_value),
        chi2=number(test.pearson_chi2, 1),
        df=test.pearson_df,
        p_pearson=p_value(test.pearson_p),
    )


def _variable(name: str) -> str:
    """A grouping variable's name for a printed line."""
    return {
        "channel": _("channel"),
        "district": _("district"),
        "age_band": _("age band"),
        "police_contact": _("police contact"),
    }.get(name, name.replace("_", " "))


@dataclass(frozen=True)
class NonresponseBounds:
    """Worst-case bounds of a share among every form handed out (unweighted counts of forms)."""

    distributed: int  #: forms handed out (D)
    returned: int  #: valid forms returned
    answered: int  #: returned forms with a valid answer 1-5 to the item (A)
    satisfied: int  #: of them, answering 4 or 5 (S)
    lower: float  #: S / D: every form not returned or without a valid answer counted as dissatisfied
    upper: float  #: (S + D - A) / D: every such form counted as satisfied

    @property
    def unknown(self) -> int:
        """Forms whose answer is not known: not returned, or returned without a valid answer."""
        return self.distributed - self.answered


def worst_case_bounds(
    batches: pd.DataFrame, responses: pd.DataFrame, district: str | None = None, item: str = OVERALL
) -> NonresponseBounds:
    """Where the top-box share of ``item`` among everyone handed a form could lie, whatever the unknown think.

    The one definition of the nonresponse bounds (survey report and brief): of D forms handed out,
    A came back with a valid answer, S of them satisfied; lower = S / D, upper = (S + D - A) / D.
    A returned form with "don't know" or a blank answer is as unknown as a form never returned.
    Unweighted: the bounds are about the forms handed out, not the population. ``district``: the
    forms of that district's batches.
    """
    # ASSUMPTION(nonresponse-bounds-worst-case): the nonresponse bounds count every form not returned, and every returned form without a valid answer to the item, as dissatisfied (lower) or satisfied (upper); unweighted counts of forms handed out.
    _check_district(batches, district)
    log = _batch_log(batches, responses)
    if district is not None:
        log = log[log["district"] == district]
    forms = responses[responses[CLUSTER].isin(log[CLUSTER].unique())]
    tb = top_box(forms, [item])[item]
    d, a, k = int(log["forms_distributed"].sum()), int(tb.notna().sum()), int((tb == 1).sum())
    if d == 0:
        raise ValueError("no forms handed out in this scope")
    return NonresponseBounds(d, int(log["returned"].sum()), a, k, k / d, (k + d - a) / d)


def bounds_text(bounds: NonresponseBounds) -> str:
    """The worst-case bounds as one printed line, with the counts behind them."""
    return _(
        "Satisfied among all {distributed} people handed a form, worst case: between {lower} and {upper} "
        "({unknown} forms not returned or without a valid answer counted as dissatisfied, then as satisfied)"
    ).format(
        distributed=count(bounds.distributed),
        lower=percent(bounds.lower),
        upper=percent(bounds.upper),
        unknown=count(bounds.unknown),
    )


# --- respondents and weights -------------------------------------------------------------------


@dataclass
class WeightedSample:
    """Respondents that could be weighted (with a ``weight`` column), and how weighting went."""

    frame: pd.DataFrame
    rake: weighting.RakeResult
    dropped: int
    deff: float  #: Kish's design effect of the weights, 1 + CV^2 (not an estimate's design effect)
    design: SurveyDesign | None = None  #: the design the weights were made for

    @property
    def n(self) -> int:
        return len(self.frame)


WEIGHTS_CACHE = paths.WEIGHTS_CACHE  #: folder of the cached weights inside a processed data set


def weights_key(processed_dir, design: SurveyDesign) -> str | None:
    """What the weights of ``processed_dir`` are made from: its respondents' and population's recorded hashes,
    the design and the code version; None when the folder has no cleaning manifest (nothing to key on)."""
    from analysis.core.files import code_hash, sha256_json

    manifest_path = Path(processed_dir) / paths.MANIFEST
    if not manifest_path.exists():
        return None
    outputs = json.loads(manifest_path.read_text(encoding="utf-8")).get("outputs", {})
    names = [paths.processed_file(d, Path(processed_dir)).name for d in ("survey_responses", "population_margins")]
    if not all(n in outputs for n in names):
        return None
    return sha256_json({"inputs": [outputs[n] for n in names], "design": repr(design), "code": code_hash()})


def _cached(path: Path, responses: pd.DataFrame, known: pd.Series, spec: SurveyDesign) -> WeightedSample | None:
    """The weighted sample from a cache file, or None when it does not fit these responses."""
    try:
        cached = pd.read_parquet(path.with_suffix(".parquet"))
        meta = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    sample = responses[known].copy()
    if not sample.index.equals(pd.Index(cached["row"])):
        return None
    weights = pd.Series(cached["weight"].to_numpy(), index=sample.index, name="weight")
    res = weighting.RakeResult(
        weights=weights,
        iterations=meta["iterations"],
        max_error=meta["max_error"],
        trimmed=meta["trimmed"],
        rounds=meta["rounds"],
        margins=tuple(tuple(m) for m in meta["margins"]),
        bounds=tuple(meta["bounds"]) if meta["bounds"] is not None else None,
        at_bounds=tuple(meta["at_bounds"]) if meta["at_bounds"] is not None else None,
    )
    sample["weight"] = weights
    return WeightedSample(
        frame=sample, rake=res, dropped=int((~known).sum()), deff=weighting.kish_deff(weights), design=spec
    )


def _store(path: Path, weighted: WeightedSample) -> None:
    from analysis.core.files import write_atomic, write_atomic_with

    r = weighted.rake
    path.parent.mkdir(parents=True, exist_ok=True)
    frame = pd.DataFrame({"row": weighted.frame.index.to_numpy(), "weight": r.weights.to_numpy(dtype=float)})
    write_atomic_with(path.with_suffix(".parquet"), lambda tmp: frame.to_parquet(tmp, index=False))
    meta = {
        "iterations": int(r.iterations),
        "max_error": float(r.max_error),
        "trimmed": int(r.trimmed),
        "rounds": int(r.rounds),
        "margins": [list(m) for m in r.margins],
        "bounds": list(r.bounds) if r.bounds is not None else None,
        "at_bounds": [int(x) for x in r.at_bounds] if r.at_bounds is not None else None,
    }
    # The metadata last: a reader finds both files or neither fits (the row check catches a half-written pair).
    write_atomic(path.with_suffix(".json"), json.dumps(meta))


def weight_respondents(
    responses: pd.DataFrame,
    population: pd.DataFrame,
    *,
    design: SurveyDesign | None = None,
    processed_dir=None,
) -> WeightedSample:
    """Raking weights (trimmed, as the design states) for every respondent with the margins' columns known.

    ``processed_dir``: the processed data set ``responses`` and ``population`` were loaded from. The
    weights are then computed once per data set and kept beside it (``weights/<key>``, keyed by the
    manifest's hashes of the two files, the design and the code version), so every report of that data
    set reads them instead of raking again. Without it (or without a manifest), they are computed here.
    """
    spec = stated_design(design)
    # In one process (a report asking twice, as the brief and its findings do), the same inputs are raked once.
    memo = (spec, _content(responses), _content(population), None if processed_dir is None else str(processed_dir))
    if memo in _WEIGHTED:
        return _copy(_WEIGHTED[memo])
    weighted = _weight_respondents(responses, population, spec, processed_dir)
    if len(_WEIGHTED) >= _KEEP_DESIGNS:
        _WEIGHTED.pop(next(iter(_WEIGHTED)))
    _WEIGHTED[memo] = weighted
    return _copy(weighted)


_WEIGHTED: dict[tuple, WeightedSample] = {}


def _content(frame: pd.DataFrame) -> str:
    """A digest of a frame's values, index and columns (what a memo of results made from it is keyed by)."""
    digest = hashlib.sha256(pd.util.hash_pandas_object(frame, index=True).to_numpy().tobytes())
    digest.update(repr(list(frame.columns)).encode())
    return digest.hexdigest()


def _copy(weighted: WeightedSample) -> WeightedSample:
    """A caller's own copy: the memo's frame is never handed out to be changed."""
    return replace(weighted, frame=weighted.frame.copy())


def _weight_respondents(responses, population, spec: SurveyDesign, processed_dir) -> WeightedSample:
    if processed_dir is not None:
        key = weights_key(processed_dir, spec)
        if key is not None:
            path = Path(processed_dir) / WEIGHTS_CACHE / key
            known = responses[spec.calibration_columns].notna().all(axis=1)
            hit = _cached(path, responses, known, spec)
            if hit is not None:
                return hit
            weighted = _weight_respondents(responses, population, spec, None)
            try:
                _store(path, weighted)
            except OSError:
                pass  # a read-only data set: the weights are still right, only not kept
            return weighted
    needed = spec.calibration_columns
    known = responses[needed].notna().all(axis=1)
    # ASSUMPTION(weights-complete-profile): respondents with a blank age band or sex cannot be weighted and are left out of weighted estimates (their number is reported); if they differ from the rest, estimates are biased.
    sample = responses[known].copy()
    targets = weighting.population_margins(population, spec.margins)
    if spec.trim is None:
        res = weighting.rake(sample, targets)
    else:
        res = weighting.trim_and_rake(sample, targets, lower=spec.trim[0], upper=spec.trim[1])
    sample["weight"] = res.weights
    return WeightedSample(
        frame=sample, rake=res, dropped=int((~known).sum()), deff=weighting.kish_deff(res.weights), design=spec
    )


_DESIGNS: dict[tuple, Design] = {}  # the designs built in this process, keyed by what they are built from
_KEEP_DESIGNS = 8


def sample_design(sample: pd.DataFrame, design: SurveyDesign | None = None, weight: str = "weight") -> Design:
    """The stated design (or ``design``) built over the weighted respondents of ``sample``.

    Built once per sample: a report asks for it in every estimate, and building it (the calibration
    basis) costs more than the estimates. Keyed by the content of the columns it is built from
    (weights, cluster, strata, margins), so a changed sample gets a design of its own.
    """
    spec = stated_design(design)
    cols = [weight, spec.cluster, *([spec.strata] if spec.strata else []), *spec.calibration_columns]
    content = hashlib.sha256(pd.util.hash_pandas_object(sample[cols], index=False).to_numpy().tobytes()).hexdigest()
    key = (spec, weight, len(sample), content)
    if key not in _DESIGNS:
        if len(_DESIGNS) >= _KEEP_DESIGNS:
            _DESIGNS.pop(next(iter(_DESIGNS)))
        _DESIGNS[key] = Design.of(sample, spec, weight)
    return _DESIGNS[key]


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


def _estimate_columns(p: DesignEstimate, m: DesignEstimate) -> dict:
    return {
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
        "mean_deff": m.deff,
        "df": p.df,
    }


def item_estimates(
    sample: pd.DataFrame, items=ITEMS, domain=None, weight: str = "weight", design: SurveyDesign | None = None
) -> pd.DataFrame:
    """Per item: weighted top-box share (logit interval) and weighted mean score, with SEs, df and design effects."""
    tb, sc = top_box(sample, items), valid_scores(sample, items)
    des = sample_design(sample, design, weight)
    rows = []
    for item in items:
        p = des.mean(tb[item], domain, logit=True)
        m = des.mean(sc[item], domain)
        rows.append({"item": item, "question": LIKERT_ITEMS.get(item, item), **_estimate_columns(p, m)})
    return pd.DataFrame(rows)


def satisfaction_by(
    sample: pd.DataFrame,
    by: str,
    item: str = OVERALL,
    weight: str = "weight",
    domain=None,
    design: SurveyDesign | None = None,
) -> pd.DataFrame:
    """Weighted top-box share (logit interval) and mean score of ``item`` in each level of ``by``.

    Domain estimates: each level keeps the whole design's batches for its variance. Columns:
    ``by``, respondents, n_valid, top_box, se, ci_low, ci_high, deff, df, mean, mean_se, mean_low,
    mean_high.
    """
    tb = top_box(sample, [item])[item]
    sc = valid_scores(sample, [item])[item]
    dom = np.ones(len(sample), dtype=bool) if domain is None else np.asarray(domain, dtype=bool)
    des = sample_design(sample, design, weight)
    level_codes, levels = pd.factorize(sample[by])  # blank -> -1, never a level
    level_codes = np.where(dom, level_codes, -1)
    # Every level in one pass (sums by level and cluster), as des.mean on each level's rows would give it.
    shares = des.means_by(tb, level_codes, len(levels), logit=True)
    means = des.means_by(sc, level_codes, len(levels))
    rows = []
    for j in sorted(range(len(levels)), key=lambda j: str(levels[j])):
        mask = level_codes == j
        r, m = shares[j], means[j]
        rows.append(
            {
                by: levels[j],
                "respondents": int(mask.sum()),
                "n_valid": r.n,
                "top_box": r.estimate,
                "se": r.se,
                "ci_low": r.ci_low,
                "ci_high": r.ci_high,
                "deff": r.deff,
                "df": r.df,
                "mean": m.estimate,
                "mean_se": m.se,
                "mean_low": m.ci_low,
                "mean_high": m.ci_high,
            }
        )
    return pd.DataFrame(rows)


def group_difference_test(
    sample: pd.DataFrame,
    by: str,
    item: str = OVERALL,
    weight: str = "weight",
    domain=None,
    design: SurveyDesign | None = None,
):
    """Design-based Wald test that the top-box share of ``item`` is the same in every level of ``by``.

    :meth:`analysis.stats.design.Design.share_wald_test` on the top-box answers, as R's
    ``regTermTest(svyglm(tb ~ by, design, family = quasibinomial), ~by)``.  Rows with a blank
    group or a don't-know/blank answer are left out.
    """
    y = top_box(sample, [item])[item].to_numpy(dtype=float)
    return sample_design(sample, design, weight).share_wald_test(
        y, sample[by], domain, name=by, outcome="top-box share"
    )


def group_difference_text(
    sample: pd.DataFrame, by: str, item: str = OVERALL, domain=None, design: SurveyDesign | None = None
) -> str:
    """One printed line with the Wald test of `group_difference_test`, or why it cannot be done."""
    label_ = _variable(by)
    try:
        t = group_difference_test(sample, by, item, domain=domain, design=design)
    except ValueError:  # the design refuses fewer than two groups (a district's own report)
        return _("Satisfaction by {by}: not tested ({reason})").format(by=label_, reason=_("fewer than two groups"))
    return _("Satisfaction by {by}: F = {f} on ({df1}, {df2}) df, {p}").format(
        by=label_, f=number(t.f_statistic), df1=t.df1, df2=t.df2, p=p_value(t.p_value)
    )


# --- every district against the county -----------------------------------------------------------


def districts_against_county(
    sample: pd.DataFrame,
    item: str = OVERALL,
    weight: str = "weight",
    design: SurveyDesign | None = None,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Each district's top-box share of ``item`` minus the county's, with Bonferroni intervals on the design's df.

    No district is picked after seeing the data: all k are compared with the county at once. The
    difference p_h - p is linearised (e_i = 1[i in h] (y_i - p_h) / W_h - (y_i - p) / W over the
    valid answers, W the weighted valid answers) and its variance taken on the design, so the
    county's dependence on the district is allowed for (R: svycontrast on the joint totals).
    Intervals: t(1 - alpha / 2k) on the design's degrees of freedom (R's degf of the whole design);
    p-values Holm-adjusted. Also each district's own df and the Satterthwaite df (sensitivity).
    Columns: district, respondents, n_valid, top_box, county, difference, se, df, ci_low, ci_high,
    p_value, p_holm, df_domain, ci_domain_low, ci_domain_high, df_satterthwaite, comparisons.
    """
    from scipy import stats

    y = top_box(sample, [item])[item].to_numpy(dtype=float)
    des = sample_design(sample, design, weight)
    w = des.w
    valid = ~np.isnan(y)
    yv = np.where(valid, y, 0.0)
    total = w[valid].sum()
    county = float(np.sum(w * yv) / total)
    codes, levels = pd.factorize(sample["district"])  # once: not k comparisons of every row's string
    districts = sorted(levels, key=str)
    code_of = {h: i for i, h in enumerate(levels)}
    k = len(districts)
    if k < 2:
        raise ValueError("need at least two districts to compare with the county")
    q = stats.t.ppf(1 - alpha / (2 * k), des.df) if des.df > 0 else float("nan")
    rows = []
    for h in districts:
        in_h = codes == code_of[h]
        use = valid & in_h
        total_h = w[use].sum()
        p_h = float(np.sum(w[use] * y[use]) / total_h)
        e = np.where(use, (yv - p_h) / total_h, 0.0) - np.where(valid, (yv - county) / total, 0.0)
        c: Contrast = des.contrast(p_h - county, e)
        df_h = des.degf(in_h)
        q_h = stats.t.ppf(1 - alpha / (2 * k), df_h) if df_h > 0 else float("nan")
        rows.append(
            {
                "district": h,
                "respondents": int(in_h.sum()),
                "n_valid": int(use.sum()),
                "top_box": p_h,
                "county": county,
                "difference": c.estimate,
                "se": c.se,
                "df": des.df,
                "ci_low": c.estimate - q * c.se,
                "ci_high": c.estimate + q * c.se,
                "p_value": float(2 * stats.t.sf(abs(c.estimate / c.se), des.df)) if des.df > 0 else float("nan"),
                "df_domain": df_h,
                "ci_domain_low": c.estimate - q_h * c.se,
                "ci_domain_high": c.estimate + q_h * c.se,
                "df_satterthwaite": c.df_satterthwaite,
                "comparisons": k,
            }
        )
    out = pd.DataFrame(rows)
    out["p_holm"] = holm(out["p_value"])
    return out


def districts_against_county_text(comparison: pd.DataFrame) -> str:
    """The spread of districts in one sentence, from the comparison with the county (not the largest gap)."""
    above = comparison[comparison["ci_low"] > 0].sort_values("difference", ascending=False)
    below = comparison[comparison["ci_high"] < 0].sort_values("difference")

    def points(x: float) -> str:
        return f"{100 * x:+.1f}"

    def named(rows: pd.DataFrame) -> str:
        return _(", ").join(
            _("{district} {difference} points ({low} to {high})").format(
                district=label("district", r.district),
                difference=points(r.difference),
                low=points(r.ci_low),
                high=points(r.ci_high),
            )
            for r in rows.itertuples()
        )

    first = comparison.iloc[0]
    parts = [
        _(
            "Every district against the county ({county}), {k} comparisons with Bonferroni-adjusted 95% intervals "
            "on the design's {df} degrees of freedom:"
        ).format(county=percent(first["county"]), k=int(first["comparisons"]), df=int(first["df"]))
    ]
    if len(above):
        parts.append(_("above the county: {districts};").format(districts=named(above)))
    if len(below):
        parts.append(_("below the county: {districts};").format(districts=named(below)))
    rest = len(comparison) - len(above) - len(below)
    parts.append(
        _("the other {n} are not distinguishable from the county.").format(n=rest)
        if rest
        else _("no district is indistinguishable from the county.")
    )
    return sentences(parts)


# --- Cronbach's alpha ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScaleReliability:
    """Cronbach's alpha of the ten items: complete cases with Feldt's interval, and the pairwise standardised alpha."""

    complete: agreement.CronbachAlpha
    pairwise: agreement.PairwiseAlpha
    respondents: int  #: the respondents alpha is computed among (complete.n of them answered every item 1-5)


def scale_reliability(sample: pd.DataFrame, items=ITEMS) -> ScaleReliability:
    """Alpha among ``sample``'s respondents; don't know (9) and blank are missing, as in every estimate."""
    scores = valid_scores(sample, items)
    return ScaleReliability(
        agreement.cronbach_alpha(scores), agreement.pairwise_standardised_alpha(scores), len(sample)
    )


def scale_reliability_text(rel: ScaleReliability) -> str:
    """Alpha with its n and base, how don't know is treated, and the pairwise standardised alpha beside it."""
    a, p = rel.complete, rel.pairwise
    return "\n".join(
        [
            _(
                "Cronbach's alpha, {k} items: {alpha} ({interval}; n = {n} of {base} respondents, the {share} who "
                "answered every item 1-5; don't know and blank are treated as missing)"
            ).format(
                k=a.k,
                alpha=number(a.alpha, 3),
                interval=interval(a.ci_low, a.ci_high, places=3, as_percent=False),
                n=count(a.n),
                base=count(rel.respondents),
                share=percent(a.n / rel.respondents if rel.respondents else float("nan"), 0),
            ),
            _(
                "Standardised alpha from pairwise correlations (every answered pair counts): {alpha} "
                "(mean correlation {r}; {low} to {high} respondents behind each pair of items)"
            ).format(
                alpha=number(p.alpha, 3),
                r=number(p.mean_r, 3),
                low=count(p.min_pair_n),
                high=count(p.max_pair_n),
            ),
        ]
    )


# --- the earlier design, as a sensitivity line ------------------------------------------------------


def design_sensitivity(
    sample: pd.DataFrame,
    batches: pd.DataFrame,
    responses: pd.DataFrame,
    district: str | None = None,
    design: SurveyDesign | None = None,
    alpha: float = 0.05,
) -> list[str]:
    """The conclusions that change under the earlier design (no strata, raking not credited), one line each.

    Compared at ``alpha``: the tests of satisfaction by group and of return rates by channel and
    district, and (county only) which districts differ from the county. Nothing printed means the
    earlier design leads to the same conclusions (its intervals are wider or narrower, not different).
    """
    spec = stated_design(design)
    earlier = spec.earlier()
    domain = domain_mask(sample, district)
    lines = []

    def verdict(p: float) -> str:
        return _("clearly differs") if p < alpha else _("does not clearly differ")

    for var in ("channel", "district", "age_band", "police_contact"):
        if district is not None and var == "district":
            continue
        try:
            now = group_difference_test(sample, var, domain=domain, design=spec).p_value
            before = group_difference_test(sample, var, domain=domain, design=earlier).p_value
        except ValueError:
            continue
        if (now < alpha) != (before < alpha):
            lines.append(
                _(
                    "Satisfaction by {by} {now} on the stated design ({p_now}) but {before} on the earlier one "
                    "({p_before})"
                ).format(
                    by=_variable(var),
                    now=verdict(now),
                    before=verdict(before),
                    p_now=p_value(now),
                    p_before=p_value(before),
                )
            )
    for var in ("channel", "district"):
        if district is not None and var == "district":
            continue
        try:
            now = return_rate_test(batches, responses, var, district, spec).p_value
            before = return_rate_test(batches, responses, var, district, earlier).p_value
        except ValueError:
            continue
        if (now < alpha) != (before < alpha):
            lines.append(
                _(
                    "The return rate by {by} {now} on the stated design ({p_now}) but {before} on the earlier "
                    "one ({p_before})"
                ).format(
                    by=_variable(var),
                    now=verdict(now),
                    before=verdict(before),
                    p_now=p_value(now),
                    p_before=p_value(before),
                )
            )
    if district is None:
        now = districts_against_county(sample, design=spec).set_index("district")
        before = districts_against_county(sample, design=earlier).set_index("district")
        for h in now.index:
            flag_now = now.at[h, "ci_low"] > 0 or now.at[h, "ci_high"] < 0
            flag_before = before.at[h, "ci_low"] > 0 or before.at[h, "ci_high"] < 0
            if flag_now != flag_before:
                lines.append(
                    _("{district} {now} from the county on the stated design but {before} on the earlier one").format(
                        district=label("district", h),
                        now=_("clearly differs") if flag_now else _("does not clearly differ"),
                        before=_("clearly differs") if flag_before else _("does not clearly differ"),
                    )
                )
    return lines


def design_sensitivity_text(lines: list[str]) -> str:
    """The sensitivity lines, or one line saying the earlier design changes no conclusion."""
    head = _("Earlier design (batches as clusters without strata, raking not credited):")
    if not lines:
        return sentences([head, _("no conclusion changes.")])
    return "\n".join([head, *("- " + line for line in lines)])


# --- the record of what the report printed (reports/estimates.csv) ---------------------------------

METHOD_SHARE = "weighted share answering 4-5; survey design as stated (svymean), logit interval on t(df) (svyciprop)"
METHOD_MEAN = "weighted mean score 1-5; survey design as stated (svymean), t interval on df (confint)"
METHOD_RATE = (
    "valid forms returned over forms handed out; forms clustered in batches within district strata (svymean, "
    "the batch ratio estimator), logit interval on t(df); deff as svymean(deff = 'replace')"
)


def report_estimates(
    *,
    overall: pd.Series,
    rates: dict[str, pd.DataFrame],
    items: pd.DataFrame,
    groups: dict[str, pd.DataFrame],
    reliability: ScaleReliability,
    bounds: NonresponseBounds,
    weighted: WeightedSample,
    comparison: pd.DataFrame | None = None,
):
    """The survey report's printed estimates as rows of reports/estimates.csv (see analysis.stats.estimates)."""
    from analysis.stats.estimates import EstimateRow

    rows = []

    def rate_row(id_, label_, r) -> EstimateRow:
        return EstimateRow(
            id_,
            label_,
            r["rate"],
            r["se"],
            r["ci_low"],
            r["ci_high"],
            r["df"],
            r["deff"],
            r["distributed"],
            METHOD_RATE,
        )

    rows.append(rate_row("return_rate", "Return rate", overall))
    for by, table in rates.items():
        for r in table.to_dict("records"):
            rows.append(rate_row(f"return_rate/{by}={r[by]}", f"Return rate, {by} {r[by]}", r))
    for e in items.to_dict("records"):
        q = e["item"]
        rows.append(
            EstimateRow(
                f"top_box/{q}",
                f"Satisfied: {e['question']}",
                e["top_box"],
                e["top_box_se"],
                e["top_box_low"],
                e["top_box_high"],
                e["df"],
                e["top_box_deff"],
                e["n_valid"],
                METHOD_SHARE,
            )
        )
        rows.append(
            EstimateRow(
                f"mean/{q}",
                f"Mean score: {e['question']}",
                e["mean"],
                e["mean_se"],
                e["mean_low"],
                e["mean_high"],
                e["df"],
                e["mean_deff"],
                e["n_valid"],
                METHOD_MEAN,
            )
        )
    for var, table in groups.items():
        for g in table.to_dict("records"):
            if g["n_valid"] == 0:
                continue
            key = f"{OVERALL}/{var}={g[var]}"
            rows.append(
                EstimateRow(
                    f"top_box/{key}",
                    f"Satisfied overall, {var} {g[var]}",
                    g["top_box"],
                    g["se"],
                    g["ci_low"],
                    g["ci_high"],
                    g["df"],
                    g["deff"],
                    g["n_valid"],
                    METHOD_SHARE,
                )
            )
            rows.append(
                EstimateRow(
                    f"mean/{key}",
                    f"Mean overall score, {var} {g[var]}",
                    g["mean"],
                    g["mean_se"],
                    g["mean_low"],
                    g["mean_high"],
                    g["df"],
                    float("nan"),
                    g["n_valid"],
                    METHOD_MEAN,
                )
            )
    rows.append(
        EstimateRow(
            "kish_deff",
            "Design effect of unequal weights (Kish)",
            weighted.deff,
            n=weighted.n,
            method="1 + CV^2 of the final weights (n sum w^2 / (sum w)^2); not an estimate's design effect",
        )
    )
    a, p = reliability.complete, reliability.pairwise
    rows.append(
        EstimateRow(
            "alpha/complete",
            "Cronbach's alpha, complete cases",
            a.alpha,
            ci_low=a.ci_low,
            ci_high=a.ci_high,
            n=a.n,
            method=f"unweighted; respondents answering every item 1-5 ({a.n} of {reliability.respondents}); "
            "don't know and blank missing; Feldt interval",
        )
    )
    rows.append(
        EstimateRow(
            "alpha/pairwise_standardised",
            "Standardised alpha, pairwise correlations",
            p.alpha,
            n=p.any_item_n,
            method=f"unweighted; mean pairwise correlation {p.mean_r:.6f} over {p.min_pair_n}-{p.max_pair_n} "
            "respondents per item pair; no interval",
        )
    )
    worst = "worst case: forms not returned or without a valid answer counted as"
    rows.append(
        EstimateRow(
            "nonresponse_bound/lower",
            "Satisfied among all handed a form, lower bound",
            bounds.lower,
            n=bounds.distributed,
            method=f"{worst} dissatisfied; unweighted counts of forms",
        )
    )
    rows.append(
        EstimateRow(
            "nonresponse_bound/upper",
            "Satisfied among all handed a form, upper bound",
            bounds.upper,
            n=bounds.distributed,
            method=f"{worst} satisfied; unweighted counts of forms",
        )
    )
    for c in [] if comparison is None else comparison.to_dict("records"):
        rows.append(
            EstimateRow(
                f"vs_county/district={c['district']}",
                f"Satisfied overall, {c['district']} minus the county",
                c["difference"],
                c["se"],
                c["ci_low"],
                c["ci_high"],
                c["df"],
                n=c["n_valid"],
                method=f"difference of weighted shares on the stated design (svycontrast); Bonferroni over "
                f"{int(c['comparisons'])} districts on the design's df; Holm p {c['p_holm']:.3g}",
            )
        )
    return rows


def domain_mask(sample: pd.DataFrame, district: str | None) -> np.ndarray | None:
    """Boolean domain for one district, or None for the whole county; unknown districts raise."""
    if district is None:
        return None
    if district not in set(sample["district"].dropna()):
        raise ParameterError(
            f"district {district!r} not in the data; known: {sorted(sample['district'].dropna().unique())}"
        )
    return (sample["district"] == district).to_numpy(dtype=bool)
