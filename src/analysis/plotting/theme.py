"""The one theme every figure uses, and the one way figures are finished and saved.

A finished figure has a title that states the finding, a caption with n and the data
source, and, on demo data, a visible marker; it is saved as PNG and SVG.

Fonts: Latin text and digits keep matplotlib's default face (DejaVu Sans); Chinese falls back,
glyph by glyph, to Noto Sans CJK SC, which the project installs itself (the pinned ``mplfonts``
package carries the font file) and registers here, so a machine without any system CJK font draws
no missing-glyph boxes. SVG text names the CSS font stack a reader's browser can resolve.
Colours: the Okabe-Ito palette, readable with the common colour-vision deficiencies.
"""

from __future__ import annotations

import importlib.util
import re
from functools import cache
from pathlib import Path

import matplotlib.pyplot as plt
import seaborn as sns
from matplotlib import font_manager
from matplotlib.text import Text

from analysis.i18n import _
from analysis.plotting.titles import wrap_lines

# Okabe & Ito (2008), in the roles the charts use: [0] main series, [1] the contrasting series,
# [2]-[5] further series, [6] grey for "before" or background.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#999999"]
# Diverging palette for 1-5 Likert bars: dissatisfied (red) .. satisfied (blue), neutral grey
# (ColorBrewer RdBu, safe for colour-blind readers).
LIKERT_COLOURS = ["#b2182b", "#ef8a62", "#d9d9d9", "#67a9cf", "#2166ac"]
SIGNAL = "#D55E00"  # a limit, a cut-off, a flagged unit
DEMO_MARKER = "#c00000"  # the demo-data marker, as the reports' banner

LATIN_FONT = "DejaVu Sans"
CJK_FONT = "Noto Sans CJK SC"
CJK_FONT_FILE = "NotoSansCJKsc-Regular.otf"
# What a browser should use for an SVG's text (the SVG does not embed the font).
SVG_FONT_STACK = "'DejaVu Sans', 'Noto Sans CJK SC', 'Source Han Sans SC', 'Microsoft YaHei', 'PingFang SC', sans-serif"
# The smallest text in a figure: 8 pt is 11 px at the 100 px per inch a report shows figures at,
# so text stays at least 10 px when a wide figure is scaled into a 1280 px page.
MIN_FONT_PT = 8.0
SAVE_DPI = 150


@cache
def cjk_font_file() -> Path:
    """The Noto Sans CJK SC file inside the installed ``mplfonts`` package (found, not imported)."""
    spec = importlib.util.find_spec("mplfonts")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the mplfonts package is not installed: run `make install` (it carries the CJK font)")
    path = Path(next(iter(spec.submodule_search_locations))) / "fonts" / CJK_FONT_FILE
    if not path.exists():
        raise RuntimeError(f"{path}: the CJK font file is missing from the mplfonts package")
    return path


def register_cjk_font(manager: font_manager.FontManager | None = None) -> str:
    """Add the package's CJK font to matplotlib's font manager (once); returns its family name."""
    manager = manager or font_manager.fontManager
    path = cjk_font_file()
    if not any(Path(f.fname) == path for f in manager.ttflist):
        manager.addfont(str(path))
    return CJK_FONT


def apply_theme() -> None:
    sns.set_theme(style="whitegrid", context="notebook", palette=PALETTE)
    family = register_cjk_font()
    plt.rcParams.update(
        {
            "figure.dpi": 100,
            "savefig.dpi": SAVE_DPI,
            "svg.fonttype": "none",
            "axes.titlesize": 12,
            "axes.titleweight": "bold",
            "figure.figsize": (8, 4.5),
            # Latin and digits in the default face; a glyph it lacks (Chinese) from the CJK face. Named
            # families, not the generic "sans-serif": matplotlib falls back along the family list only.
            "font.family": [LATIN_FONT, family],
            "font.sans-serif": [LATIN_FONT, family],
            "axes.unicode_minus": True,
        }
    )


def enforce_min_font(fig: plt.Figure, minimum: float = MIN_FONT_PT) -> float:
    """Raise every text of ``fig`` below ``minimum`` points to it; returns the smallest size left."""
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            labels = axis.get_ticklabels(which="both")
            if labels and min(t.get_fontsize() for t in labels) < minimum:
                ax.tick_params(axis="x" if axis is ax.xaxis else "y", which="both", labelsize=minimum)
    sizes = []
    for text in fig.findobj(Text):
        if not text.get_visible() or not text.get_text().strip():
            continue
        if text.get_fontsize() < minimum:
            text.set_fontsize(minimum)
        sizes.append(text.get_fontsize())
    return min(sizes, default=minimum)


_SVG_FONT = re.compile(r"font-family:\s*[^;\"]+")
_SVG_FONT_SHORTHAND = re.compile(r"(font:\s*(?:[\w.-]+\s+)*?[\d.]+px\s+)[^;\"]+")


def svg_with_font_stack(svg: str) -> str:
    """The SVG's text set in the CSS font stack (matplotlib names only the fonts it used)."""
    svg = _SVG_FONT.sub(f"font-family: {SVG_FONT_STACK}", svg)
    return _SVG_FONT_SHORTHAND.sub(lambda m: m.group(1) + SVG_FONT_STACK, svg)


def finish(
    fig: plt.Figure,
    name: str,
    *,
    title: str,
    caption: str,
    n: int | str,
    source: str,
    figures_dir: Path | str,
    synthetic: bool,
) -> dict[str, Path]:
    """Title, caption (with n and source) and demo marker; save ``name``.png/.svg; return the paths."""
    # The demo marker gets its own row above the title, so a long title never runs under it.
    width = fig.get_figwidth()
    title_lines = wrap_lines(title, int(width * 9.5))
    fig.suptitle("\n".join(title_lines), x=0.01, y=0.955, ha="left", va="top", fontsize=12, fontweight="bold")
    note = _("{caption} n = {n}. Source: {source}.").format(caption=caption, n=n, source=source)
    fig.text(
        0.01, 0.005, "\n".join(wrap_lines(note, int(width * 15))), ha="left", va="bottom", fontsize=8, color="#404040"
    )
    if synthetic:
        fig.text(
            0.99,
            0.997,
            _("SYNTHETIC DEMO DATA: not the bureau's records"),
            ha="right",
            va="top",
            fontsize=8,
            color="white",
            bbox={"facecolor": DEMO_MARKER, "edgecolor": "none", "pad": 3},
        )
    enforce_min_font(fig)
    fig.tight_layout(rect=(0, 0.06, 1, 0.97))  # tight_layout leaves room for the suptitle itself
    enforce_min_font(fig)  # ticks made while laying out
    out = Path(figures_dir)
    out.mkdir(parents=True, exist_ok=True)
    saved = {}
    for ext in ("png", "svg"):
        saved[ext] = out / f"{name}.{ext}"
        fig.savefig(saved[ext], metadata={"Date": None} if ext == "svg" else None)
    saved["svg"].write_text(svg_with_font_stack(saved["svg"].read_text(encoding="utf-8")), encoding="utf-8")
    return saved
