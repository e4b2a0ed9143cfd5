import numpy as np
import pandas as pd
import pytest

from analysis.core.errors import ParameterError
from analysis.stats.proportions import goodman, wilson
from analysis.subjects import opinions, opinions_text


def test_goodman_matches_sison_glaz_1995_example():
    # Sison CP, Glaz J (1995) JASA 90:366-369, example 1: counts 56, 72, 73, 59, 62, 87, 58;
    # Goodman's 95% simultaneous intervals as published (3 decimals).
    ci = goodman([56, 72, 73, 59, 62, 87, 58])
    published = [
        [0.085, 0.166],
        [0.115, 0.204],
        [0.116, 0.207],
        [0.091, 0.173],
        [0.096, 0.181],
        [0.143, 0.239],
        [0.089, 0.171],
    ]
    np.testing.assert_allclose(ci, published, atol=5e-4)
    with pytest.raises(ValueError):
        goodman([5])
    with pytest.raises(ValueError):
        goodman([0, 0])


def register():
    return pd.DataFrame(
        {
            "suggestion_id": [f"s{i}" for i in range(8)],
            "opinion_id": ["o1", "o1", "o2", "o3", "o3", "o3", "o4", "o5"],
            "received": pd.to_datetime(["2004-04-25"] * 8),
            "source": ["questionnaire"] * 8,
            "district": ["Anyi", "Fanshui", "Anyi", None, "Fanshui", "Fanshui", "Anyi", "Fanshui"],
            "category": [
                "law_enforcement",
                "law_enforcement",
                "team_building",
                "service_economy",
                "security_management",
                "service_economy",
                "law_enforcement",
                "team_building",
            ],
            "subcategory": ["x"] * 8,
            "text": ["<b>rude</b> & slow", "rude", "more patrols", "fees", "fees", "fees", "queue", "hours"],
            "second_coder_category": [
                "law_enforcement",
                None,
                "team_building",
                "security_management",
                None,
                None,
                "law_enforcement",
                None,
            ],
        }
    )


def ledger():
    return pd.DataFrame(
        {
            "opinion_id": ["o1", "o2", "o3", "o4", "o5"],
            "owner_unit": [
                "Anyi Police Station",
                "Political Department",
                "Traffic Brigade",
                "Anyi Police Station",
                "Command Centre",
            ],
            "plan_date": pd.to_datetime(["2004-05-01", "2004-05-01", "2004-05-10", "2004-06-01", "2004-12-25"]),
            "deadline": pd.to_datetime(["2004-06-30", "2004-07-31", "2004-12-01", "2005-03-01", "2005-01-31"]),
            "status": ["rectified", "rectified", "in_progress", "rectified", "in_progress"],
            "closed_date": pd.to_datetime(["2004-06-20", "2004-08-20", None, "2005-01-05", None]),
        }
    )


def test_opinion_table_mode_category_conflicts_and_district():
    t = opinions.opinion_table(register()).set_index("opinion_id")
    assert t.loc["o3", "category"] == "service_economy" and bool(t.loc["o3", "conflicting"])
    assert t.loc["o1", "suggestions"] == 2 and not t.loc["o1", "conflicting"]
    assert t.loc["o1", "text"] == "<b>rude</b> & slow"
    d = opinions.opinion_table(register(), district="Anyi")
    assert sorted(d["opinion_id"]) == ["o1", "o2", "o4"]
    with pytest.raises(ParameterError, match="not in the opinions register"):
        opinions.opinion_table(register(), district="Atlantis")
    with pytest.raises(ValueError, match="empty"):
        opinions.opinion_table(register().iloc[:0])


def test_category_shares_pareto_order_and_goodman():
    s = opinions.category_shares(opinions.opinion_table(register()))
    assert s["opinions"].tolist() == [2, 2, 1, 0]
    assert s["category"].iloc[0] == "law_enforcement"  # stable order among ties: contract order
    assert s["cumulative_share"].iloc[-1] == pytest.approx(1.0)
    np.testing.assert_allclose(s[["ci_low", "ci_high"]].to_numpy(), goodman([2, 2, 1, 0]))


def test_status_at_cutoff():
    st = opinions.rectification_status(ledger(), "2004-12-20").set_index("opinion_id")
    assert "o5" not in st.index  # planned after the cut-off
    assert st["rectified"].tolist() == [True, True, False, False]  # o4 closed after the cut-off: open
    assert (
        st.loc["o1", "days_from_plan"] == 50
        and st.loc["o3", "days_from_plan"] == (pd.Timestamp("2004-12-20") - pd.Timestamp("2004-05-10")).days
    )
    assert "days_from_receipt" not in st.columns  # the receipt clock needs the register
    assert st.loc["o1", "on_time"] and not st.loc["o2", "on_time"]
    assert st.loc["o3", "overdue_days"] == 19 and st.loc["o4", "overdue_days"] == 0
    later = opinions.rectification_status(ledger(), "2005-01-10").set_index("opinion_id")
    assert later.loc["o4", "rectified"]


