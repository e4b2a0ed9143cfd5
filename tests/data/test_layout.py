"""The raw folder's layout (one county, or a province of county folders) and a province's cleaning."""

from __future__ import annotations

import json

import pandas as pd
import pyarrow.dataset as ds
import pytest

from analysis.batch.command import clean_province_and_compute
from analysis.core import paths
from analysis.core.errors import AnalysisError
from analysis.data.layout import COUNTY, PROVINCE, county_names, detect_layout, is_province, slug_of
from analysis.data.processed import current_generation, load, verify
from minimal_raw import write_minimal_raw


def test_one_county_folder_is_the_county_layout(tmp_path):
    raw = write_minimal_raw(tmp_path / "raw")
    (raw / "notes").mkdir()  # a folder without exports is not a county
    layout = detect_layout(raw)
    assert layout.kind == COUNTY and layout.counties == ()
    assert not is_province(raw)


def test_county_folders_are_a_province_named_from_the_aliases(tmp_path):
    raw = tmp_path / "raw"
    write_minimal_raw(raw / "baoying")
    write_minimal_raw(raw / "Gao You")
    (raw / "README.md").write_text("a province\n", encoding="utf-8")
    layout = detect_layout(raw)
    assert layout.kind == PROVINCE and is_province(raw)
    assert [(c.slug, c.name, c.name_zh) for c in layout.counties] == [
        ("gao-you", "Gao You", "Gao You"),  # not in the aliases: its folder's name
        ("baoying", "Baoying", "宝应"),
    ]
    assert layout.county("baoying").partition == "county=baoying"


def test_mixed_and_empty_folders_are_refused_by_name(tmp_path):
    raw = write_minimal_raw(tmp_path / "raw")
    write_minimal_raw(raw / "gaoyou")
    with pytest.raises(AnalysisError, match=r"both exports .* and county folders \(gaoyou\)"):
        detect_layout(raw)
    with pytest.raises(AnalysisError, match="not both"):
        is_province(raw)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(AnalysisError, match=r"empty: no exports found"):
        detect_layout(empty)
    assert not is_province(empty) and not is_province(tmp_path / "absent")


def test_county_spellings():
    assert county_names("宝应县") == ("Baoying", "宝应")
    assert county_names("YIZHENG") == ("Yizheng", "仪征")
    assert slug_of(" Bao Ying ") == "bao-ying"


def _province(tmp_path, counties=("baoying", "gaoyou", "yizheng"), broken=()):
    raw = tmp_path / "data" / "raw"
    for name in counties:
        write_minimal_raw(raw / name)
        if name in broken:
            (raw / name / "households.csv").unlink()
    return raw, tmp_path / "data" / "processed"


def test_a_province_cleans_into_hive_partitions_with_its_manifests(tmp_path):
    raw, processed = _province(tmp_path, counties=("baoying", "gaoyou"))
    cleaned = clean_province_and_compute(raw, processed, jobs=2)
    assert current_generation(processed) is not None  # the whole province switched in one step
    province = json.loads((processed / paths.MANIFEST).read_text(encoding="utf-8"))
    assert set(province["counties"]) == {"baoying", "gaoyou"}
    for slug, entry in province["counties"].items():
        county_dir = processed / f"county={slug}"
        county = json.loads((county_dir / paths.MANIFEST).read_text(encoding="utf-8"))
        assert entry["status"] == "clean"
        # rows in = clean + quarantined, per file and per county, as the county's own manifest says
        for name, counts in entry["files"].items():
            assert counts["rows_in"] == counts["clean"] + counts["quarantined"]
            assert counts["rows_in"] == county["inputs"][name]["rows_in"]
        assert (
            entry["rows_in"]
            == entry["clean"] + entry["quarantined"]
            == sum(f["rows_in"] for f in entry["files"].values())
        )
        # every current loader reads the county's folder as a processed data set, hashes checked
        assert len(load("officer_roster", county_dir)) == county["inputs"]["officer_roster.csv"]["clean"]
        assert (county_dir / paths.KEY_FIGURES).exists()
    assert province["rows_in"] == province["clean"] + province["quarantined"]
    assert province["rows_in"] == sum(e["rows_in"] for e in province["counties"].values())
    verify(processed / "county=gaoyou" / "officer_roster.parquet", processed)  # the province manifest hashes it too
    files = sorted(str(p) for p in processed.glob("county=*/officer_roster.parquet"))
    table = ds.dataset(files, format="parquet", partitioning="hive", partition_base_dir=str(processed)).to_table()
    assert sorted(set(table.column("county").to_pylist())) == ["baoying", "gaoyou"]
    kf = pd.read_csv(processed / paths.KEY_FIGURES)
    assert list(kf.columns)[0] == "county" and set(kf["county"]) == {"baoying", "gaoyou"}
    assert "baoying" in cleaned.summary_text()


