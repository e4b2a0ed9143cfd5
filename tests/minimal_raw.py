"""A tiny, valid raw export of every contract file, for cleaning tests (one or two rows each)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis.data.contract import LIKERT_ITEMS

ROWS = {
    "officer_roster": [
        {
            "police_number": "321001",
            "name": "张 三",
            "unit": "Anyi Police Station",
            "police_type": "community",
            "age_band": "30-39",
            "sex": "M",
            "cadre_candidate": "yes",
            "joined": "2001-03-01",
            "left": "",
        },
        {
            "police_number": "321002",
            "name": "李四",
            "unit": "交警大队",
            "police_type": "traffic",
            "age_band": "under 30",
            "sex": "F",
            "cadre_candidate": "否",
            "joined": "2004/2/1",
            "left": "",
        },
    ],
    "population_margins": [
        {"district": d, "age_band": a, "sex": s, "population": "1000"}
        for d in ("Anyi", "Fanshui")
        for a in ("18-29", "30-44", "45-59", "60+")
        for s in ("M", "F")
    ],
    "households": [{"district": "Anyi", "households": "5000"}, {"district": "Fanshui", "households": "3000"}],
    "survey_batches": [
        {"batch_id": "B01", "channel": "street", "district": "Anyi", "date": "2004-04-25", "forms_distributed": "50"},
        {
            "batch_id": "B02",
            "channel": "family",
            "district": "Fanshui",
            "date": "2004-04-26",
            "forms_distributed": "40",
        },
    ],
    "survey_responses": [
        {
            "form_id": f"F{i:03d}",
            "batch_id": "B01" if i % 2 else "B02",
            "date": "2004-04-27",
            "channel": "street" if i % 2 else "family",
            "district": "Anyi" if i % 2 else "Fanshui",
            "age_band": "30-44",
            "sex": "M",
            "occupation": "worker",
            "police_contact": "no",
            **{q: str(1 + (i + j) % 5) for j, q in enumerate(LIKERT_ITEMS)},
            "opinion": "",
        }
        for i in range(1, 5)
    ],
    "opinions_register": [
        {
            "suggestion_id": "S1",
            "opinion_id": "OP1",
            "received": "2004-04-25",
            "source": "questionnaire",
            "district": "Anyi",
            "category": "law_enforcement",
            "subcategory": "attitude",
            "text": "态度要好",
            "second_coder_category": "",
        },
        {
            "suggestion_id": "S2",
            "opinion_id": "OP2",
            "received": "2004-04-26",
            "source": "visit",
            "district": "",
            "category": "team_building",
            "subcategory": "training",
            "text": "more <b>training</b>",
            "second_coder_category": "team_building",
        },
    ],
    "rectification_ledger": [
        {
            "opinion_id": "OP1",
            "owner_unit": "Anyi Police Station",
            "plan_date": "2004-05-01",
            "deadline": "2004-07-01",
            "status": "rectified",
            "closed_date": "2004-06-15",
        },
        {
            "opinion_id": "OP2",
            "owner_unit": "Traffic Police Brigade",
            "plan_date": "2004-05-01",
            "deadline": "2004-09-01",
            "status": "in_progress",
            "closed_date": "",
        },
    ],
    "fitness_tests": [
        {
            "police_number": "321001",
            "name": "张三",
            "round": "1",
            "date": "2004-05-10",
            "status": "tested",
            "item": "pushups",
            "result": "30",
            "standard": "S-M-30",
            "threshold": "25",
            "better": "higher",
        },
        {
            "police_number": "321002",
            "name": "李四",
            "round": "1",
            "date": "2004-05-10",
            "status": "tested",
            "item": "run_1000m",
            "result": "250",
            "standard": "S-F-U30",
            "threshold": "270",
            "better": "lower",
        },
    ],
    "training_credits": [
        {
            "police_number": "321001",
            "name": "张三",
            "month": "2004-05",
            "course": "Law",
            "course_type": "public",
            "score": "82",
        },
        {
            "police_number": "321002",
            "name": "李四",
            "month": "2004/5",
            "course": "Law",
            "course_type": "public",
            "score": "69",
        },
    ],
    "democratic_review": [{"unit": "Anyi Police Station", "round": "1", "score": "85.5", "raters": "40"}],
    "case_files": [
        {
            "unit": "Anyi Police Station",
            "month": "2004-06",
            "file_id": "A-001",
            "score": "88",
            "rating": "best",
            "collective_decision": "no",
        }
    ],
    "cadre_competition": [
        {
            "post_id": "P1",
            "post": "Deputy head",
            "level": "middle",
            "deputy_director": "no",
            "police_number": "321001",
            "name": "张三",
            "outcome": "appointed",
        }
    ],
    "campaign_activities": [
        {
            "campaign": "traffic",
            "date": "2004-06-01",
            "unit": "Traffic Police Brigade",
            "site": "",
            "activity": "open_letters",
            "quantity": "100",
            "measure": "copies",
        }
    ],
}

STEMS = {"survey_batches": "survey_distribution"}


def write_minimal_raw(raw_dir: Path, *, synthetic: bool = True, rows: dict | None = None) -> Path:
    raw_dir.mkdir(parents=True, exist_ok=True)
    for dataset, records in {**ROWS, **(rows or {})}.items():
        pd.DataFrame(records).to_csv(raw_dir / f"{STEMS.get(dataset, dataset)}.csv", index=False, encoding="utf-8")
    if synthetic:
        (raw_dir / "SYNTHETIC").write_text("test fixture\n", encoding="utf-8")
    return raw_dir