def test_status_receipt_clock():
    ops = opinions.opinion_table(register())
    st = opinions.rectification_status(ledger(), "2004-12-20", ops).set_index("opinion_id")
    # every suggestion received 2004-04-25: o1 closed 2004-06-20 (56 days), o3 open at the cut-off (239)
    assert st.loc["o1", "days_from_receipt"] == 56 and st.loc["o3", "days_from_receipt"] == 239
    assert (st["days_from_receipt"] - st["days_from_plan"]).tolist() == [6, 6, 15, 37]
    late = register()
    late.loc[late["opinion_id"] == "o1", "received"] = pd.Timestamp("2004-07-01")
    with pytest.raises(ValueError, match=r"before the opinion was received for \['o1'\]"):
        opinions.rectification_status(ledger(), "2004-12-20", opinions.opinion_table(late))
    with pytest.raises(ValueError, match="missing from the register"):
        opinions.rectification_status(ledger(), "2004-12-20", ops[ops["opinion_id"] != "o2"])
    with pytest.raises(ValueError, match="no days_from_receipt"):
        opinions.time_to_rectification(opinions.rectification_status(ledger(), "2004-12-20"))
    with pytest.raises(ValueError, match="unknown clock"):
        opinions.time_to_rectification(st.reset_index(), clock="deadline")


def test_rectified_share_and_on_time_rates():
    st = opinions.rectification_status(ledger(), "2004-12-20")
    r = opinions.rectified_share(st)
    assert (r.numerator, r.denominator, r.rate) == (2, 4, 0.5)
    assert (r.ci_low, r.ci_high) == pytest.approx(wilson(2, 4))
    ot = opinions.on_time_rates(st).set_index("denominator_rows")
    # due by the cut-off: o1 (on time), o2 (late), o3 (open, overdue) -> 1 of 3
    assert (ot.loc["due by cut-off", "on_time"], ot.loc["due by cut-off", "n"]) == (1, 3)
    assert (ot.loc["rectified", "on_time"], ot.loc["rectified", "n"]) == (1, 2)


def test_status_failures():
    bad = ledger()
    bad.loc[0, "closed_date"] = pd.Timestamp("2004-04-01")
    with pytest.raises(ValueError, match="before plan date"):
        opinions.rectification_status(bad, "2004-12-20")
    bad = ledger()
    bad.loc[0, "closed_date"] = pd.NaT
    with pytest.raises(ValueError, match="without a closing date"):
        opinions.rectification_status(bad, "2004-12-20")
    with pytest.raises(ParameterError, match="not a date"):
        opinions.rectification_status(ledger(), "the end of the year")


def test_time_to_rectification_with_categories():
    ops = opinions.opinion_table(register())
    st = opinions.rectification_status(ledger(), "2004-12-20")
    res = opinions.time_to_rectification(st, ops, opinions.PLAN)
    assert res.n == 4 and res.events == 2
    assert set(res.by_category) == {"law_enforcement", "team_building", "service_economy"}
    assert res.logrank.df == 2
    alone = opinions.time_to_rectification(st, clock=opinions.PLAN)
    assert alone.by_category == {} and alone.logrank is None and alone.median.median == res.median.median
    with pytest.raises(ValueError, match="missing from the register"):
        opinions.time_to_rectification(st, ops[ops["opinion_id"] != "o1"], opinions.PLAN)


def test_coder_agreement():
    r = opinions.coder_agreement(register())
    assert r.kappa.n == 4 and r.table.shape == (4, 4)  # suggestions s0, s2, s3, s6
    assert r.kappa.observed_agreement == pytest.approx(3 / 4)  # s3: service vs security
    text = opinions_text.kappa_line(r)
    assert text.startswith(f"Cohen's kappa: {r.kappa.kappa:.3f} (95% CI ")
    assert text.endswith("; 4 double-coded suggestions, raw agreement 75.0%)")


