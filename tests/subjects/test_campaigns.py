import math

import pandas as pd
import pytest
from statsmodels.stats import rates as sm_rates

from analysis.core import paths, reference
from analysis.core.errors import ParameterError
from analysis.data.contract.files import ACTIVITIES
from analysis.subjects import campaigns, campaigns_text
from analysis.summary import reconciliation


def ledger(rows) -> pd.DataFrame:
    """A campaign_activities frame in the processed schema."""
    frame = pd.DataFrame(rows, columns=["campaign", "date", "unit", "site", "activity", "quantity"])
    frame["date"] = pd.to_datetime(frame["date"])
    for col in ("campaign", "unit", "site", "activity"):
        frame[col] = frame[col].astype("string")
    frame["quantity"] = frame["quantity"].astype("Float64")
    frame["measure"] = pd.Series(["x"] * len(frame), dtype="string")
    frame["source_row"] = range(2, len(frame) + 2)
    return frame


WINDOWS = pd.DataFrame(
    {
        "campaign": ["traffic", "campus", "agency_service", "veterans"],
        "start": ["2004-01-01", "2004-09-20", "2004-01-01", "2004-01-01"],
        "end": ["2004-12-31", "2004-11-19", "2004-12-31", "2004-12-31"],
    }
)
HOUSEHOLDS = pd.DataFrame({"district": ["Anyi", "Fanshui"], "households": [3000, 1000]})


@pytest.fixture
def acts() -> pd.DataFrame:
    return ledger(
        [
            ("traffic", "2004-03-05", "Traffic Police Brigade", None, "violations", 300),
            ("traffic", "2004-03-20", "Traffic Police Brigade", None, "officer_times", 100),
            ("traffic", "2004-05-02", "Anyi Police Station", None, "violations", 100),
            ("traffic", "2004-05-02", "Anyi Police Station", None, "officer_times", 100),
            ("traffic", "2004-05-03", "Anyi Police Station", None, "open_letters", 2000),
            ("traffic", "2003-12-31", "Traffic Police Brigade", None, "violations", 999),  # before the year
            ("campus", "2004-09-20", "Anyi Police Station", "School A", "alarm_points", 3),
            ("campus", "2004-10-01", "Anyi Police Station", "School B", "alarm_points", 5),
            ("campus", "2004-10-02", "Fanshui Police Station", "School A", "hazards_rectified", 4),
            ("campus", "2004-11-19", "Fanshui Police Station", None, "hazards_rectified", 2),  # last day: in
            ("campus", "2004-11-20", "Fanshui Police Station", "School C", "hazards_rectified", 7),  # after: out
            ("campus", "2004-08-01", "Fanshui Police Station", "School A", "hazards_rectified", 1),  # before
            ("agency_service", "2004-02-10", "Xi'anfeng Police Station", None, "items_handled", 10),
            ("agency_service", "2004-02-10", "Xi'anfeng Police Station", None, "items_completed", 10),
            ("agency_service", "2004-02-10", "Xi'anfeng Police Station", None, "yuan_saved", 400),
        ]
    )


def test_in_windows_keeps_both_ends_and_drops_outside(acts):
    rows = campaigns.in_windows(acts, WINDOWS)
    assert pd.Timestamp("2003-12-31") not in set(rows.loc[rows["campaign"] == "traffic", "date"])
    campus = rows[rows["campaign"] == "campus"]
    assert campus["date"].min() == pd.Timestamp("2004-09-20")
    assert campus["date"].max() == pd.Timestamp("2004-11-19")
    assert len(campus) == 4


def test_campaign_without_window_raises(acts):
    with pytest.raises(ValueError, match="no campaign window"):
        campaigns.in_windows(acts, WINDOWS[WINDOWS["campaign"] != "campus"])
    with pytest.raises(KeyError, match="quantity"):
        campaigns.in_windows(acts.drop(columns="quantity"), WINDOWS)


