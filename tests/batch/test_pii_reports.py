"""Personal data typed into free text reaches no processed file, quarantine file or rendered report (issue 14, item 6).

A copy of the demo raw data gets, in its opinion texts and the survey's free-text answers, a roster name (three
characters, and a two-character one next to a title), a police number after 警号 and one of the roster's numbers
standing alone, a mobile number and an 18-digit identity card number with a valid check digit; one planted opinion
is also quarantined (an unknown category). The batch then builds the reports that print free text (the cleaning
report, opinions and survey; both languages; the county and one district), and no planted string may be found in
``data/processed`` (Parquet cells, quarantine CSVs, the manifest) or anywhere under the reports folder (HTML,
chart CSVs and every other text file).
"""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml

from analysis.batch import runner
from analysis.core import paths

pytestmark = pytest.mark.slow

NAME = "姜艳河"  # on the demo roster, police number 329495
SHORT_NAME = "薛翔"  # on the demo roster, police number 328302
POLICE_NUMBER = "329495"
ROSTER_NUMBER = "328302"
PHONE = "13912345678"
# 17 digits and the ISO 7064 MOD 11-2 check digit, worked by hand: sum of digit x weight
# (7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2) = 172, 172 mod 11 = 7, "10X98765432"[7] = "5".
ID_NUMBER = "321023198001011235"
PLANTS = (
    f"{NAME}（警号{POLICE_NUMBER}）态度不好",
    f"有事请打{PHONE}",
    f"本人身份证号{ID_NUMBER}",
    f"民警{SHORT_NAME}很负责",
    f"编号{ROSTER_NUMBER} 的民警值得表扬",
)
PLANTED = (NAME, SHORT_NAME, POLICE_NUMBER, ROSTER_NUMBER, PHONE, ID_NUMBER)
TEXT_SUFFIXES = (".html", ".csv", ".json", ".svg", ".txt", ".md", ".log")


def _hand_check_digit(first17: str) -> str:
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return "10X98765432"[sum(int(d) * w for d, w in zip(first17, weights)) % 11]


def _plant(raw: Path) -> None:
    roster = pd.read_excel(raw / "officer_roster.xlsx", dtype=str, engine="calamine")
    on_roster = {*roster["姓名"].str.strip(), *roster["警号"].str.strip()}
    assert {NAME, SHORT_NAME, POLICE_NUMBER, ROSTER_NUMBER} <= on_roster

    path = raw / "opinions_register.csv"
    opinions = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    opinions["内容"] = [f"{t}；{PLANTS[i % len(PLANTS)]}" for i, t in enumerate(opinions["内容"])]
    opinions.loc[len(opinions) - 1, "类别"] = "不存在的类别"  # this one is quarantined, planted text and all
    opinions.to_csv(path, index=False, encoding="utf-8")

    path = raw / "survey_responses.csv"
    survey = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="gb18030")
    answered = survey["意见建议"].ne("")
    survey.loc[answered, "意见建议"] = [
        f"{t}；{PLANTS[i % len(PLANTS)]}" for i, t in enumerate(survey.loc[answered, "意见建议"])
    ]
    survey.to_csv(path, index=False, encoding="gb18030")


def _config(root: Path) -> Path:
    """reports.yml with data and reports under ``root``, only the reports printing free text, one district."""
    config = yaml.safe_load(paths.REPORTS_CONFIG.read_text(encoding="utf-8"))
    config["reports_dir"] = str(root / "reports")
    config["data_dir"] = str(root / "data")
    config["sweep_limit"] = 1  # the county and the first district
    config["reports"] = [r for r in config["reports"] if r["name"] in ("opinions", "survey")]
    config["brief"] = "survey"
    for entry in [config["clean"], *config["reports"]]:
        entry["notebook"] = str((paths.REPORTS_CONFIG.parent / entry["notebook"]).resolve())
    path = root / "reports.yml"
    path.write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def _leaks(folder: Path) -> list[str]:
    """``file: planted string`` for every planted string found in a text file or a Parquet cell under ``folder``."""
    found = []
    for file in sorted(p for p in folder.rglob("*") if p.is_file()):
        if file.suffix == ".parquet":
            frame = pd.read_parquet(file)
            cells = "\n".join(frame[c].astype(str).str.cat(sep="\n") for c in frame.columns)
        elif file.suffix in TEXT_SUFFIXES:
            cells = file.read_text(encoding="utf-8", errors="replace")
        else:
            continue
        found += [f"{file.relative_to(folder)}: {s}" for s in PLANTED if s in cells]
    return found


@pytest.fixture(scope="module")
def planted_batch(tmp_path_factory):
    if not (paths.RAW / paths.SYNTHETIC_MARKER).exists():
        pytest.skip("no demo raw data in data/raw")
    root = tmp_path_factory.mktemp("pii_reports")
    shutil.copytree(paths.RAW, root / "data" / "raw")
    _plant(root / "data" / "raw")
    out = io.StringIO()
    result = runner.run(_config(root), jobs=2, force=True, out=out)
    return root, result, out.getvalue()


def test_the_planted_identity_number_is_valid_by_hand():
    assert _hand_check_digit(ID_NUMBER[:17]) == ID_NUMBER[17]


def test_the_batch_built_the_free_text_reports_in_both_languages(planted_batch):
    root, result, log = planted_batch
    assert result.exit_code == 0, log
    built = {o.report.name for o in result.outcomes if o.status == "built"}
    assert {"opinions", "opinions.en", "survey", "survey.en"} <= built, log
    assert any(n.startswith("opinions--") for n in built) and any(n.startswith("survey--") for n in built), log


def test_the_plants_were_scrubbed_and_counted(planted_batch):
    root, _, _ = planted_batch
    manifest = (root / "data" / "processed" / paths.MANIFEST).read_text(encoding="utf-8")
    replaced = json.loads(manifest)["personal_data_replaced"]
    assert {"name", "police_number", "phone", "id_number"} <= set(replaced), replaced
    quarantine = pd.read_csv(
        root / "data" / "processed" / "quarantine" / "opinions_register.csv", dtype=str, keep_default_na=False
    )
    assert quarantine["text"].str.contains("【姓名】|【电话】|【警号】|【身份证号】").any()


def test_no_planted_string_in_processed_data_or_quarantine(planted_batch):
    root, _, _ = planted_batch
    assert _leaks(root / "data" / "processed") == []


def test_no_planted_string_in_any_rendered_report_or_chart_data(planted_batch):
    root, _, _ = planted_batch
    reports = root / "reports"
    assert any(reports.rglob("*.html")) and any(reports.rglob("*.csv"))
    assert _leaks(reports) == []
    # Not vacuous: the opinions reports print the planted texts, with the placeholders in their place.
    for page in ("opinions.html", "opinions.en.html", "opinions--anyi.html"):
        shown = (reports / page).read_text(encoding="utf-8")
        assert all(p in shown for p in ("【姓名】", "【警号】", "【电话】", "【身份证号】")), page
