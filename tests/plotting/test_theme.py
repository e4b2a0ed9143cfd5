"""The theme: a CJK font the project installs itself, Latin kept in the default face, text never too small."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib import font_manager  # noqa: E402

from analysis.plotting import theme  # noqa: E402

# Run in a fresh interpreter whose matplotlib sees only its own bundled fonts, as on a machine
# without any system CJK font; every warning is an error, so a missing glyph fails the script.
NO_SYSTEM_FONTS = textwrap.dedent(
    """
    import warnings
    warnings.simplefilter("error")
    from pathlib import Path
    import matplotlib
    matplotlib.use("Agg")
    from matplotlib import font_manager
    bundled = Path(matplotlib.get_data_path()) / "fonts"
    manager = font_manager.fontManager
    manager.ttflist = [f for f in manager.ttflist if Path(f.fname).is_relative_to(bundled)]
    manager._findfont_cached.cache_clear()
    assert not [f.name for f in manager.ttflist if "CJK" in f.name or "Droid" in f.name or "Hei" in f.name]
    import matplotlib.pyplot as plt
    {setup}
    fig, ax = plt.subplots()
    ax.set_title("满意率 64.3%（95%置信区间 61.6%～66.8%）：氾水镇、西安丰镇、射阳湖镇")
    ax.set_xlabel("Latin text and digits 0123456789")
    fig.savefig({out!r})
    fig.savefig({svg!r})
    print("drawn", sorted({{font_manager.findfont(p) for p in [ax.title.get_fontproperties()]}}))
    """
)


def _run(setup: str, tmp_path) -> subprocess.CompletedProcess:
    script = NO_SYSTEM_FONTS.format(setup=setup, out=str(tmp_path / "zh.png"), svg=str(tmp_path / "zh.svg"))
    return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)


def test_chinese_draws_without_a_system_cjk_font_from_the_packaged_one(tmp_path):
    done = _run("from analysis.plotting.theme import apply_theme\napply_theme()", tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    assert (tmp_path / "zh.png").stat().st_size > 0


def test_without_the_packaged_font_the_same_figure_fails_on_a_missing_glyph(tmp_path):
    # The control: the check above can fail.
    done = _run("plt.rcParams['font.family'] = 'sans-serif'", tmp_path)
    assert done.returncode != 0 and "missing from font" in done.stderr


def test_latin_keeps_the_default_face_and_chinese_falls_back_to_noto():
    theme.apply_theme()
    assert plt.rcParams["font.family"][:2] == ["DejaVu Sans", "Noto Sans CJK SC"]
    assert any(f.name == "Noto Sans CJK SC" for f in font_manager.fontManager.ttflist)
    registered = len(font_manager.fontManager.ttflist)
    theme.apply_theme()  # registering twice adds nothing
    assert len(font_manager.fontManager.ttflist) == registered


def test_svg_text_names_the_css_font_stack(tmp_path):
    theme.apply_theme()
    fig, ax = plt.subplots()
    ax.set_title("满意率")
    saved = theme.finish(
        fig, "zh", title="标题", caption="说明。", n=1, source="x", figures_dir=tmp_path, synthetic=False
    )
    plt.close(fig)
    svg = saved["svg"].read_text(encoding="utf-8")
    assert "'Noto Sans CJK SC', 'Source Han Sans SC', 'Microsoft YaHei', 'PingFang SC', sans-serif" in svg
    assert "满意率" in svg  # text kept as text (svg.fonttype none), not paths


def test_no_text_is_left_below_the_minimum_size():
    theme.apply_theme()
    fig, ax = plt.subplots()
    ax.plot([1, 2], [1, 2], label="tiny legend")
    ax.legend(fontsize=5)
    ax.text(1, 1, "tiny note", fontsize=6)
    ax.tick_params(labelsize=4)
    smallest = theme.enforce_min_font(fig)
    fig.canvas.draw()
    sizes = [t.get_fontsize() for t in fig.findobj(matplotlib.text.Text) if t.get_visible() and t.get_text()]
    plt.close(fig)
    assert smallest == theme.MIN_FONT_PT and min(sizes) >= theme.MIN_FONT_PT


def test_the_palette_is_okabe_ito():
    assert theme.PALETTE[:6] == ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00"]
