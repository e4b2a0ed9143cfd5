import numpy as np
import pandas as pd
import pytest

from analysis.core import language
from analysis.core.errors import ParameterError
from analysis.stats.proportions import wilson
from analysis.subjects import survey, survey_text

BATCHES = pd.DataFrame(
    {
        "batch_id": ["b1", "b2", "b3", "b4"],
        "channel": ["street", "street", "family", "enterprise"],
        "district": ["Anyi", "Fanshui", "Anyi", "Fanshui"],
        "date": pd.to_datetime(["2004-04-20"] * 4),
        "forms_distributed": pd.array([10, 20, 30, 40], dtype="Int64"),
    }
)


def responses_for(counts: dict[str, int]) -> pd.DataFrame:
    ids = [b for b, k in counts.items() for _ in range(k)]
    return pd.DataFrame({"form_id": [f"f{i}" for i in range(len(ids))], "batch_id": ids})


def test_collection_rates_overall_and_by_group():
    resp = responses_for({"b1": 5, "b2": 10, "b3": 30, "b4": 8})
    overall = survey.collection_rates(BATCHES, resp)
    assert overall.loc[0, ["distributed", "returned"]].tolist() == [100, 53]
    assert overall.loc[0, "rate"] == pytest.approx(0.53)
    assert (overall.loc[0, "ci_low"], overall.loc[0, "ci_high"]) == pytest.approx(wilson(53, 100))
    by = survey.collection_rates(BATCHES, resp, by="channel").set_index("channel")
    assert by.loc["street", ["distributed", "returned"]].tolist() == [30, 15]
    assert by.loc["family", "rate"] == 1.0
    one = survey.collection_rates(BATCHES, resp, by="channel", district="Anyi").set_index("channel")
    assert set(one.index) == {"street", "family"} and one.loc["street", "returned"] == 5


def test_wilson_matches_newcombe_1998_worked_examples():
    # Newcombe RG (1998) Stat Med 17:857-872, Table I, method 3 (score, no continuity correction)
    assert wilson(81, 263) == pytest.approx((0.2553, 0.3662), abs=5e-5)
    assert wilson(15, 148) == pytest.approx((0.0624, 0.1605), abs=5e-5)
    assert wilson(0, 20) == pytest.approx((0.0, 0.1611), abs=5e-5)
    assert wilson(1, 29) == pytest.approx((0.0061, 0.1718), abs=5e-5)


def test_collection_rates_failures():
    with pytest.raises(ValueError, match="missing from the distribution log"):
        survey.collection_rates(BATCHES, responses_for({"b9": 1}))
    with pytest.raises(ValueError, match="more forms returned"):
        survey.collection_rates(BATCHES, responses_for({"b1": 11}))
    with pytest.raises(ParameterError, match="not in the distribution log"):
        survey.collection_rates(BATCHES, responses_for({"b1": 1}), district="Atlantis")


def test_chi_square_by_hand():
    rates = pd.DataFrame({"returned": [30, 10], "distributed": [50, 50]})
    # table [[30, 20], [10, 40]]: expected 20/30 in each row; chi2 = 2*(100/20 + 100/30) = 16.667
    res = survey.collection_chi2(rates)
    assert res.chi2 == pytest.approx(2 * (100 / 20 + 100 / 30))
    assert res.df == 1 and res.p_value < 1e-4 and res.min_expected == pytest.approx(20)
    line = survey_text.collection_test_line("channel", rates)
    assert line == "Return rate by channel: chi-square = 16.7 on 1 df, p < 0.001"
    with pytest.raises(ValueError):
        survey.collection_chi2(rates.iloc[:1])


def test_nonresponse_bounds_of_the_report():
    low, high = survey.nonresponse_bounds(0.9, 6464, 10000)
    assert low == pytest.approx(0.6464 * 0.9) and high == pytest.approx(0.6464 * 0.9 + 0.3536)
    with pytest.raises(ValueError):
        survey.nonresponse_bounds(0.5, 11, 10)
    with pytest.raises(ValueError):
        survey.nonresponse_bounds(1.5, 5, 10)