def test_a_county_that_fails_is_named_and_the_others_still_clean(tmp_path):
    raw, processed = _province(tmp_path, broken=("gaoyou",))
    cleaned = clean_province_and_compute(raw, processed, jobs=1)
    assert [c.county.slug for c in cleaned.clean.failed] == ["gaoyou"]
    error = cleaned.clean.failed[0].error
    assert "households.csv" in error and "not found" in error
    province = json.loads((processed / paths.MANIFEST).read_text(encoding="utf-8"))
    assert province["counties"]["gaoyou"]["status"] == "failed"
    assert province["counties"]["gaoyou"]["error"] == error
    assert not (processed / "county=gaoyou").exists()
    assert {p.name for p in processed.glob("county=*")} == {"county=baoying", "county=yizheng"}
    assert "gaoyou" in cleaned.summary_text() and "NOT cleaned" in cleaned.summary_text()


def test_a_province_where_no_county_cleans_keeps_the_previous_data(tmp_path):
    raw, processed = _province(tmp_path, counties=("baoying",))
    clean_province_and_compute(raw, processed, jobs=1)
    before = current_generation(processed)
    (raw / "baoying" / "households.csv").unlink()
    with pytest.raises(AnalysisError, match="no county could be cleaned"):
        clean_province_and_compute(raw, processed, jobs=1)
    assert current_generation(processed) == before


@pytest.mark.slow
def test_the_demo_province_cleans_county_by_county(demo_province):
    """demo-data --counties 3, cleaned (conftest): county 1 is the demo (every published figure reproduced)."""
    kf = demo_province.key_figures
    baoying = kf[kf["county"] == "baoying"]
    assert len(baoying) and baoying["matches"].all()
    assert not kf.loc[kf["county"] == "yizheng", "matches"].all()  # the outlier is its own county
    processed = demo_province.processed
    manifest = json.loads((processed / paths.MANIFEST).read_text(encoding="utf-8"))
    assert manifest["synthetic"] and set(manifest["counties"]) == {"baoying", "gaoyou", "yizheng"}
    files = sorted(str(p) for p in processed.glob("county=*/survey_responses.parquet"))
    table = ds.dataset(files, format="parquet", partitioning="hive", partition_base_dir=str(processed))
    counts = table.to_table(columns=["county"]).column("county").value_counts().to_pylist()
    assert {c["values"]: c["counts"] for c in counts} == {
        slug: manifest["counties"][slug]["files"]["survey_responses.csv"]["clean"] for slug in manifest["counties"]
    }


def test_clean_command_on_a_province_names_the_failed_county_and_exits_1(tmp_path, capsys):
    from analysis import cli

    raw, processed = _province(tmp_path, counties=("baoying", "gaoyou"), broken=("gaoyou",))
    code = cli.main(["clean", "--raw-dir", str(raw), "--processed-dir", str(processed)])
    out = capsys.readouterr().out
    assert code == 1
    assert "county gaoyou" in out and "NOT cleaned" in out and "households.csv" in out
    assert (processed / "county=baoying" / paths.MANIFEST).exists()
    write_minimal_raw(raw)  # exports beside the county folders: which is meant cannot be told
    code = cli.main(["clean", "--raw-dir", str(raw), "--processed-dir", str(processed)])
    assert code == 2 and "not both" in capsys.readouterr().err