def test_time_to_rectification_text_and_category_medians():
    ops = opinions.opinion_table(register())
    st = opinions.rectification_status(ledger(), "2004-12-20")
    ttr = opinions.time_to_rectification(st, ops, opinions.PLAN)
    lines = opinions.time_to_rectification_text(ttr, "2004-12-20").splitlines()
    # In the ledger at the cut-off: o1 closed after 50 days, o2 after 111, o3 and o4 open (censored at 224 and
    # 202 days). S = 3/4 after 50, exactly 1/2 from 111 on: R's median is the midpoint (111 + 224) / 2 = 167.5.
    assert lines[0].startswith("Median time to rectification, days from the rectification plan: 167.5 days (")
    assert lines[0].endswith("; 2 of 4 rectified, the rest censored at 2004-12-20)")
    assert lines[1].startswith("Log-rank test across areas (days from the rectification plan): chi-square = ")
    assert " on 2 df, p = 0." in lines[1]
    # from receipt (all received 2004-04-25): o1 56, o2 117, o3 and o4 open at 239 -> midpoint (117 + 239) / 2
    status = opinions.rectification_status(ledger(), "2004-12-20", ops)
    receipt = opinions.time_to_rectification(status, ops)
    both = opinions.time_to_rectification_text(receipt, "2004-12-20", second=ttr).splitlines()
    assert both[0].startswith("Median time to rectification, days from receipt of the opinion: 178 days (")
    assert both[1] == lines[0] and both[2].startswith("Log-rank test across areas (days from receipt")
    medians = opinions.category_medians(ttr)
    assert list(medians.columns) == ["category", "area", "opinions", "median_days", "ci_low", "ci_high"]
    assert medians["opinions"].sum() == 4 and "Law enforcement" in set(medians["area"])


def test_open_items_escaped():
    reg = register()
    reg.loc[3, "text"] = "<script>alert('x')</script> & more"
    ops = opinions.opinion_table(reg)
    st = opinions.rectification_status(ledger(), "2004-12-20")
    t = opinions.open_items(st, ops)
    assert t["opinion_id"].tolist() == ["o3", "o4"]
    assert t.loc[0, "opinion"] == "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; more"
    assert "<" not in "".join(t["opinion"])
    assert t.loc[0, "owner_unit"] == "Traffic Brigade" and t.loc[0, "deadline"] == "2004-12-01"


# --- agreement with R (tests/reference/survey_opinions_reference.R: survival::survfit quantile,
# survdiff, prop.test, Goodman's formula, psych::cohen.kappa) on a seeded design and the demo data.
import importlib.util  # noqa: E402
from pathlib import Path  # noqa: E402

from analysis.core import paths  # noqa: E402

REF = Path(__file__).parents[1] / "reference"
_spec = importlib.util.spec_from_file_location("survey_opinions_inputs", REF / "survey_opinions_inputs.py")
ref_inputs = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(ref_inputs)


@pytest.mark.parametrize("name", ["mini", "demo"])
def test_opinion_statistics_agree_with_r(name):
    path = REF / f"survey_opinions_reference_{name}.csv"
    if not path.exists():
        pytest.skip(f"{path.name} not generated yet")
    if name == "demo" and not (paths.PROCESSED / "opinions_register.parquet").exists():
        pytest.skip("data/processed not built")
    expected = pd.read_csv(path).set_index("key")["value"].astype(float).to_dict()
    register, ledger = ref_inputs.mini_frames() if name == "mini" else ref_inputs.demo_frames()
    ops = opinions.opinion_table(register)
    st = opinions.rectification_status(ledger, ref_inputs.CUTOFF)
    ttr = opinions.time_to_rectification(st, ops, opinions.PLAN)
    got = {
        "km/all/median": ttr.median.median,
        "km/all/ci_low": ttr.median.ci_low,
        "km/all/ci_high": ttr.median.ci_high,
        "logrank/chisq": ttr.logrank.chisq,
    }
    for cat, r in ttr.by_category.items():
        for k in ("median", "ci_low", "ci_high"):
            got[f"km/{cat}/{k}"] = getattr(r.median, k)
    share = opinions.rectified_share(st)
    got["rectified/ci_low"], got["rectified/ci_high"] = share.ci_low, share.ci_high
    # Goodman on the opinions in the ledger at the cut-off (as R counts them)
    counted = st.merge(ops, on="opinion_id")
    for _, row in opinions.category_shares(counted).iterrows():
        got[f"goodman/{row['category']}/ci_low"], got[f"goodman/{row['category']}/ci_high"] = (
            row["ci_low"],
            row["ci_high"],
        )
    k = opinions.coder_agreement(register).kappa
    got.update({"kappa/kappa": k.kappa, "kappa/ci_low": k.ci_low, "kappa/ci_high": k.ci_high})
    assert set(got) == set(expected), set(got) ^ set(expected)
    for key, value in expected.items():
        if np.isnan(value):
            assert np.isnan(got[key]), key
        else:
            assert got[key] == pytest.approx(value, abs=1e-6), key


def test_ledger_for_filters_and_fails_when_nothing_matches():
    ops = opinions.opinion_table(register(), district="Anyi")
    assert sorted(opinions.ledger_for(ledger(), ops)["opinion_id"]) == ["o1", "o2", "o4"]
    with pytest.raises(ValueError, match="no"):
        opinions.ledger_for(ledger().iloc[:0], ops)


# --- the notebook --------------------------------------------------------------------------------
import nbformat  # noqa: E402

