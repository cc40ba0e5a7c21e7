"""``ophamp export``: the command line of ``data.export`` (no Textual here). The columns are documented
in ``data/export.py`` and the README."""

from __future__ import annotations

import argparse
import contextlib
import io
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

EXPORT_HELP = """\
Writes every case for a force analyst (--format csv or json, one row per case), a handover of one case
for the next supervisor or investigating officer (--case ID --format md: what happened, what is done,
what is due from whom and by when), or the national return (--national: the fields the national
assaults data collects, anonymised, one row per victim per incident).

--anonymise replaces names and collar/staff numbers with pseudonyms (the same person gets the same one
in every export from the same store on this computer) and leaves out everything typed as free text.
Files are readable by you only (0600) and never replace an existing file unless --force is given;
without -o (or with -o -) the export is printed. The columns: --columns, or the README.
Exit status 0, or 2 when nothing was written (the message says why)."""


def add_command(sub: Any) -> None:
    """``ophamp export`` on the main parser's sub-commands."""
    p = sub.add_parser(
        "export",
        help="cases as CSV/JSON for an analyst, one case's handover (Markdown), the national return",
        description=EXPORT_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--format", dest="export_format", choices=("csv", "json", "md"), help="csv (default), json or md")
    p.add_argument("--case", dest="export_case", metavar="ID", help="one case (its handover, with --format md)")
    p.add_argument("--anonymise", "--anonymize", action="store_true", help="pseudonyms for people, no free text")
    p.add_argument("--national", action="store_true", help="the national return (always anonymised; csv or json)")
    p.add_argument("-o", "--output", metavar="FILE", help="where to write (default, or -: print it)")
    p.add_argument("--force", action="store_true", help="replace FILE if it exists")
    p.add_argument("--store", metavar="PATH", dest="export_store", help="store directory or postgresql:// URI")
    p.add_argument("--demo", action="store_true", help="export from the training store (ophamp demo's)")
    p.add_argument("--columns", action="store_true", help="print the columns of this export and stop")


def _fail(err: TextIO, message: str) -> int:
    print(f"ophamp: {message}", file=err)
    return 2


@contextlib.contextmanager
def _destination(output: str | None, force: bool, out: TextIO) -> Iterator[TextIO]:
    from .data.export import OutputFile  # noqa: PLC0415 - loaded only for this command

    if output in (None, "-"):
        yield out
        return
    assert output is not None
    with OutputFile(Path(output).expanduser(), force=force) as f:
        yield f


def export_command(args: argparse.Namespace, out: TextIO | None = None, err: TextIO | None = None) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    from .data import export as X  # noqa: PLC0415 - loaded only for this command

    fmt = args.export_format or ("md" if args.export_case and not args.national else "csv")
    if args.national and fmt == "md":
        return _fail(err, "the national return is CSV or JSON: leave out --format md.")
    if fmt == "md" and not args.export_case:
        return _fail(err, "a Markdown handover is of one case: add --case ID.")
    if args.national and args.export_case:
        return _fail(err, "the national return covers every case: leave out --case.")
    if args.columns:
        if fmt == "md":
            return _fail(err, "a handover has no columns: --columns goes with --format csv or json.")
        cols = X.NATIONAL_COLUMNS if args.national else X.case_columns(args.anonymise)
        out.write("\n".join(cols) + "\n")
        return 0
    if args.output not in (None, "-"):
        try:  # before opening the store: a refused file costs nothing
            X.OutputFile(Path(args.output).expanduser(), force=args.force).check()
        except X.ExportError as exc:
            return _fail(err, str(exc))

    from .data.clock import now_utc  # noqa: PLC0415 - loaded only for this command
    from .data.errors import StoreError  # noqa: PLC0415 - loaded only for this command
    from .data.open_store import open_existing  # noqa: PLC0415 - loaded only for this command
    from .data.paths import config_dir, demo_store, resolve_store  # noqa: PLC0415 - loaded only for this command

    store: Any = None
    try:
        store = open_existing(demo_store() if args.demo else resolve_store(args.export_store or args.store))
        now = now_utc()
        pseudo = None
        if args.anonymise or args.national:
            pseudo = X.Pseudonyms(X.pseudonym_key(store, config_dir() / "export-keys"))
        stats = X.Stats()
        if args.export_case:
            case = store.load(args.export_case)
            training = X.is_training(store)
            if fmt == "md":
                text = X.handover_md(case, now, pseudo=pseudo, training=training)
            else:
                row = X.case_row(case, now, pseudo=pseudo, training=training)
                text = _one(fmt, row, X.case_columns(pseudo is not None), training or case.fictional, pseudo, now)
            with _destination(args.output, args.force, out) as dest:
                dest.write(text)
            stats.rows = 1
        elif args.national:
            assert pseudo is not None
            rows = X.national_rows(store, now, pseudo, stats=stats)
            _write_rows(args, out, fmt, rows, X.NATIONAL_COLUMNS, X.is_training(store), True, now)
        else:
            rows = X.case_rows(store, now, pseudo=pseudo, stats=stats)
            _write_rows(
                args, out, fmt, rows, X.case_columns(pseudo is not None), X.is_training(store), bool(pseudo), now
            )
    except X.ExportError as exc:
        return _fail(err, str(exc))
    except StoreError as exc:
        return _fail(err, str(exc))
    except OSError as exc:
        return _fail(err, f"{exc.strerror or type(exc).__name__}.")
    finally:
        close = getattr(store, "close", None)
        if callable(close):
            close()
    if stats.fictional:
        print(
            f"ophamp: {stats.fictional} fictional case(s) left out: the national return is of real cases "
            "(export the training store with --demo).",
            file=err,
        )
    if stats.skipped:
        print(f"ophamp: {stats.skipped} case(s) could not be read and are left out.", file=err)
    if args.output not in (None, "-"):
        what = "case" if args.export_case else ("row" if args.national else "case")
        print(f"Wrote {stats.rows} {what}{'s' if stats.rows != 1 else ''} to {args.output}.", file=err)
    return 0


def _meta(training: bool, anonymised: bool, now: Any, kind: str) -> dict[str, Any]:
    return {
        "export": kind,
        "exported_at": now.isoformat(timespec="seconds").replace("+00:00", "Z"),
        "training": training,
        "anonymised": anonymised,
    }


def _write_rows(
    args: argparse.Namespace,
    out: TextIO,
    fmt: str,
    rows: Any,
    columns: list[str],
    training: bool,
    anonymised: bool,
    now: Any,
) -> None:
    from .data import export as X  # noqa: PLC0415 - loaded only for this command

    kind = "national-return" if args.national else "cases"
    with _destination(args.output, args.force, out) as dest:
        if fmt == "json":
            X.write_json(rows, columns, dest, _meta(training, anonymised, now, kind))
        else:
            X.write_csv(rows, columns, dest)


def _one(fmt: str, row: dict[str, Any], columns: list[str], training: bool, pseudo: Any, now: Any) -> str:

    from .data import export as X  # noqa: PLC0415 - loaded only for this command

    buf = io.StringIO(newline="")
    if fmt == "json":
        X.write_json([row], columns, buf, _meta(training, pseudo is not None, now, "cases"))
    else:
        X.write_csv([row], columns, buf)
    return buf.getvalue()
