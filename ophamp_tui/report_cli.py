"""``ophamp report``: the managers' figures (``data.report``) without the UI, as text, Markdown or JSON."""

from __future__ import annotations

import argparse
import sys

from .data.report import PERIOD_WORDS


def add_command(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    rep = sub.add_parser(
        "report",
        help="the managers' figures for a period: outcomes, RUI, welfare contact, steps most often missed",
        description="Prints the Op Hampshire figures for a period (cases by incident date, London time). "
        "Nothing personal is printed. Exit status 0, or 2 if the store cannot be read.",
    )
    rep.add_argument(
        "--period",
        default="month",
        metavar="PERIOD",
        help=f"{', '.join(PERIOD_WORDS)} (this calendar one, the default: month) or FROM..TO as YYYY-MM-DD..YYYY-MM-DD",
    )
    rep.add_argument("--role", choices=("police_officer", "police_staff", "pcso", "special", "volunteer"),
                     help="only cases whose victim has this role")  # fmt: skip
    rep.add_argument("--format", dest="report_format", choices=("text", "md", "json"), default="text")
    rep.add_argument("--store", metavar="PATH", dest="report_store", help="store directory or postgresql:// URI")


def report_command(args: argparse.Namespace) -> int:
    from .data.clock import now_utc
    from .data.open_store import open_existing
    from .data.paths import resolve_store
    from .data.report import as_json, as_markdown, as_text, build_report, parse_period
    from .data.store_api import StoreError

    now = now_utc()
    try:
        period = parse_period(args.period, now)
    except ValueError as exc:
        print(f"ophamp: --period: {exc}.", file=sys.stderr)
        return 2
    try:
        store = open_existing(resolve_store(args.report_store or args.store))
        report = build_report(store, period, now, role=args.role)
    except StoreError as exc:
        print(f"ophamp: {exc}", file=sys.stderr)
        return 2
    render = {"text": as_text, "md": as_markdown, "json": as_json}[args.report_format]
    sys.stdout.write(render(report))
    return 0
