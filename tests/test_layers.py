"""Imports run one way, low to high: the layers of src/analysis as folders, checked here.

Lowest first: core; data (its contract lowest) and stats, peers; i18n (the words); plotting (its
figures carry words: the link under a chart); present (tables and blocks for readers); subjects;
summary; batch; the command line. ``demo`` imports only core and the contract. A module may import
from its own layer and lower ones; an import that runs up a layer (lazy ones inside functions
included) fails this test.
docs/architecture.md draws the same picture.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

from analysis.core import paths

# (layer, rank): lowest first.  A layer is the first package below ``analysis`` (``data.contract``
# is a layer of its own); top-level modules are named by their stem.
LAYERS: dict[str, int] = {
    "core": 0,
    "data.contract": 1,
    "data": 2,
    "stats": 2,
    "i18n": 3,
    "plotting": 4,
    # Tables and blocks for readers: above plotting and i18n (it may use both), below the subjects.
    "present": 4.5,
    "subjects": 5,
    "summary": 6,
    "batch": 7,
    "cli": 8,
}
# The demo generator writes exports in the contract's shape, nothing more.
DEMO_MAY_IMPORT = ("core", "data.contract", "demo")


def layer_of(module: str) -> str:
    """``analysis.data.contract.files`` -> ``data.contract``; ``analysis.stats.survival`` -> ``stats``."""
    parts = module.split(".")[1:]
    if not parts or parts == ["__init__"]:
        return "core"  # the package itself holds only its docstring and version
    if parts[:2] == ["data", "contract"]:
        return "data.contract"
    return "cli" if parts[0] == "__main__" else parts[0]


@dataclass(frozen=True)
class Violation:
    module: str
    line: int
    imported: str

    def __str__(self) -> str:
        return (
            f"{self.module}:{self.line} imports {self.imported} "
            f"({layer_of(self.module)} may not depend on {layer_of(self.imported)})"
        )


def imported_modules(tree: ast.AST, module: str) -> list[tuple[int, str]]:
    """Every ``analysis`` module the tree imports, lazily inside functions included, with its line."""
    package = module.rsplit(".", 1)[0]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.split(".")[0] == "analysis"]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: resolve against the importing module's package
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            if base.split(".")[0] != "analysis":
                continue
            # ``from analysis.stats import disclosure`` imports analysis.stats.disclosure
            found += [(node.lineno, f"{base}.{a.name}" if base.count(".") < 2 else base) for a in node.names]
    return found


def allowed(importer: str, imported: str) -> bool:
    src, dst = layer_of(importer), layer_of(imported)
    if src == "demo" or dst == "demo":
        return src == "demo" and dst in DEMO_MAY_IMPORT or src == "cli" and dst == "demo"
    if src == dst:
        return True
    if src not in LAYERS or dst not in LAYERS:
        return False  # a folder the table does not know: name its layer first
    return LAYERS[dst] < LAYERS[src]


def violations(package_dir: Path, package: str = "analysis") -> list[Violation]:
    """Every import in ``package_dir`` that runs up (or sideways between peers)."""
    out = []
    for path in sorted(Path(package_dir).rglob("*.py")):
        rel = path.relative_to(package_dir).with_suffix("")
        module = ".".join((package, *rel.parts))
        if module.endswith(".__init__"):
            module = module.removesuffix(".__init__") + ".__init__"
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for line, imported in imported_modules(tree, module):
            if not allowed(module, imported):
                out.append(Violation(module, line, imported))
    return out


PACKAGE = paths.ROOT / "src" / "analysis"


def test_every_module_sits_in_a_layer_and_imports_only_downwards():
    found = violations(PACKAGE)
    assert not found, "imports that run up a layer:\n" + "\n".join(map(str, found))


def test_at_most_three_modules_at_the_top_of_the_package():
    top = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert top == ["__init__.py", "__main__.py", "cli.py"]
    folders = {p.name for p in PACKAGE.iterdir() if p.is_dir() and p.name != "__pycache__"}
    assert folders <= {layer.split(".")[0] for layer in LAYERS} | {"demo"}, folders


def _package(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "analysis"
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return root


@pytest.mark.parametrize(
    "importer, statement",
    [
        ("stats/weighting.py", "from analysis.subjects import survey"),  # up two layers
        ("data/cleaning.py", "def f():\n    from analysis.summary.key_figures import write_key_figures\n"),  # lazy
        ("data/contract/files.py", "from analysis.data import cleaning"),  # contract below cleaning
        ("stats/funnel.py", "from analysis.data.processed import load"),  # peers
        ("demo/survey.py", "from analysis.stats import proportions"),  # demo: core and contract only
        ("subjects/officers.py", "import analysis.batch.runner"),
        ("plotting/theme.py", "from analysis.present import blocks"),  # present sits above plotting
        ("present/blocks.py", "from analysis.subjects import survey"),
        ("data/contract/base.py", "from ..cleaning import X"),  # relative, still upwards
    ],
)
def test_a_planted_upward_import_fails(tmp_path, statement, importer):
    root = _package(tmp_path, {importer: statement + "\n"})
    found = violations(root)
    assert len(found) == 1 and found[0].module.startswith("analysis.") and found[0].line >= 1, found


@pytest.mark.parametrize(
    "importer, statement",
    [
        ("subjects/survey.py", "from analysis.stats import weighting"),
        ("summary/key_figures.py", "from analysis.subjects.fitness import officer_round_results"),
        ("data/cleaning.py", "from analysis.data.contract import RAW_FILES"),
        ("demo/survey.py", "from analysis.data.contract import LIKERT_ITEMS\nfrom analysis.core import paths"),
        ("cli.py", "from analysis.demo import write_demo_data"),
        ("present/tables.py", "from analysis.i18n import label\nfrom analysis.stats import disclosure"),
        ("subjects/survey_text.py", "from analysis.present import blocks"),
        ("data/contract/files.py", "from .base import Column"),
    ],
)
def test_downward_imports_pass(tmp_path, statement, importer):
    assert violations(_package(tmp_path, {importer: statement + "\n"})) == []