def test_monthly_series_fills_empty_months_with_zero(acts):
    s = campaigns.monthly_series(acts, WINDOWS)
    viol = s[(s["campaign"] == "traffic") & (s["activity"] == "violations")].set_index("month")["quantity"]
    assert len(viol) == 12
    assert viol["2004-03"] == 300 and viol["2004-05"] == 100 and viol["2004-01"] == 0
    assert viol.sum() == 400  # the December 2003 row is outside the window
    campus = s[(s["campaign"] == "campus") & (s["activity"] == "hazards_rectified")]
    assert campus["month"].tolist() == ["2004-09", "2004-10", "2004-11"]
    assert campus["quantity"].tolist() == [0, 4, 2]
    assert campus["rows"].tolist() == [0, 1, 1]


def test_activity_pattern_says_which_activities_ran_every_month(acts):
    s = campaigns.monthly_series(acts, WINDOWS)
    p = campaigns.activity_pattern(s, "traffic").set_index("activity")
    assert p.loc["violations", "months_active"] == 2 and p.loc["violations", "months"] == 12
    assert not p.loc["violations", "every_month"]
    assert p.loc["violations", "peak_month"] == "2004-03" and p.loc["violations", "rows"] == 2
    full = campaigns.monthly_series(
        ledger([("veterans", "2004-01-05", "Political Department", None, "ranks_resolved", 1)]),
        WINDOWS.assign(end=WINDOWS["start"].str[:8] + "28"),
    )
    assert campaigns.activity_pattern(full, "veterans")["every_month"].tolist() == [True]


def test_rates_have_numerator_and_denominator(acts):
    r = campaigns.rates(acts, WINDOWS, HOUSEHOLDS).set_index("rate")
    assert r.loc["violations per officer-time", "value"] == pytest.approx(400 / 200)
    assert r.loc["open letters per household", "denominator"] == 4000
    assert r.loc["open letters per household", "value"] == pytest.approx(0.5)
    # Schools are distinct sites of in-window campus rows: A and B (C is after the window).
    assert r.loc["alarm points per school", "denominator"] == 2
    assert r.loc["alarm points per school", "value"] == pytest.approx(4.0)
    assert r.loc["items handled per month", "value"] == pytest.approx(10 / 12)
    assert r.loc["items completed per item handled", "value"] == pytest.approx(1.0)


def test_rates_for_a_district_use_its_station_and_households(acts):
    r = campaigns.rates(acts, WINDOWS, HOUSEHOLDS, district="Anyi").set_index("rate")
    assert r.loc["violations per officer-time", "value"] == pytest.approx(1.0)
    assert r.loc["open letters per household", "value"] == pytest.approx(2000 / 3000)
    assert r.loc["hazards rectified per school", "denominator"] == 2  # Anyi's schools A and B
    assert r.loc["hazards rectified per school", "value"] == 0  # its hazards were all Fanshui's
    fan = campaigns.rates(acts, WINDOWS, HOUSEHOLDS, district="Fanshui").set_index("rate")
    assert pd.isna(fan.loc["violations per officer-time", "value"])  # 0 officer-times: no rate


def test_poisson_rate_ratio_matches_r_poisson_test():
    # R documentation, ?poisson.test: poisson.test(c(11, 6+8+7), c(800, 1083+1050+878))
    # gives p-value = 0.07967, 95% CI 0.8584264 4.2772659, rate ratio 1.971488.
    out = campaigns.poisson_rate_ratio(11, 800, 21, 1083 + 1050 + 878)
    assert out.ratio == pytest.approx(1.971488, abs=1e-6)
    assert out.ci_low == pytest.approx(0.8584264, abs=1e-7)
    assert out.ci_high == pytest.approx(4.2772659, abs=1e-7)
    assert out.p_value == pytest.approx(0.07967, abs=5e-6)
    sm = sm_rates.test_poisson_2indep(11, 800, 21, 1083 + 1050 + 878, method="exact-cond")
    assert out.p_value == pytest.approx(sm.pvalue, rel=1e-12)


def test_poisson_rate_ratio_edge_cases():
    zero_before = campaigns.poisson_rate_ratio(5, 61, 0, 61)
    assert math.isinf(zero_before.ratio) and math.isinf(zero_before.ci_high)
    assert zero_before.ci_low > 0
    assert math.isnan(campaigns.poisson_rate_ratio(0, 61, 0, 61).ratio)
    with pytest.raises(ValueError, match="whole numbers"):
        campaigns.poisson_rate_ratio(2.5, 61, 1, 61)
    with pytest.raises(ValueError, match="exposures"):
        campaigns.poisson_rate_ratio(2, 0, 1, 61)


