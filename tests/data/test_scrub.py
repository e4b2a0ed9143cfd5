"""Personal data in free text (issue 14 item 6): replaced by its placeholder before anything is written."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.data.cleaning import clean_all
from analysis.data.scrub import id_check_digit, roster_scrubber
from minimal_raw import ROWS, write_minimal_raw

# GB 11643-1999's own example number (check character X), and one worked by hand:
# digits 1..9,0,1..7 weighted 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2 sum to 368; 368 mod 11 = 5 -> '7'
# (the check characters for remainders 0..10 are 1 0 X 9 8 7 6 5 4 3 2).
ID_EXAMPLE = "11010519491231002X"
HAND_WORKED = "12345678901234567" + "7"


@pytest.mark.parametrize("number", [ID_EXAMPLE, HAND_WORKED])
def test_check_digit_matches_independent_examples(number):
    assert id_check_digit(number[:17]) == number[17]


SCRUB = roster_scrubber(["姜艳河", "李四", "文明", "John Smith"], ["329495", "321002"])


@pytest.mark.parametrize(
    "text, expected",
    [
        ("姜艳河（警号329495）态度不好", "【姓名】（【警号】）态度不好"),
        ("民警李四很好", "民警【姓名】很好"),
        ("李四", "【姓名】"),
        ("找李四。", "找李四。"),  # a short name inside running Chinese text, no title: left (see the assumption)
        ("文明执法，热情服务", "文明执法，热情服务"),  # a roster name that is also an ordinary word
        ("电话13812345678，座机0574-87654321", "电话【电话】，座机【电话】"),
        ("+86 13912345678", "【电话】"),
        (f"身份证{ID_EXAMPLE}号", "身份证【身份证号】号"),
        ("身份证11010519491231002 1", "身份证11010519491231002 1"),
        ("旧证110105491231002", "旧证【身份证号】"),
        ("11010519491231003X", "11010519491231003X"),  # wrong check digit: not an identity card number
        ("编号3294951", "编号3294951"),  # a roster police number inside a longer number is not one
        ("321002号民警", "【警号】号民警"),
        ("John Smith came", "【姓名】 came"),
        ("共 12 人，2004 年", "共 12 人，2004 年"),
    ],
)
def test_each_kind_is_replaced_and_ordinary_text_is_not(text, expected):
    assert SCRUB.scrub(text)[0] == expected


PLANTED = ["姜艳河", "329495", "李四", "13812345678", "0574-87654321", ID_EXAMPLE, "110105491231002"]


def test_planted_personal_data_reaches_no_processed_or_quarantine_file(tmp_path):
    roster = [dict(r) for r in ROWS["officer_roster"]] + [
        {**ROWS["officer_roster"][0], "police_number": "329495", "name": "姜艳河"}
    ]
    opinions = [dict(r) for r in ROWS["opinions_register"]]
    opinions[0]["text"] = "姜艳河（警号329495）态度不好，电话13812345678"
    opinions[1]["text"] = f"民警李四来过，座机0574-87654321，身份证{ID_EXAMPLE}"
    # A quarantined row (unknown category) keeps its text in the quarantine file: scrubbed there too.
    opinions.append(
        {**opinions[0], "suggestion_id": "S3", "opinion_id": "OP3", "category": "x", "text": "旧证110105491231002 李四"}
    )
    forms = [dict(r) for r in ROWS["survey_responses"]]
    forms[0]["opinion"] = "姜艳河态度好 13812345678"
    forms[1]["opinion"] = "警号 321002 的民警很好"
    raw = write_minimal_raw(
        tmp_path / "raw", rows={"officer_roster": roster, "opinions_register": opinions, "survey_responses": forms}
    )
    out = tmp_path / "out"
    manifest = clean_all(raw, out).manifest

    written = [p for p in out.rglob("*") if p.is_file()]
    for path in written:
        if path.suffix == ".parquet":
            content = pd.read_parquet(path).astype(str).to_csv()
        else:
            content = path.read_text(encoding="utf-8")
        for value in PLANTED:
            assert value not in content, (path.name, value)
    texts = pd.read_parquet(out / "opinions_register.parquet")["text"].tolist()
    # Cleaning's NFKC turns full-width brackets and commas into ASCII ones; the placeholders stay as they are.
    assert texts == ["【姓名】(【警号】)态度不好,电话【电话】", "民警【姓名】来过,座机【电话】,身份证【身份证号】"]
    assert manifest["inputs"]["opinions_register.csv"]["personal_data_replaced"] == {
        "id_number": 2,
        "phone": 2,
        "police_number": 1,
        "name": 3,
    }
    assert manifest["inputs"]["survey_responses.csv"]["personal_data_replaced"] == {
        "phone": 1,
        "police_number": 1,
        "name": 1,
    }
    assert manifest["personal_data_replaced"] == {"id_number": 2, "phone": 3, "police_number": 2, "name": 4}
