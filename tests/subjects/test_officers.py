import pandas as pd
import pytest

from analysis.core.errors import ParameterError
from analysis.subjects import officers


def test_select_unit_filters_by_officer_and_by_unit():
    roster = pd.DataFrame({"officer_id": ["a", "b", "c"], "unit": ["U1", "U1", "U2"]})
    tests = pd.DataFrame({"officer_id": ["a", "c", "c"], "x": [1, 2, 3]})
    review = pd.DataFrame({"unit": ["U1", "U2"], "score": [80.0, 90.0]})
    sub, f = officers.select_unit("U2", roster, tests=tests, review=review)
    assert list(sub["officer_id"]) == ["c"]
    assert len(f["tests"]) == 2 and list(f["review"]["unit"]) == ["U2"]
    same, g = officers.select_unit(None, roster, tests=tests)
    assert same is roster and g["tests"] is tests
    with pytest.raises(ParameterError):
        officers.select_unit("nowhere", roster, tests=tests)
