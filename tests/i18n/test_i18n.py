"""The message catalog and the label table: lookups, fallbacks, and the table held to the contract."""

from __future__ import annotations

import csv
import re
import threading

import pytest

from analysis.core import language, paths
from analysis.data.contract import RAW_FILES
from analysis.data.normalise import match_key
from analysis.i18n import _, catalog, label, labels, labels_module, relabel


def test_a_message_comes_out_in_the_current_language():
    with language.using("zh"):
        assert _("All reports") == "全部报告"
    with language.using("en"):
        assert _("All reports") == "All reports"


def test_an_untranslated_message_falls_back_to_english_and_is_remembered():
    with language.using("zh"):
        assert _("A sentence nobody translated") == "A sentence nobody translated"
    assert ("zh", "A sentence nobody translated") in catalog.missing_messages()


def test_the_language_is_per_thread_of_work():
    seen = {}

    def write(lang):
        with language.using(lang):
            seen[lang] = _("All reports")

    threads = [threading.Thread(target=write, args=(lang,)) for lang in language.LANGUAGES]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert seen == {"zh": "全部报告", "en": "All reports"}


def test_an_unknown_language_is_refused_with_the_choices():
    with pytest.raises(ValueError, match="zh, en"):
        language.use("fr")


def test_labels_in_both_languages_and_missing_values_as_a_dash():
    assert label("district", "Xi'anfeng", "zh") == "西安丰镇"
    assert label("district", "Xi'anfeng", "en") == "Xi'anfeng"
    assert label("district", None) == "–"
    with language.using("zh"):
        assert list(relabel(__import__("pandas").Series(["Anyi", "Fanshui"]), "district")) == ["安宜镇", "氾水镇"]


def test_an_unknown_code_is_shown_as_spelled_and_remembered():
    assert label("unit", "Lake Patrol Station", "zh") == "Lake Patrol Station"
    assert ("unit", "Lake Patrol Station") in labels_module.missing_labels()


# --- the table against the contract --------------------------------------------------------------
# Contract column kind -> label kind, for every category column a reader can see.
KIND_OF_COLUMN = {
    ("survey_batches", "channel"): "channel",
    ("survey_responses", "age_band"): "age_band",
    ("survey_responses", "sex"): "sex",
    ("survey_responses", "occupation"): "occupation",
    ("opinions_register", "category"): "opinion_category",
    ("opinions_register", "source"): "opinion_source",
    ("rectification_ledger", "status"): "rectification_status",
    ("officer_roster", "police_type"): "police_type",
    ("officer_roster", "age_band"): "officer_age_band",
    ("fitness_tests", "status"): "fitness_status",
    ("fitness_tests", "item"): "fitness_item",
    ("fitness_tests", "better"): "better",
    ("training_credits", "course_type"): "course_type",
    ("case_files", "rating"): "file_rating",
    ("cadre_competition", "level"): "competition_level",
    ("cadre_competition", "outcome"): "competition_outcome",
    ("campaign_activities", "campaign"): "campaign",
    ("campaign_activities", "activity"): "activity",
}


def _column(dataset, name):
    return next(s for s in RAW_FILES if s.dataset == dataset).column(name)


@pytest.mark.parametrize("dataset, column", sorted(KIND_OF_COLUMN), ids="/".join)
def test_every_code_the_contract_allows_has_a_name_in_both_languages(dataset, column):
    kind = KIND_OF_COLUMN[(dataset, column)]
    allowed = _column(dataset, column).allowed
    zh, en = labels(kind, "zh"), labels(kind, "en")
    assert set(allowed) <= set(zh), f"{kind}: no label for {sorted(set(allowed) - set(zh))}"
    assert all(zh[c] and en[c] for c in allowed)


@pytest.mark.parametrize("dataset, column", sorted(KIND_OF_COLUMN), ids="/".join)
def test_chinese_names_are_the_contracts_own_spellings(dataset, column):
    # Not translated ad hoc: the Chinese name is one the contract accepts for that code.
    kind = KIND_OF_COLUMN[(dataset, column)]
    allowed = _column(dataset, column).allowed
    for code, name in labels(kind, "zh").items():
        spellings = {match_key(s) for s in allowed.get(code, ())}
        name = re.sub(r"（[^（）]+）$", "", name)  # an indicator's measure word, as statistical tables add it
        assert match_key(name) in spellings, f"{kind} {code}: {name!r} is not among {sorted(allowed.get(code, ()))}"


@pytest.mark.parametrize("kind", ["district", "unit"])
def test_places_and_units_are_named_as_in_the_aliases(kind):
    with open(paths.ALIASES, encoding="utf-8", newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if r["kind"] == kind]
    canonical = {r["canonical"] for r in rows}
    zh = labels(kind, "zh")
    assert canonical <= set(zh), sorted(canonical - set(zh))
    for code in canonical:
        assert zh[code] in {r["alias"] for r in rows if r["canonical"] == code}, code
