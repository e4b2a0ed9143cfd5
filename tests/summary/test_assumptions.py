import pytest

from analysis.data.contract import RAW_FILES
from analysis.summary import assumptions as a


def _tree(tmp_path, files: dict):
    src = tmp_path / "src" / "analysis"
    for name, text in files.items():
        path = src / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return src


def test_collect_finds_markers_with_file_and_line(tmp_path):
    src = _tree(
        tmp_path,
        {
            "b.py": "x = 1\n# ASSUMPTION(zeta-rule): z holds.\n",
            "sub/a.py": "def f():\n    return 1  # ASSUMPTION(alpha): a | b holds.\n",
            "c.txt": "# ASSUMPTION(ignored): not python\n",
        },
    )
    found = a.collect(src, root=tmp_path)
    assert [(m.slug, m.path, m.line) for m in found] == [
        ("alpha", "src/analysis/sub/a.py", 2),
        ("zeta-rule", "src/analysis/b.py", 2),
    ]
    table = a.render_markers(found)
    assert "[src/analysis/sub/a.py:2](../src/analysis/sub/a.py#L2)" in table
    assert "a \\| b holds." in table  # a pipe cannot break the Markdown table


def test_same_slug_in_two_places_is_one_row_with_both_links(tmp_path):
    src = _tree(tmp_path, {"a.py": "# ASSUMPTION(shared): s.\n", "b.py": "\n# ASSUMPTION(shared): s.\n"})
    table = a.render_markers(a.collect(src, root=tmp_path))
    row = [line for line in table.splitlines() if "`shared`" in line]
    assert len(row) == 1 and "a.py:1" in row[0] and "b.py:2" in row[0]


@pytest.mark.parametrize("line", ["# ASSUMPTION(Bad_Slug): text", "# ASSUMPTION(ok):", "# ASSUMPTION: no slug"])
def test_malformed_marker_is_an_error_naming_the_place(tmp_path, line):
    src = _tree(tmp_path, {"x.py": f"y = 2\n{line}\n"})
    with pytest.raises(ValueError, match=r"src/analysis/x.py:2"):
        a.collect(src, root=tmp_path)


def test_update_keeps_hand_written_text_and_needs_the_section_markers(tmp_path):
    doc = a.DEFAULT_DOC.format(caveats="- **mine**: kept as written.", generated=f"{a.BEGIN}\nold\n{a.END}")
    markers = [a.Marker("new-one", "fresh.", "src/analysis/x.py", 3)]
    out = a.update(doc, markers)
    assert "- **mine**: kept as written." in out and "`new-one`" in out and "\nold\n" not in out
    assert a.caveats(out) == [{"slug": "mine", "text": "kept as written."}]
    with pytest.raises(ValueError, match="generated-section markers"):
        a.update("# no markers here", markers)


def test_committed_docs_are_up_to_date_with_the_code():
    # Fails when someone adds, moves or edits a marker (or a raw file) without regenerating:
    # run `python -m analysis assumptions-doc --write` (or analysis.summary.assumptions.write_docs()).
    assert a.stale_docs() == []


def test_every_marker_in_the_code_is_in_the_doc_and_caveats_are_read():
    text = a.ASSUMPTIONS_DOC.read_text(encoding="utf-8")
    for m in a.collect():
        assert f"`{m.slug}`" in text and f"{m.path}:{m.line}" in text
    hand, markers = a.read_caveats()
    assert {"synthetic-demo", "self-selected-sample", "outputs-not-outcomes"} <= {c["slug"] for c in hand}
    assert markers


def test_write_docs_regenerates_a_stale_doc(tmp_path):
    doc, log = tmp_path / "assumptions.md", tmp_path / "data-log.md"
    doc.write_text(a.DEFAULT_DOC.format(caveats="- **c**: d.", generated=f"{a.BEGIN}\n{a.END}"), encoding="utf-8")
    assert set(a.stale_docs(doc, log)) == {doc, log}
    assert set(a.write_docs(doc, log)) == {doc, log}
    assert a.stale_docs(doc, log) == []
    assert a.write_docs(doc, log) == []


def test_data_log_covers_every_raw_file_and_refuses_gaps():
    log = a.render_data_log()
    for f in RAW_FILES:
        assert f"### {f.dataset}" in log and f"`data/raw/{f.stem}`" in log and f.owner in log
    partial = dict(a.DATA_SOURCES)
    partial.pop("households")
    with pytest.raises(ValueError, match="households"):
        a.render_data_log(sources=partial)
    bad = dict(a.DATA_SOURCES, households=("x", "PURPLE", "y"))
    with pytest.raises(ValueError, match="PURPLE"):
        a.render_data_log(sources=bad)


def test_caveats_html_is_escaped():
    out = a.caveats_html([{"slug": "x", "text": "a <b> & c"}], [a.Marker("m", "uses <script>", "src/analysis/q.py", 4)])
    assert "a &lt;b&gt; &amp; c" in out and "<script>" not in out and "src/analysis/q.py:4" in out
    assert "missing" in a.caveats_html([], [])


def test_data_log_lists_exactly_the_reference_files():
    from analysis.core import paths

    on_disk = {f"data/reference/{p.name}" for p in paths.REFERENCE.iterdir() if p.is_file()}
    assert set(a.REFERENCE_SOURCES) == on_disk
