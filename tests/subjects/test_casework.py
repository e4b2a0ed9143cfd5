import pandas as pd
import pytest

from analysis.subjects import casework


@pytest.fixture
def files():
    months = [f"2004-{m:02d}" for m in range(1, 11)]
    rows = []
    for i, month in enumerate(months):
        for j, unit in enumerate(["U1", "U2"]):
            score = 80 + (i % 3) + j + (15 if month == "2004-10" else 0)
            rows.append(
                {
                    "unit": unit,
                    "month": month,
                    "file_id": f"F{i}{j}",
                    "score": float(score),
                    "rating": "best" if j == 0 else "worst",
                    "collective_decision": i in (2, 5) and j == 1,
                }
            )
    return pd.DataFrame(rows)


def test_monthly_xmr_flags_the_jump(files):
    table, limits = casework.monthly_xmr(files)
    assert len(table) == 10 and table["files"].eq(2).all()
    assert table.loc[table["month"] == "2004-10", "beyond_limits"].item()
    assert not table.loc[table["month"] != "2004-10", "beyond_limits"].any()
    assert limits.ucl > limits.centre > limits.lcl


def test_best_worst_and_collective(files):
    bw = casework.best_worst_by_unit(files).set_index("unit")
    assert (bw.loc["U1", "best"], bw.loc["U1", "worst"], bw.loc["U2", "worst"]) == (10, 0, 10)
    assert casework.collective_total(files) == 2
    assert casework.collective_decisions(files).set_index("unit").loc["U2", "cases"] == 2


def test_missing_column(files):
    with pytest.raises(KeyError):
        casework.monthly_scores(files.drop(columns="rating"))


def test_enough_months(files):
    assert casework.enough_months(files)
    assert not casework.enough_months(files[files["month"] == "2004-01"])
    assert not casework.enough_months(files.iloc[0:0])
