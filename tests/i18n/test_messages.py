"""The catalog against the code: every id a reader can see has a Chinese translation; the tools that keep it so."""

from __future__ import annotations

import io
import textwrap

from babel.messages.catalog import Catalog

from analysis.batch import messages
from analysis.i18n import extract


def test_every_id_the_reports_can_show_has_a_chinese_translation():
    used = messages.used_messages()
    # The code's assumption statements (methodology page) may lag behind a change of the code: they are
    # shown in English, marked lang="en", until translated (tests/batch/test_methodology.py).
    gaps = [p for p in extract.problems(extract.read("zh"), used) if not _is_assumption(used, p)]
    assert not gaps, "run `python -m analysis messages --update` and translate:\n" + "\n".join(map(str, gaps))


def _is_assumption(used: Catalog, problem: extract.Problem) -> bool:
    return used.get(problem.message, messages.ASSUMPTION_CONTEXT) is not None


def test_ids_inside_f_strings_and_all_keywords_are_extracted(tmp_path):
    source = textwrap.dedent(
        """
        from analysis.i18n import N_, _, ngettext, pgettext
        TITLE = N_("A constant, translated where shown")
        def page(n):
            # TRANSLATORS: the heading over the key findings
            heading = f"<h2>{_('Key points')}</h2>"
            return heading + ngettext("{n} report", "{n} reports", n) + pgettext("chart", "Share") + _(TITLE)
        """
    )
    (tmp_path / "mod.py").write_text(source, encoding="utf-8")
    found = {(m.id, m.context): m for m in extract.from_sources(tmp_path, tmp_path)}
    assert set(found) == {
        ("A constant, translated where shown", None),
        ("Key points", None),
        (("{n} report", "{n} reports"), None),
        ("Share", "chart"),
    }
    assert found[("Key points", None)].comments == ("the heading over the key findings",)
    assert found[("Key points", None)].location == ("mod.py", 6)


def test_ids_in_notebook_code_cells_are_extracted_magics_skipped(tmp_path):
    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

    nb = new_notebook(
        cells=[
            new_markdown_cell("_('not code')"),
            new_code_cell("%matplotlib inline\nprint(_('From a notebook'))"),
        ]
    )
    nbformat.write(nb, tmp_path / "x.ipynb")
    found = extract.from_notebook(tmp_path, tmp_path / "x.ipynb")
    assert [(m.id, m.location) for m in found] == [("From a notebook", ("x.ipynb#cell2", 2))]


def _catalog(entries: dict) -> Catalog:
    cat = Catalog(locale="zh_CN")
    for key, string in entries.items():
        cat.add(key, string)
    return cat


def test_check_names_ids_without_a_translation_and_can_fail():
    used = extract.template(
        [extract.Message(t, ("x.py", 1)) for t in ("Translated", "Not translated", "Not in the catalog")]
    )
    current = _catalog({"Translated": "已翻译", "Not translated": "", "Unused": "未使用"})
    found = {(p.message, p.what) for p in extract.problems(current, used)}
    assert found == {("Not translated", "untranslated"), ("Not in the catalog", "not in the catalog")}
    assert extract.unused(current, used) == ["Unused"]
    current.get("Not translated").string = "已翻译了"
    current.get("Not translated").flags.add("fuzzy")
    assert [p.what for p in extract.problems(current, used) if p.message == "Not translated"][0].startswith("fuzzy")


def test_update_keeps_translations_adds_new_ids_empty_and_marks_unused_obsolete():
    current = _catalog({"Kept": "保留", "Gone": "已删除"})
    current.get("Kept").auto_comments = ["kept_key"]
    used = extract.template([extract.Message(t, ("x.py", 1)) for t in ("New", "Kept")])
    merged = extract.update(current, used)
    assert [m.id for m in merged if m.id] == ["Kept", "New"]  # the file's order first, new ids appended
    assert merged.get("Kept").string == "保留" and merged.get("Kept").auto_comments == ["kept_key"]
    assert not merged.get("New").string and "Gone" in merged.obsolete
    text = extract.po_text(merged, "zh")
    assert '#~ msgid "Gone"' in text and "POT-Creation-Date" not in text and '"Language: zh_CN\\n"' in text
    # An obsolete id that is used again comes back with its translation.
    again = extract.update(merged, extract.template([extract.Message("Gone", ("y.py", 2))]))
    assert again.get("Gone").string == "已删除"


def test_an_obsolete_id_with_a_context_comes_back_with_its_translation():
    current = Catalog(locale="zh_Hans_CN")
    current.add("Total", "合计", context="table row")
    current.add("Total", "总数", context="count")
    current.update(Catalog(), update_creation_date=False)  # nothing used: both obsolete
    assert set(current.obsolete) == {("Total", "table row"), ("Total", "count")}
    used = Catalog()
    used.add("Total", context="table row")
    merged = extract.update(current, used)
    assert merged.get("Total", "table row").string == "合计"
    assert merged.get("Total", "count") is None and ("Total", "count") in merged.obsolete


def test_the_command_checks_the_committed_catalog():
    out = io.StringIO()
    assert messages.main(update=False, out=out) == 0, out.getvalue()
    assert "every one of" in out.getvalue()
