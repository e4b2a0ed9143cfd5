"""Thin command line over the package: each sub-command calls one Python function."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from analysis.core import paths


def _demo_data(args: argparse.Namespace) -> int:
    from analysis.demo import write_demo_data

    written = write_demo_data(Path(args.out), seed=args.seed, scale=args.scale, counties=args.counties)
    for path in written:
        print(path)
    return 0


def _clean(args: argparse.Namespace) -> int:
    from analysis.batch.command import clean_any

    result = clean_any(Path(args.raw_dir), Path(args.processed_dir))
    print(result.summary_text())
    return 1 if getattr(result.clean, "failed", None) else 0  # a province with a county not cleaned


def _key_figures(args: argparse.Namespace) -> int:
    from analysis.summary.key_figures import write_key_figures

    table = write_key_figures(Path(args.processed_dir))
    print(table.to_string(index=False))
    return 0 if table["matches"].all() else 1


def _contract_doc(args: argparse.Namespace) -> int:
    from analysis.data.contract_doc import render_contract

    text = render_contract()
    if args.write:
        (paths.DOCS / "data-contract.md").write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


def _accept_outputs(args: argparse.Namespace) -> int:
    import tempfile

    import papermill as pm

    from analysis.batch.notebook_outputs import strip_file

    for name in args.notebooks:
        source = Path(name).resolve()
        with tempfile.TemporaryDirectory() as tmp:
            executed = Path(tmp) / source.name
            # Figures of an acceptance run are thrown away with it, not mixed into reports/.
            figures = (
                {"figures_dir": str(Path(tmp) / "figures")} if "figures_dir" in pm.inspect_notebook(str(source)) else {}
            )
            pm.execute_notebook(
                str(source), str(executed), kernel_name="python3", progress_bar=False, cwd=tmp, parameters=figures
            )
            strip_file(executed, source)
        print(f"{source.name}: checked outputs accepted")
    return 0


def _check_notebooks(args: argparse.Namespace) -> int:
    from analysis.batch.notebook_outputs import unstripped

    bulky = unstripped(args.notebooks or sorted(paths.NOTEBOOKS.glob("*.ipynb")))
    for path in bulky:
        print(
            f"{path}: carries outputs besides the checked cells' text; run `python -m analysis accept-outputs {path}`"
        )
    return 1 if bulky else 0


def _assumptions_doc(args: argparse.Namespace) -> int:
    from analysis.summary.assumptions import stale_docs, write_docs

    if args.write:
        for path in write_docs():
            print(f"written: {path}")
        return 0
    stale = stale_docs()
    for path in stale:
        print(f"out of date: {path}")
    return 1 if stale else 0


def _messages(args: argparse.Namespace) -> int:
    from analysis.batch.messages import main as messages_main

    return messages_main(update=args.update)


def _run(args: argparse.Namespace) -> int:
    from analysis.batch.command import main as run_main

    return run_main(args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m analysis", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("demo-data", help="write the synthetic demo raw data")
    p.add_argument("--seed", type=int, default=2004)
    p.add_argument(
        "--scale", type=int, default=1, help="K counties glued into one county's files (the benchmark's x100)"
    )
    p.add_argument(
        "--counties", type=int, default=0, help="a province: one folder per county, county 1 the default demo"
    )
    p.add_argument("--out", default=str(paths.RAW), help="folder to write (default data/raw)")
    p.set_defaults(func=_demo_data)

    p = sub.add_parser("clean", help="validate and clean data/raw into data/processed")
    p.add_argument("--raw-dir", default=str(paths.RAW))
    p.add_argument("--processed-dir", default=str(paths.PROCESSED))
    p.set_defaults(func=_clean)

    p = sub.add_parser("key-figures", help="compute every published figure from data/processed")
    p.add_argument("--processed-dir", default=str(paths.PROCESSED))
    p.set_defaults(func=_key_figures)

    p = sub.add_parser("contract-doc", help="print (or --write) docs/data-contract.md")
    p.add_argument("--write", action="store_true")
    p.set_defaults(func=_contract_doc)

    p = sub.add_parser(
        "accept-outputs",
        help="execute notebooks with their defaults and commit-ready strip "
        "them, keeping only the outputs nbval checks (accepting a changed result on purpose)",
    )
    p.add_argument("notebooks", nargs="+")
    p.set_defaults(func=_accept_outputs)

    p = sub.add_parser("check-notebooks", help="fail if a notebook is committed with more than its checked outputs")
    p.add_argument("notebooks", nargs="*")
    p.set_defaults(func=_check_notebooks)

    p = sub.add_parser("assumptions-doc", help="check (or --write) docs/assumptions.md and docs/data-log.md")
    p.add_argument("--write", action="store_true")
    p.set_defaults(func=_assumptions_doc)

    p = sub.add_parser("messages", help="check (or --update) the message catalog against every id the code uses")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true", help="list ids without a Chinese translation (default)")
    mode.add_argument("--update", action="store_true", help="add new ids to the .po files, mark unused ones")
    p.set_defaults(func=_messages)

    p = sub.add_parser("run", help="clean, then execute and render every report (make reports)")
    p.add_argument("--config", default=str(paths.REPORTS_CONFIG))
    p.add_argument("--jobs", type=int, default=None)
    p.add_argument("--only", action="append", default=None, metavar="NAME")
    p.add_argument("--force", action="store_true")
    p.add_argument("-p", "--param", action="append", default=[], metavar="KEY=VALUE")
    p.add_argument("--lang", default=None, metavar="LANG", help="build one language only (zh or en); default: all")
    p.add_argument(
        "--cluster",
        default=None,
        metavar="local|tcp://HOST:8786",
        help="run the reports as Dask tasks: a LocalCluster of --jobs workers, or a running scheduler",
    )
    p.set_defaults(func=_run)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from analysis.core.errors import AnalysisError

    try:
        return args.func(args)
    except AnalysisError as exc:
        # Input problems are the analyst's to fix: say what and where, without a traceback.
        print(f"error: {exc}", file=sys.stderr)
        return 2
