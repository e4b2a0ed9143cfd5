"""docs/terms.md against the catalog: every listed English term is rendered with its listed Chinese term."""

from __future__ import annotations

import re

import pytest
from babel.messages.pofile import read_po

from analysis.core import paths

TERMS = paths.ROOT / "docs" / "terms.md"
PO = paths.ROOT / "src" / "analysis" / "i18n" / "locales" / "zh" / "LC_MESSAGES" / "messages.po"


def parse_terms(text: str) -> list[tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]]:
    """The table's rows: (English terms, Chinese terms (one of them is used), variants to avoid)."""
    rows = []
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")] if line.startswith("|") else []
        if len(cells) < 3 or cells[0].startswith("English") or set(cells[0]) <= {"-"}:
            continue
        english = tuple(t.strip() for t in cells[0].split(" / ") if t.strip())
        variants = tuple(v.strip() for v in cells[2].split(",") if v.strip())
        chinese = tuple(t.strip() for t in cells[1].split(" / ") if t.strip())
        rows.append((english, chinese, variants))
    return rows


def _entries() -> list[tuple[str, str]]:
    with open(PO, "rb") as f:
        catalog = read_po(f)
    out = []
    for m in catalog:
        if not m.id or not m.string:
            continue
        msgid = m.id if isinstance(m.id, str) else m.id[0]
        msgstr = m.string if isinstance(m.string, str) else m.string[0]
        out.append((msgid, msgstr))
    return out


def _mentions(msgid: str, term: str) -> bool:
    words = re.sub(r"\{[^}]*\}", " ", msgid)  # placeholders ({median}) are not the term
    return re.search(rf"(?<![\w-]){re.escape(term)}(?![\w-])", words, re.I) is not None


def mismatches(rows, entries) -> list[str]:
    """Catalog entries that use a listed English term without its Chinese term, or a variant to avoid."""
    found = []
    for english, chinese, variants in rows:
        for msgid, msgstr in entries:
            if any(_mentions(msgid, t) for t in english) and not any(c in msgstr for c in chinese):
                found.append(f"{english[0]!r} -> {chinese[0]!r} missing: {msgid[:70]!r} = {msgstr[:50]!r}")
            for v in variants:
                if v in msgstr:
                    found.append(f"{v!r} (use {chinese[0]!r}): {msgstr[:70]!r}")
    return found


def test_the_doc_lists_the_terms_the_issue_names():
    rows = parse_terms(TERMS.read_text(encoding="utf-8"))
    chinese = {c for _, terms, _ in rows for c in terms}
    assert {
        "回收率",
        "满意率",
        "整改率",
        "达标率",
        "95%置信区间",
        "设计效应",
        "加权",
        "未加权",
        "中位数",
        "置信区间",
    } <= chinese


def test_every_listed_term_is_the_one_the_catalog_uses():
    rows = parse_terms(TERMS.read_text(encoding="utf-8"))
    assert rows, "docs/terms.md has no term table"
    assert mismatches(rows, _entries()) == []


@pytest.mark.parametrize(
    "msgid, msgstr",
    [
        ("The return rate was {rate}", "返回率为{rate}"),  # the Chinese term missing
        ("Share: {x}", "应答率{x}"),  # no English term, but a variant to avoid
    ],
)
def test_the_check_can_fail(msgid, msgstr):
    rows = parse_terms(TERMS.read_text(encoding="utf-8"))
    assert mismatches(rows, [(msgid, msgstr)])


def test_the_notebooks_chinese_narrative_avoids_the_variants():
    """The zh narrative cells (tagged lang-zh) are written by hand, outside the catalog: they follow the list too."""
    import nbformat

    rows = parse_terms(TERMS.read_text(encoding="utf-8"))
    found = []
    for notebook in sorted((paths.ROOT / "notebooks").glob("*.ipynb")):
        for cell in nbformat.read(notebook, as_version=4).cells:
            if cell.cell_type == "markdown" and "lang-zh" in cell.get("metadata", {}).get("tags", []):
                found += [f"{notebook.name}: {v!r} (use {c[0]!r})" for _, c, vs in rows for v in vs if v in cell.source]
    assert found == []