def likert_frame():
    return pd.DataFrame(
        {
            "batch_id": ["b1", "b1", "b2", "b2", "b3"],
            "q10_overall": pd.array([5, 9, 2, None, 4], dtype="Int64"),
            "q01_safety": pd.array([3, 4, 4, 5, 1], dtype="Int64"),
            "channel": ["street", "street", "family", "family", "family"],
            "district": ["Anyi", "Anyi", "Fanshui", "Fanshui", "Anyi"],
            "weight": [1.0, 2.0, 1.0, 1.0, 3.0],
        }
    )


def test_recoding_dont_know_and_blank_are_excluded():
    f = likert_frame()
    s = survey.valid_scores(f, ["q10_overall"])["q10_overall"]
    assert s.isna().tolist() == [False, True, False, True, False]
    tb = survey.top_box(f, ["q10_overall", "q01_safety"])
    assert tb["q10_overall"].tolist()[0] == 1.0 and tb["q10_overall"].tolist()[2] == 0.0
    assert tb["q01_safety"].tolist() == [0.0, 1.0, 1.0, 1.0, 0.0]
    bad = f.assign(q10_overall=pd.array([5, 7, 2, None, 4], dtype="Int64"))
    with pytest.raises(ValueError, match="outside 1-5 and 9"):
        survey.valid_scores(bad, ["q10_overall"])


def test_answer_counts_weighted():
    c = survey.answer_counts(likert_frame(), ["q10_overall"]).iloc[0]
    assert c[5] == 1.0 and c[4] == 3.0 and c[2] == 1.0 and c[1] == 0.0
    assert (c["dont_know"], c["blank"], c["n_valid"]) == (1, 1, 3)


def test_item_estimates_and_satisfaction_by_group():
    f = likert_frame()
    est = survey.item_estimates(f, ["q10_overall"]).iloc[0]
    # valid: weights 1 (5), 1 (2), 3 (4) -> top box 4/5, mean (5 + 2 + 12)/5
    assert est["top_box"] == pytest.approx(0.8)
    assert est["mean"] == pytest.approx(19 / 5)
    by = survey.satisfaction_by(f, "channel").set_index("channel")
    assert by.loc["street", "top_box"] == 1.0 and by.loc["street", "n_valid"] == 1
    assert by.loc["family", "top_box"] == pytest.approx(3 / 4)


def test_domain_mask():
    f = likert_frame()
    assert survey.domain_mask(f, None) is None
    assert survey.domain_mask(f, "Anyi").tolist() == [True, True, False, False, True]
    with pytest.raises(ParameterError, match="not in the data"):
        survey.domain_mask(f, "Atlantis")


def test_weighting_respondents_and_profile():
    pop = pd.DataFrame(
        [
            (d, a, s, p)
            for d, a, s, p in [
                ("Anyi", "18-29", "M", 100),
                ("Anyi", "18-29", "F", 100),
                ("Anyi", "60+", "M", 50),
                ("Anyi", "60+", "F", 50),
                ("Fanshui", "18-29", "M", 20),
                ("Fanshui", "18-29", "F", 30),
                ("Fanshui", "60+", "M", 40),
                ("Fanshui", "60+", "F", 10),
            ]
        ],
        columns=["district", "age_band", "sex", "population"],
    )
    rng = np.random.default_rng(2)
    cells = pop[["district", "age_band", "sex"]].sample(80, replace=True, random_state=2).reset_index(drop=True)
    resp = cells.assign(batch_id=rng.choice(["b1", "b2", "b3"], 80))
    resp.loc[0, "sex"] = None
    ws = survey.weight_respondents(resp, pop, margins=(("district",), ("age_band",), ("sex",)))
    assert ws.dropped == 1 and ws.n == 79
    assert ws.frame["weight"].sum() == pytest.approx(400)
    assert ws.deff >= 1
    prof = survey.respondent_profile(ws.frame, pop, ws.frame["weight"]).set_index(["variable", "level"])
    assert prof.loc[("district", "Anyi"), "population_share"] == pytest.approx(0.75)
    assert prof.loc[("district", "Anyi"), "weighted_share"] == pytest.approx(0.75)
    assert prof.loc[("sex", "M"), "respondents"] == (ws.frame["sex"] == "M").sum()
    assert prof.groupby(level=0)["sample_share"].sum().tolist() == pytest.approx([1, 1, 1])


# --- agreement with R's survey package ------------------------------------------------------------
# Reference values: tests/reference/survey_reference.R (svydesign(ids = ~batch_id, weights = ~weight),
# svymean, svyciprop(method = "logit"), confint(df = degf), rake; psych::alpha and alpha.ci),
# run by tests/reference/survey_reference_inputs.py on the seeded "mini" design and on the demo data.
import importlib.util  # noqa: E402
from pathlib import Path  # noqa: E402

