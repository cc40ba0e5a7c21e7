"""``ophamp store copy``: the command line of ``data.store_copy`` (no Textual here)."""

from __future__ import annotations

import argparse
import sys
from typing import Any, TextIO

COPY_HELP = """\
Copies every case, with its whole history, from SRC to DST: a TinyDB store folder or a PostgreSQL
database (postgresql://user@host/dbname; the password from PGPASSWORD, ~/.pgpass or a service file,
never on the command line), in either direction. The source is only read. Close ophamp on every
workstation using the source first: a case saved there during the copy shows as "older" when run again.

What it guarantees:
  - Cases are copied as they are: revision, history and times unchanged. Cases DST holds already that
    are not in SRC are kept (the copy merges into DST, and says how many there were).
  - Safe to run again, e.g. after an interruption (a killed process, a lost connection): a case DST
    already holds the same is left alone, so nothing is copied twice.
  - Never overwrites: a case DST holds differently is reported as a conflict and left as it is. If DST
    holds an earlier version of it (SRC changed since an earlier copy; nothing in DST would be lost),
    it is reported as older, and --update-older brings it up to date.
  - Then every case is checked in DST, history included, and a one-screen report is printed.

Exit status: 0 when every case of SRC is in DST and the same; 1 when any is not (conflict, older,
unreadable, different after the copy); 2 when nothing was copied (the message says what to fix).
The training store (ophamp demo) is never copied from or to: it keeps its own fictional cases."""


def add_commands(sub: Any) -> None:
    """``ophamp store ...`` on the main parser's sub-commands."""
    store = sub.add_parser("store", help="copy every case between stores (TinyDB folder, PostgreSQL)")
    actions = store.add_subparsers(dest="store_command", metavar="ACTION")
    copy = actions.add_parser(
        "copy",
        help="copy every case and its history from one store to another, then check them",
        description=COPY_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    copy.add_argument("--from", dest="copy_from", metavar="SRC", required=True, help="the store to copy from")
    copy.add_argument("--to", dest="copy_to", metavar="DST", required=True, help="the store to copy into")
    copy.add_argument(
        "--update-older",
        action="store_true",
        help="replace a case DST holds as an earlier version of SRC's (SRC changed since an earlier copy; "
        "nothing in DST is lost). Conflicts are never overwritten.",
    )
    copy.add_argument("--batch", type=int, default=None, help=argparse.SUPPRESS)  # cases at a time (tests)
    store.set_defaults(store_parser=store)


def store_command(args: argparse.Namespace, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Run ``ophamp store ...``: 0 done and checked, 1 done with cases not the same, 2 nothing done."""
    out = out or sys.stdout
    err = err or sys.stderr
    if getattr(args, "store_command", None) != "copy":
        args.store_parser.print_help(out)
        return 2
    from .data.errors import StoreError
    from .data.store_copy import (
        BATCH,
        CopyRefused,
        check_names,
        close,
        copy_cases,
        describe,
        open_source,
        open_target,
        verify_copy,
    )

    batch = args.batch or BATCH
    stores: list[Any] = []
    started = False  # once copying has begun, a failure leaves part of it done
    try:
        source, target = check_names(args.copy_from, args.copy_to)
        src = open_source(source)
        stores.append(src)
        dst = open_target(target)
        stores.append(dst)
        if src.location == dst.location:
            print("ophamp: --from and --to name the same store: nothing to copy.", file=err)
            return 2
        show = _progress(err)
        started = True
        report = copy_cases(src, dst, batch=batch, update_older=args.update_older, progress=show)
        close(dst)
        stores.remove(dst)
        checker = open_target(target)  # afresh: what another ophamp opening it now sees
        stores.append(checker)
        verify_copy(report, checker, batch=batch, progress=show)
    except CopyRefused as exc:
        print(f"ophamp: {exc}", file=err)
        return 2
    except StoreError as exc:
        again = " What was copied is kept: run the same command again to carry on." if started else ""
        print(f"ophamp: {exc}{again}", file=err)
        return 2
    except KeyboardInterrupt:
        print("ophamp: stopped. What was copied is kept: run the same command again to carry on.", file=err)
        return 130
    except OSError as exc:
        print(f"ophamp: {exc.strerror or type(exc).__name__}. Run the same command again to carry on.", file=err)
        return 2
    finally:
        for store in stores:
            close(store)
    for line in describe(report, update_older=args.update_older):
        print(line, file=out)
    return 0 if report.ok else 1


def _progress(err: TextIO) -> Any:
    """Progress on the terminal (only there: never in a log), about every 5 %."""
    if not err.isatty():
        return None
    last = [-1]

    def show(what: str, done: int, total: int) -> None:
        step = done * 20 // max(total, 1)
        if step != last[0] or done == total:
            last[0] = step
            print(f"\r{what}: {done:,} of {total:,} cases", end="\n" if done == total else "", file=err, flush=True)

    return show
