"""``python -m analysis messages --check | --update``: the project's message ids against the catalog.

The ids a reader can see come from: ``_()`` and friends in ``src/analysis`` and in the notebooks'
code cells (Babel's extractor), the report titles and descriptions and the parameter words of
reports.yml (looked up with ``_`` by the navigation), and the statements of the code's assumption
markers (shown on the methodology page, context ``assumption``). Lives in ``batch``: the lowest layer
that knows reports.yml and the assumptions.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO

import yaml

from analysis.core import paths
from analysis.i18n import extract, labels
from analysis.i18n.catalog import po_path

TRANSLATED = ("zh",)  # every language but the source language (English ids)
ASSUMPTION_CONTEXT = "assumption"


def config_messages(config: Path) -> list[extract.Message]:
    """Descriptions and parameter words of reports.yml, and the titles the label table lacks (``_`` at run time)."""
    raw = yaml.safe_load(Path(config).read_text(encoding="utf-8")) or {}
    where = Path(config).name
    named = labels("report", "en")
    out = []
    for entry in [raw.get("clean")] + list(raw.get("reports") or []):
        for key in ("title", "description"):
            if key == "title" and entry and entry.get("name") in named:
                continue  # the label table names it
            if entry and entry.get(key):
                out.append(extract.Message(str(entry[key]), (where, 0), comments=(f"reports.yml {key}",)))
    for spec in (raw.get("parameters") or {}).values():
        for key in ("whole", "picker"):
            if spec and spec.get(key):
                out.append(extract.Message(str(spec[key]), (where, 0), comments=(f"reports.yml parameter {key}",)))
    return out


def assumption_messages() -> list[extract.Message]:
    """One id per assumption slug: its statement(s), as the methodology page shows them."""
    from analysis.summary.assumptions import collect

    by_slug: dict[str, list] = {}
    for m in collect():
        by_slug.setdefault(m.slug, []).append(m)
    return [
        extract.Message(
            " / ".join(dict.fromkeys(m.text for m in ms)),
            (ms[0].path, ms[0].line),
            context=ASSUMPTION_CONTEXT,
            comments=(f"ASSUMPTION({slug})",),
        )
        for slug, ms in by_slug.items()
    ]


def used_messages(root: Path = paths.ROOT, config: Path = paths.REPORTS_CONFIG) -> extract.Catalog:
    """Every id the project's reports can show, as a template catalog."""
    messages = extract.from_sources(root, root / "src" / "analysis")
    for notebook in sorted((root / "notebooks").glob("*.ipynb")):
        messages += extract.from_notebook(root, notebook)
    messages += config_messages(config)
    messages += assumption_messages()
    return extract.template(messages)


def main(*, update: bool, out: TextIO | None = None) -> int:
    """Check (exit 1 on any id without a translation) or update every translated language's .po."""
    out = out or sys.stdout
    used = used_messages()
    failed = False
    for lang in TRANSLATED:
        current = extract.read(lang)
        if update:
            merged = extract.update(current, used)
            po_path(lang).write_text(extract.po_text(merged, lang), encoding="utf-8")
            current = merged
            print(f"{po_path(lang)}: updated ({len(used)} ids used)", file=out)
        else:
            spare = extract.unused(current, used)
            if spare:
                print(f"{lang}: {len(spare)} entries no code uses (--update marks them obsolete)", file=out)
        gaps = extract.problems(current, used)
        for problem in gaps:
            print(f"{lang}: {problem}", file=out)
        if gaps:
            failed = True
            print(f"{lang}: {len(gaps)} of {len(used)} ids a reader would see in English", file=out)
        else:
            print(f"{lang}: every one of {len(used)} ids translated", file=out)
    return 1 if failed and not update else 0