from analysis.core import paths  # noqa: E402
from analysis.stats import agreement, design, weighting  # noqa: E402

REF = Path(__file__).parents[1] / "reference"
_spec = importlib.util.spec_from_file_location("survey_reference_inputs", REF / "survey_reference_inputs.py")
ref_inputs = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(ref_inputs)

ESTIMATE_FIELDS = (
    "top_box",
    "top_box_se",
    "top_box_low",
    "top_box_high",
    "df",
    "mean",
    "mean_se",
    "mean_low",
    "mean_high",
)


def r_values(name):
    path = REF / f"survey_reference_{name}.csv"
    if not path.exists():
        pytest.skip(f"{path.name} not generated yet")
    return pd.read_csv(path).set_index("key")["value"].astype(float).to_dict()


def frames(name):
    if name == "mini":
        return ref_inputs.mini_frames()
    if not (paths.PROCESSED / "survey_responses.parquet").exists():
        pytest.skip("data/processed not built (python -m analysis clean)")
    return ref_inputs.demo_frames()


def python_values(ws, pop):
    out = {}
    f = ws.frame
    for prefix, dom in [("county", None)] + [
        (f"district/{d}", (f["district"] == d).to_numpy(bool)) for d in sorted(f["district"].unique())
    ]:
        for _, row in survey.item_estimates(f, domain=dom).iterrows():
            for k in ESTIMATE_FIELDS:
                out[f"{prefix}/{row['item']}/{k}"] = row[k]
    for var in ("district", "channel", "age_band", "police_contact"):
        by = survey.satisfaction_by(f, var)
        for _, row in by.iterrows():
            key = f"by/{var}/{row[var]}/q10_overall"
            out[f"{key}/top_box"], out[f"{key}/top_box_se"] = row["top_box"], row["se"]
            out[f"{key}/top_box_low"], out[f"{key}/top_box_high"] = row["ci_low"], row["ci_high"]
            out[f"{key}/df"] = row["df"]
            for k in ("mean", "mean_se", "mean_low", "mean_high"):
                out[f"{key}/{k}"] = row[k]
    for var in ("channel", "district", "age_band", "police_contact"):
        t = survey.group_difference_test(f, var)
        out.update(
            {
                f"wald/{var}/F": t.f_statistic,
                f"wald/{var}/df1": t.df1,
                f"wald/{var}/df2": t.df2,
                f"wald/{var}/p": t.p_value,
            }
        )
    plain = weighting.rake(f, weighting.population_margins(pop)).weights
    cells = plain.groupby([f["district"], f["age_band"], f["sex"]]).mean()
    for (d, a, s), w in cells.items():
        out[f"rake_weight/{d}/{a}/{s}"] = w
    a = agreement.cronbach_alpha(survey.valid_scores(f))
    out.update({"alpha/alpha": a.alpha, "alpha/ci_low": a.ci_low, "alpha/ci_high": a.ci_high, "alpha/n": a.n})
    return out


@pytest.mark.parametrize("name", ["mini", "demo"])
def test_estimates_agree_with_r_survey_to_1e6(name):
    expected = r_values(name)
    resp, pop = frames(name)
    got = python_values(ref_inputs.weighted_sample(resp, pop), pop)
    assert set(expected) == set(got), set(expected) ^ set(got)
    for key, value in expected.items():
        tol = 1e-6 * max(1.0, abs(value)) if key.startswith("rake_weight") else 1e-6
        assert got[key] == pytest.approx(value, abs=tol), key


@pytest.mark.parametrize("name", ["mini", "demo"])
def test_design_effects_show_clustering(name):
    # not an R check: both data sets have batch effects (answers alike within a batch), so the
    # clustered, weighted variance must exceed simple random sampling's for every item
    resp, pop = frames(name)
    est = survey.item_estimates(ref_inputs.weighted_sample(resp, pop).frame)
    assert (est["top_box_deff"] > 1.5).all()
    # and ignoring the clusters (every form its own cluster) must shrink the standard error
    ws = ref_inputs.weighted_sample(resp, pop)
    tb = survey.top_box(ws.frame, [survey.OVERALL])[survey.OVERALL]
    clustered = design.design_mean(tb, ws.frame["weight"], ws.frame["batch_id"]).se
    unclustered = design.design_mean(tb, ws.frame["weight"], ws.frame["form_id"]).se
    assert clustered > 1.2 * unclustered