def test_before_after_compares_same_length_periods(acts):
    ba = campaigns.before_after(acts, WINDOWS).set_index("activity")
    assert ba.loc["hazards_rectified", "days"] == 61
    assert ba.loc["hazards_rectified", "before"] == 1  # 1 August is within the 61 days before
    assert ba.loc["hazards_rectified", "during"] == 6  # 20 November is after
    assert ba.loc["hazards_rectified", "period_before"] == "2004-07-21 to 2004-09-19"
    assert ba.loc["hazards_rectified", "ratio"] == pytest.approx(6.0)
    assert ba.loc["alarm_points", "before"] == 0
    assert (ba["p_holm"] >= ba["p_value"]).all()


def test_describe_before_after_lines(acts):
    ba = campaigns.before_after(acts, WINDOWS).set_index("activity", drop=False)
    line = campaigns_text.before_after_line(ba.loc["hazards_rectified"])
    assert line.startswith("Safety hazards rectified: 1 before, 6 during; rate ratio 6.00 (95% CI 0.73 to 275.99)")
    line = campaigns_text.before_after_line(ba.loc["alarm_points"])
    assert "none before, so the rate ratio has only a lower bound: at least" in line
    assert line.endswith("Holm p 0.0156")  # three significant digits
    tiny = ba.loc["alarm_points"].copy()
    tiny["p_holm"] = 1e-9
    assert campaigns_text.before_after_line(tiny).endswith("Holm p < 0.001")  # below 0.001: not printed as a number


def test_counts_of_people_are_not_compared_or_drawn_below_ten():
    ba = pd.DataFrame({"activity": ["legal_vice_principals", "alarm_points"], "before": [0, 0], "during": [110, 8]})
    assert campaigns_text.comparable(ba)["activity"].tolist() == ["alarm_points"]
    from analysis.subjects import campaigns_figures

    series = pd.DataFrame(
        {
            "campaign": ["veterans"] * 3 + ["campus"] * 3,
            "activity": ["ranks_resolved"] * 3 + ["alarm_points"] * 3,
            "month": ["2004-09", "2004-10", "2004-11"] * 2,
            "quantity": [0.0, 3.0, 0.0, 0.0, 3.0, 0.0],
            "rows": [0, 1, 0, 0, 1, 0],
        }
    )
    drawn = campaigns_figures.protected_series(series)
    assert drawn.loc[drawn["activity"] == "ranks_resolved", "quantity"].isna().all()  # 3 veterans: not drawn
    assert drawn.loc[drawn["activity"] == "alarm_points", "quantity"].tolist() == [0.0, 3.0, 0.0]  # not people
    cells = campaigns_text.monthly_table(series).to_frame()
    assert cells.iloc[:, 2:].isin(["<10", "x"]).to_numpy().sum() == 3


def test_logic_model_classes_every_contract_activity():
    lm = campaigns.logic_model(ACTIVITIES)
    assert set(lm["activity"]) == set(ACTIVITIES)
    assert set(lm["class"]) == {"output", "outcome"}
    classes = lm.set_index("activity")["class"]
    assert classes["open_letters"] == "output" and classes["violations"] == "output"
    assert classes["hazards_rectified"] == "outcome"
    with pytest.raises(ValueError, match="without a logic-model class"):
        campaigns.logic_model(["open_letters", "drones_flown"])


def test_campaign_totals_come_from_key_figures():
    published = reference.published_figures()
    kf = pd.DataFrame({"id": ["traffic.open_letters", "campus.alarm_points"], "value": [40000, 197]})
    t = reconciliation.campaign_totals(kf, published).set_index("id")
    assert set(t["campaign"]) == {"traffic", "campus", "agency_service", "veterans"}
    assert t.loc["traffic.open_letters", "status"] == "matches"
    assert t.loc["campus.alarm_points", "status"] == "differs"
    assert t.loc["veterans.ranks_resolved", "status"] == "no data"
    assert "survey.distributed" not in t.index