NB_OPINIONS = paths.NOTEBOOKS / "20_opinions.ipynb"


def test_opinions_notebook_committed_without_bulky_outputs():
    nb = nbformat.read(NB_OPINIONS, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata["kernelspec"]["name"] == "python3" and all(c.get("id") for c in nb.cells)
    params = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(params) == 1
    for line in (
        "processed_dir = str(paths.PROCESSED)",
        "figures_dir = str(paths.FIGURES)",
        "district = None",
        "cutoff_date = None",
    ):
        assert line in params[0].source
    for cell in nb.cells:
        if cell.cell_type == "code":
            checked = "# NBVAL_CHECK_OUTPUT" in cell.source
            assert bool(cell.outputs) == checked
            assert all(o["output_type"] == "stream" for o in cell.outputs)


@pytest.mark.slow
@pytest.mark.parametrize("params", [{}, {"district": "Anyi"}, {"cutoff_date": "2004-09-30"}])
def test_opinions_notebook_runs(request, tmp_path, params):
    """Defaults and a district as the demo batch executed them (its sweep); the cut-off date (no report sets) here."""
    import forked_kernels

    if "cutoff_date" in params:
        if not (paths.PROCESSED / "opinions_register.parquet").exists():
            pytest.skip("data/processed not built (python -m analysis clean)")
        out, figs = tmp_path / "20.ipynb", tmp_path / "figures"
        forked_kernels.execute(NB_OPINIONS, out, {"figures_dir": str(figs), "lang": "en", **params}, cwd=tmp_path)
        nb = nbformat.read(out, as_version=4)
    else:
        demo_batch = request.getfixturevalue("demo_batch")
        name = "opinions--anyi.en" if "district" in params else "opinions.en"
        nb, figs = demo_batch.executed(name), demo_batch.figures(name)
    text = "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []))
    html_out = "".join(str(o.get("data", {}).get("text/html", "")) for c in nb.cells for o in c.get("outputs", []))
    cutoff = params.get("cutoff_date", "2004-12-20")
    assert f"Rectified by {cutoff} in {params.get('district', 'the county')}" in text
    assert "Median time to rectification" in text and "Cohen's kappa" in text
    assert "<script" not in html_out
    suffix = "_anyi" if "district" in params else ""
    for stem in ("opinions_pareto", "opinions_km"):
        for ext in ("png", "svg"):
            assert (figs / f"{stem}{suffix}.{ext}").stat().st_size > 1000


# --- figures ------------------------------------------------------------------------------------
import matplotlib  # noqa: E402

matplotlib.use("Agg")
from analysis.plotting.context import FigureContext  # noqa: E402
from analysis.plotting.km import km_plot  # noqa: E402
from analysis.plotting.pareto import pareto  # noqa: E402
from analysis.stats import survival  # noqa: E402
from analysis.subjects import opinions_figures  # noqa: E402


def test_pareto_bars_and_cumulative_line():
    shares = opinions.category_shares(opinions.opinion_table(register()))
    fig = pareto(shares)
    bars = fig.axes[0].patches
    assert [b.get_height() for b in bars] == [2, 2, 1, 0]
    line = fig.axes[1].lines[0]
    assert list(line.get_ydata()) == pytest.approx([40, 80, 100, 100])
    matplotlib.pyplot.close("all")


def test_km_plot_at_risk_table_and_failure():
    km = survival.kaplan_meier([1, 2, 3, 4], [1, 1, 0, 1])
    fig = km_plot({"all": km}, [0, 2, 4], durations={"all": np.array([1, 2, 3, 4])}, xlabel="Days", ylabel="Open (%)")
    table_texts = [t.get_text() for t in fig.axes[1].texts]
    assert table_texts == ["4", "3", "1"]
    with pytest.raises(ValueError):
        km_plot({}, [0], durations={}, xlabel="", ylabel="")
    matplotlib.pyplot.close("all")


def test_opinions_figures_written(tmp_path):
    ctx = FigureContext(tmp_path, False, "Anyi")
    ops = opinions.opinion_table(register(), "Anyi")
    saved = opinions_figures.pareto_figure(ctx, opinions.category_shares(ops))
    assert saved["svg"].name == "opinions_pareto_anyi.svg"
    assert "SYNTHETIC" not in saved["svg"].read_text()
    st = opinions.rectification_status(opinions.ledger_for(ledger(), ops), "2004-12-20")
    ttr = opinions.time_to_rectification(st, ops, opinions.PLAN)
    cats = st.merge(ops, on="opinion_id")["category"]
    saved = opinions_figures.km_figure(ctx, ttr, st, cats, "2004-12-20")
    text = saved["svg"].read_text()
    # S = 2/3 after 50 days (o1), 1/3 after 111 (o2): median 111, upper limit never reached
    assert "111 days" in text and "not reached" in text and saved["png"].exists()
