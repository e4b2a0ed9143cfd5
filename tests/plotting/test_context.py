"""FigureContext.finish: the files it saves, the <figure> it shows, alt text required, CSV cells made safe."""

from __future__ import annotations

import base64
import re

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from analysis.batch.render import sanitize_html  # noqa: E402
from analysis.core import language  # noqa: E402
from analysis.core.files import neutralise_csv  # noqa: E402
from analysis.plotting.context import FigureContext, report_href  # noqa: E402
from analysis.plotting.theme import apply_theme  # noqa: E402


def _figure():
    fig, ax = plt.subplots(figsize=(8, 4.5))
    ax.bar(["a", "b"], [1, 2])
    return fig


def _finish(ctx, **kw):
    args = {"title": "b is twice a", "caption": "Bars.", "n": 3, "source": "fixture", "alt": "b is 2, a is 1."}
    return ctx.finish(_figure(), "fixture_bars", **{**args, **kw})


def test_finish_saves_png_svg_and_the_charts_data(tmp_path):
    plt.close("all")  # figures other tests left open are not this test's (random order)
    apply_theme()
    ctx = FigureContext(tmp_path / "figures" / "survey--anyi.en", synthetic=True, scope="Anyi")
    saved = _finish(ctx, data=pd.DataFrame({"group": ["a", "b"], "value": [1, 2]}))
    assert {p.name for p in saved.values()} == {
        "fixture_bars_anyi.png",
        "fixture_bars_anyi.svg",
        "fixture_bars_anyi.csv",
    }
    assert saved["csv"].read_text(encoding="utf-8") == "group,value\na,1\nb,2\n"
    assert plt.get_fignums() == []  # closed


def test_the_figure_is_shown_as_html_with_its_alt_text_and_data_link(tmp_path):
    apply_theme()
    shown = []
    ctx = FigureContext(tmp_path / "figures" / "survey--anyi.en", synthetic=False, scope="Anyi", show=shown.append)
    with language.using("zh"):
        _finish(ctx, alt="b 是 a 的两倍（2 对 1）。", data=pd.DataFrame({"x": [1]}))
    (obj,) = shown
    markup = obj._repr_html_()
    assert repr(obj) == "b 是 a 的两倍（2 对 1）。"  # the notebook's plain-text view is the finding
    assert markup.startswith('<figure class="analysis-figure" id="fig-fixture_bars_anyi">')
    img = re.search(r"<img [^>]+>", markup).group(0)
    assert 'alt="b 是 a 的两倍（2 对 1）。"' in img and 'width="800" height="450"' in img
    png = base64.b64decode(re.search(r"data:image/png;base64,([^\"]+)", img).group(1))
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert '<a href="figures/survey--anyi.en/fixture_bars_anyi.csv">下载本图数据（CSV）</a>' in markup
    # The renderer's sanitiser keeps it as it is.
    kept = sanitize_html(markup)
    for part in (
        'id="fig-fixture_bars_anyi"',
        'alt="b 是 a 的两倍（2 对 1）。"',
        "data:image/png;base64,",
        "figures/survey--anyi.en/",
    ):
        assert part in kept


def test_without_data_there_is_no_link(tmp_path):
    shown = []
    _finish(FigureContext(tmp_path, synthetic=False, show=shown.append), data=None)
    assert "<figcaption>" not in shown[0]._repr_html_() and "<a " not in shown[0]._repr_html_()


@pytest.mark.parametrize("alt", ["", "   ", None])
def test_alt_text_is_required(tmp_path, alt):
    plt.close("all")  # figures other tests left open are not this test's (random order)
    with pytest.raises(ValueError, match="fixture_bars.*alt must be a sentence"):
        _finish(FigureContext(tmp_path, synthetic=False), alt=alt, data=None)
    assert plt.get_fignums() == []


def test_alt_is_a_required_argument(tmp_path):
    with pytest.raises(TypeError, match="alt"):
        FigureContext(tmp_path, synthetic=False).finish(
            _figure(), "x", title="t", caption="c", n=1, source="s", data=None
        )
    plt.close("all")


def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised():
    frame = pd.DataFrame(
        {
            "text": ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx", "plain", "-3.5", "+7", None],
            "number": [-1.5, 2, 3, 4, 5, 6, 7, 8, 9, 10],
        }
    )
    safe = neutralise_csv(frame)
    assert list(safe["text"])[:-1] == [
        '\'=HYPERLINK("http://x")',
        "'+1+1",
        "'-2+3",
        "'@SUM(A1)",
        "'\tx",
        "'\rx",
        "plain",
        "-3.5",
        "+7",
    ]
    assert pd.isna(safe["text"].iloc[-1])
    assert list(safe["number"]) == list(frame["number"])  # numbers are numbers
    assert list(neutralise_csv(pd.DataFrame(columns=["=cmd()", "ok"])).columns) == ["'=cmd()", "ok"]


def test_links_are_relative_to_the_reports_folder(tmp_path):
    assert (
        report_href(tmp_path / "reports" / "figures" / "survey--anyi.en" / "x.csv") == "figures/survey--anyi.en/x.csv"
    )
    assert report_href(tmp_path / "reports" / "figures" / "x.csv") == "figures/x.csv"  # an analyst's own run
    assert report_href(tmp_path / "elsewhere" / "x.csv") == "x.csv"