def test_district_of_unit():
    assert campaigns.district_of_unit("Xi'anfeng Police Station") == "Xi'anfeng"
    assert campaigns.district_of_unit("Traffic Police Brigade") is None
    assert campaigns.district_of_unit(pd.NA) is None


def test_check_district():
    campaigns.check_district(None, HOUSEHOLDS)
    campaigns.check_district("Anyi", HOUSEHOLDS)
    with pytest.raises(ParameterError, match="Fanshui"):
        campaigns.check_district("Atlantis", HOUSEHOLDS)


# ---- the notebook, executed ----------------------------------------------------------------

NOTEBOOK = paths.NOTEBOOKS / "50_campaigns.ipynb"


def tiny_processed(folder, acts: pd.DataFrame) -> None:
    """A processed folder holding only what the campaigns notebook reads, marked synthetic."""
    import json

    folder.mkdir(parents=True, exist_ok=True)
    acts.to_parquet(folder / "campaign_activities.parquet")
    hh = HOUSEHOLDS.astype({"district": "string", "households": "Int64"}).assign(source_row=[2, 3])
    hh.to_parquet(folder / "households.parquet")
    (folder / "manifest.json").write_text(json.dumps({"synthetic": True}), encoding="utf-8")
    pd.DataFrame(
        {"id": ["traffic.violations", "campus.alarm_points"], "value": [400.0, 8.0], "matches": [False, False]}
    ).to_csv(folder / "key_figures.csv", index=False)


def _run(tmp_path, **parameters):
    import forked_kernels

    out = tmp_path / "out.ipynb"
    forked_kernels.execute(NOTEBOOK, out, {"lang": "en", **parameters}, cwd=tmp_path)
    return out


def _outputs_text(path) -> str:
    import nbformat

    nb = nbformat.read(path, as_version=4)
    return "\n".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []))


@pytest.mark.slow
@pytest.mark.parametrize("district", [None, "Anyi"])
def test_notebook_runs_on_tiny_data(tmp_path, acts, district):
    processed = tmp_path / "processed"
    tiny_processed(processed, acts)
    out = _run(tmp_path, processed_dir=str(processed), figures_dir=str(tmp_path / "fig"), district=district)
    text = _outputs_text(out)
    assert "0 of 16 campaign figures match the ledger; 2 differ; 14 have no data" in text
    if district is None:
        assert "violations handled per officer deployment: 2.00 (400 " in text and " / 200 " in text
        assert (tmp_path / "fig" / "50_campaigns_monthly_traffic.png").exists()
        assert "Safety hazards rectified: 1 before, 6 during" in text
    else:
        assert "violations handled per officer deployment: 1.00" in text
        assert (tmp_path / "fig" / "50_campaigns_monthly_traffic_anyi.svg").exists()
        assert "Alarm points set up: 0 before, 8 during; none before" in text
        assert "Safety hazards rectified" not in text  # Anyi's station rectified none


@pytest.mark.slow
def test_notebook_rejects_an_unknown_district(tmp_path, acts):
    import papermill as pm

    processed = tmp_path / "processed"
    tiny_processed(processed, acts)
    with pytest.raises(pm.PapermillExecutionError, match="Atlantis"):
        _run(tmp_path, processed_dir=str(processed), figures_dir=str(tmp_path / "fig"), district="Atlantis")


@pytest.mark.slow
def test_notebook_runs_with_defaults_on_the_processed_data(demo_batch):
    """At its defaults, as the demo batch executed it: not run again here."""
    nb = demo_batch.executed("campaigns.en")
    assert "campaign figures match the ledger" in "\n".join(
        o.get("text", "") for c in nb.cells for o in c.get("outputs", [])
    )


@pytest.mark.slow
def test_notebook_runs_for_a_district_on_the_processed_data(tmp_path):
    if not (paths.PROCESSED / "key_figures.csv").exists():
        pytest.skip("data/processed not built: run `python -m analysis clean` (tests/conftest.py does it)")
    out = _run(tmp_path, district="Xi'anfeng", figures_dir=str(tmp_path / "fig"))
    assert "campaign figures match the ledger" in _outputs_text(out)