# --- the notebook --------------------------------------------------------------------------------
import nbformat  # noqa: E402

NB_SURVEY = paths.NOTEBOOKS / "10_survey_satisfaction.ipynb"
SURVEY_FIGURES = ("survey_collection", "survey_profile", "survey_likert", "survey_top_box", "survey_groups")


def assert_committed_notebook_is_clean(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    assert all(c.get("id") for c in nb.cells)
    params = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(params) == 1
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        if "# NBVAL_CHECK_OUTPUT" in cell.source:
            assert cell.outputs, "checked cells carry their committed text output"
            assert all(o["output_type"] == "stream" for o in cell.outputs)
            assert sum(len(o["text"]) for o in cell.outputs) < 2000
        else:
            assert not cell.outputs, f"uncommitted output in: {cell.source[:60]}"
    return params[0].source


def test_survey_notebook_committed_without_bulky_outputs():
    source = assert_committed_notebook_is_clean(NB_SURVEY)
    for line in ("processed_dir = str(paths.PROCESSED)", "figures_dir = str(paths.FIGURES)", "district = None"):
        assert line in source


def executed_text(path) -> str:
    return "".join(o.get("text", "") for c in nbformat.read(path, as_version=4).cells for o in c.get("outputs", []))


@pytest.mark.slow
@pytest.mark.parametrize("district", [None, "Sheyanghu"])
def test_survey_notebook_runs(tmp_path, district):
    import papermill as pm

    if not (paths.PROCESSED / "survey_responses.parquet").exists():
        pytest.skip("data/processed not built (python -m analysis clean)")
    out, figs = tmp_path / "10.ipynb", tmp_path / "figures"
    params = {"figures_dir": str(figs)} | ({"district": district} if district else {})
    pm.execute_notebook(
        str(NB_SURVEY), str(out), parameters=params, kernel_name="python3", progress_bar=False, cwd=str(tmp_path)
    )
    text = executed_text(out)
    where = district or "the county"
    assert f"Forms returned in {where}:" in text and f"Overall satisfaction in {where}:" in text
    assert "Satisfied among all" in text and "Cronbach's alpha" in text
    suffix = "" if district is None else "_sheyanghu"
    for stem in SURVEY_FIGURES:
        for ext in ("png", "svg"):
            assert (figs / f"{stem}{suffix}.{ext}").stat().st_size > 1000, f"{stem}{suffix}.{ext}"


@pytest.mark.slow
def test_survey_notebook_rejects_unknown_district(tmp_path):
    import papermill as pm

    if not (paths.PROCESSED / "survey_responses.parquet").exists():
        pytest.skip("data/processed not built (python -m analysis clean)")
    with pytest.raises(pm.PapermillExecutionError, match="not in the data"):
        pm.execute_notebook(
            str(NB_SURVEY),
            str(tmp_path / "x.ipynb"),
            kernel_name="python3",
            progress_bar=False,
            parameters={"figures_dir": str(tmp_path), "district": "Atlantis"},
            cwd=str(tmp_path),
        )


# --- figures ------------------------------------------------------------------------------------
import matplotlib  # noqa: E402

matplotlib.use("Agg")
from analysis.plotting import likert as likert_plot  # noqa: E402
from analysis.plotting.context import FigureContext  # noqa: E402
from analysis.plotting.intervals import dot_interval  # noqa: E402
from analysis.subjects import survey_figures  # noqa: E402


def test_likert_bars_centre_the_neutral_answer():
    counts = pd.DataFrame(
        {
            "question": ["a", "b"],
            1: [1000.0, 0],
            2: [2000.0, 1000],
            3: [4000.0, 2000],
            4: [3000.0, 3000],
            5: [0.0, 4000],
        }
    )
    fig = likert_plot.likert_bars(counts)
    ax = fig.axes[0]
    bars = [p for p in ax.patches]
    # five segments per item; neutral (third series) spans -half .. +half of its count
    neutral = [p for p in bars if p.get_facecolor()[:3] == matplotlib.colors.to_rgb(likert_plot.LIKERT_COLOURS[2])]
    assert [(round(p.get_x(), 6), round(p.get_width(), 6)) for p in neutral] == [(-2.0, 4.0), (-1.0, 2.0)]
    assert "thousand adults" in ax.get_xlabel()
    with pytest.raises(KeyError):
        likert_plot.likert_bars(counts.drop(columns=[5]))
    with pytest.raises(ValueError):
        likert_plot.likert_bars(counts.replace({1000.0: -1.0}))
    matplotlib.pyplot.close("all")


def test_dot_interval_and_context_names(tmp_path):
    f = pd.DataFrame({"g": ["x", "y"], "p": [0.5, 0.6], "lo": [0.4, 0.5], "hi": [0.6, 0.7]})
    fig = dot_interval(f, label="g", estimate="p", low="lo", high="hi", xlabel="Share (%)", reference=0.55)
    assert fig.axes[0].get_xlabel() == "Share (%)"
    with pytest.raises(KeyError):
        dot_interval(f, label="zz", estimate="p", low="lo", high="hi", xlabel="")
    ctx = FigureContext(tmp_path, True, "Xi'anfeng")
    assert ctx.name("survey_likert") == "survey_likert_xianfeng" and ctx.where == "Xi'anfeng"
    assert FigureContext(tmp_path, False).name("survey_likert") == "survey_likert"
    assert FigureContext(tmp_path, False, whole="the whole bureau").where == "the whole bureau"
    matplotlib.pyplot.close("all")


def test_survey_figures_written_with_data_driven_titles(tmp_path):
    ctx = FigureContext(tmp_path, True)
    rates = survey.collection_rates(BATCHES, responses_for({"b1": 5, "b2": 10, "b3": 30, "b4": 8}), by="channel")
    overall = survey.collection_rates(BATCHES, responses_for({"b1": 5, "b2": 10, "b3": 30, "b4": 8})).iloc[0]
    by_d = survey.collection_rates(BATCHES, responses_for({"b1": 5, "b2": 10, "b3": 30, "b4": 8}), by="district")
    saved = survey_figures.collection_figure(ctx, rates, by_d, overall)
    assert saved["png"].exists() and saved["svg"].exists()
    svg = saved["svg"].read_text()
    assert "53.0% of forms came back in the county" in svg and "SYNTHETIC DEMO DATA" in svg
    # enterprise returned 8 forms: suppressed in the table, so not drawn (nor street, to protect it)
    assert "Households" in svg and "Enterprises" not in svg and "On the street" not in svg
    with language.using("zh"):
        svg = survey_figures.collection_figure(ctx, rates, by_d, overall)["svg"].read_text()
    assert "全县问卷回收率53.0%" in svg
    f = likert_frame()
    est = survey.item_estimates(f, ["q10_overall", "q01_safety"])
    saved = survey_figures.likert_figure(ctx, survey.answer_counts(f, ["q10_overall", "q01_safety"]), est)
    svg = saved["svg"].read_text()
    assert "highest for Overall satisfaction" in svg and "(80% satisfied)" in svg  # the title may wrap between them
    saved = survey_figures.top_box_figure(ctx, est)
    assert saved["png"].stat().st_size > 1000


def test_group_difference_test_failures_and_invariance():
    f = likert_frame()
    with pytest.raises(ValueError, match="two groups"):
        survey.group_difference_test(f, "channel", domain=(f["channel"] == "street").to_numpy())
    with pytest.raises(ValueError, match="0 or 1"):
        survey.group_difference_test(f, "channel")  # street's only valid answer is a 5: share 1
    # relabelling the groups (another reference level) leaves the test unchanged
    resp, pop = ref_inputs.mini_frames()
    ws = ref_inputs.weighted_sample(resp, pop).frame
    a = survey.group_difference_test(ws, "channel")
    b = survey.group_difference_test(
        ws.assign(channel=ws["channel"].map(lambda c: f"z_{c}" if c == "enterprise" else c)), "channel"
    )
    assert a.f_statistic == pytest.approx(b.f_statistic, rel=1e-9) and (a.df1, a.df2) == (3, b.df2)


def test_group_difference_text():
    f = likert_frame()
    assert survey_text.group_test_line(f, "channel").startswith("Satisfaction by channel: not tested (")
    resp, pop = ref_inputs.mini_frames()
    ws = ref_inputs.weighted_sample(resp, pop).frame
    assert survey_text.group_test_line(ws, "age_band").startswith("Satisfaction by age band: F = ")
