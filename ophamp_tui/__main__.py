"""The ``ophamp`` command. Heavy imports (Textual) wait until the app is really opened."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import __version__


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="ophamp",
        description="Operation Hampshire: guides a supervisor through the ten steps after an assault "
        "on a police officer or member of staff. Every step is saved the moment it is entered.",
    )
    p.add_argument("--version", action="version", version=f"ophamp {__version__}")
    p.add_argument(
        "--store",
        metavar="PATH",
        help="store directory, or a postgresql:// URI (default: $OPHAMP_STORE, else your user data dir)",
    )
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    seed = sub.add_parser("seed", help="write N realistic fictional cases into a store (training, benchmarks)")
    seed.add_argument("--store", metavar="PATH", dest="seed_store", help="store directory to write into (required)")
    seed.add_argument(
        "--into-live",
        action="store_true",
        help="allow writing fictional cases into the live default store or a store with real cases",
    )
    seed.add_argument("--cases", type=int, default=50, metavar="N", help="how many cases (default 50)")
    seed.add_argument("--seed", type=int, default=2016, help="random seed, for the same cases every time")
    due = sub.add_parser(
        "due",
        help="what is due from one person, across every case where they are named (for a scheduled job)",
        description="Prints every time limit on an open case where NUMBER is named in any role (supervisor, "
        "inspector, welfare officer, investigating officer, support officer, reviewer...), most urgent first. "
        "Exit status 0, or 2 if the store cannot be read.",
    )
    due.add_argument(
        "--for", dest="due_for", required=True, metavar="NUMBER", help="collar or staff number, e.g. 'PS 4521'"
    )
    due.add_argument(
        "--format", dest="due_format", choices=("text", "json"), default="text", help="text (default) or json"
    )
    due.add_argument("--store", metavar="PATH", dest="due_store", help="store directory or postgresql:// URI")
    demo = sub.add_parser("demo", help="training mode: fictional scenarios on their own store, never the live one")
    demo.add_argument("--reset", action="store_true", help="restore every scenario to its starting point")
    demo.add_argument("--serve-session", metavar="NAME", help=argparse.SUPPRESS)  # set by `ophamp serve`
    demo.add_argument("--learner", type=int, metavar="N", help=argparse.SUPPRESS)  # set by `ophamp serve`
    demo.add_argument("--shared-store", action="store_true", help=argparse.SUPPRESS)  # set by `ophamp serve --shared`
    serve = sub.add_parser("serve", help="run ophamp in a web browser (for projecting in a classroom)")
    serve.add_argument(
        "--host", default="localhost", help="address to listen on (default localhost: this computer only)"
    )
    serve.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    serve.add_argument(
        "--max-sessions",
        type=int,
        default=10,
        metavar="N",
        help="most browser tabs open at once, each its own ophamp (default 10)",
    )
    serve.add_argument(
        "--live", action="store_true", help="serve the live store instead of training mode (localhost only)"
    )
    serve.add_argument(
        "--shared",
        action="store_true",
        help="every tab on one training store, the one `ophamp demo` uses (default: each tab its own copy of "
        "the scenarios, removed when the tab closes)",
    )
    serve.add_argument(
        "--font-size",
        type=int,
        default=16,
        metavar="PX",
        help="text size in the browser, in pixels (default 16; e.g. 24 for a projector)",
    )
    serve.add_argument(
        "--reset",
        action="store_true",
        help="first restore every scenario of the shared training store to its starting point (each tab's "
        "own copy always starts afresh)",
    )
    from .store_cli import add_commands

    add_commands(sub)  # ophamp store copy
    from .export_cli import add_command as add_export

    add_export(sub)  # ophamp export
    from .report_cli import add_command as add_report

    add_report(sub)  # ophamp report
    return p


def _fail(message: str) -> int:
    print(f"ophamp: {message}", file=sys.stderr)
    return 2


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    from .data.paths import resolve_store
    from .data.store import Store, StoreError

    if args.command == "seed":
        return _seed(args)
    if args.command == "due":
        return _due(args)
    if args.command == "export":
        from .export_cli import export_command

        return export_command(args)
    if args.command == "report":
        from .report_cli import report_command

        return report_command(args)
    if args.command == "store":
        from .store_cli import store_command

        return store_command(args)

    if args.command == "demo":
        from .data.clock import now_utc
        from .data.identity import load_identity, save_identity
        from .data.models import Actor
        from .data.paths import (
            demo_store,
            is_session_name,
            learner_name,
            prepare_training_session,
            training_session_store,
        )
        from .data.scenarios import install_training

        if args.serve_session is not None and not is_session_name(args.serve_session):
            return _fail("--serve-session is only set by `ophamp serve`.")
        try:
            # Training has its own store whatever --store or OPHAMP_STORE say: it never touches live data;
            # and its own folder (identity, exports, pictures): one for `demo`, one per `serve` session.
            session_dir = prepare_training_session(args.serve_session)
            # A browser tab has its own copy of the scenarios (unless the trainer chose `serve --shared`).
            own = args.serve_session is not None and not args.shared_store
            root = training_session_store(session_dir) if own else demo_store()
            store = install_training(root, now_utc(), reset=args.reset)
            if args.serve_session is not None and args.learner and load_identity(session_dir) is None:
                number = max(1, min(args.learner, 999))
                save_identity(session_dir, Actor(name=learner_name(number), number=f"TRAIN {number}"))
        except (StoreError, OSError) as exc:
            return _fail(str(exc))
        from .app import OpHampApp

        app = OpHampApp(store=store, training=True, config_dir=session_dir)
        app.run()
        return _said_at_exit(app)

    if args.command == "serve":
        from .serve import run

        return run(args)

    from .data.store_api import CaseStore

    target = resolve_store(args.store)
    live: CaseStore
    try:
        if isinstance(target, str):  # a PostgreSQL URI (the password from PGPASSWORD, ~/.pgpass or a service file)
            from .data.store_pg import PgStore

            live = PgStore(target)
        else:
            live = Store(target, rebuild=False)  # a lost index is made again in the app, with progress
            if live.needs_rebuild:
                # A big rebuild sums up cases in worker processes, whose helper process must be started
                # while stderr is still the terminal's (the app's stand-in has no file number: ValueError).
                from multiprocessing import resource_tracker

                resource_tracker.ensure_running()
    except (StoreError, OSError) as exc:
        return _fail(str(exc))
    from .app import OpHampApp

    app = OpHampApp(store=live)
    app.run()
    return _said_at_exit(app)


SEED_CHUNK = 500  # cases written per hold of the store's lock, so other ophamps can save in between


def _seed(args: argparse.Namespace) -> int:
    """Fictional cases into a store named on the command line: never the live one by accident."""
    from itertools import islice

    from .data.paths import default_store, is_database_url
    from .data.seed import iter_fictional_cases
    from .data.store import Store, StoreError
    from .data.store_api import CaseStore

    target = args.seed_store or args.store
    if not target or not target.strip():
        return _fail("say which store to fill: ophamp seed --store PATH (a training or test store, not the live one).")
    if args.cases < 1 or args.cases > 1_000_000:
        return _fail("--cases must be between 1 and 1,000,000.")
    database = is_database_url(target)
    path = Path(target).expanduser()
    if not database and path.resolve() == default_store().resolve() and not args.into_live:
        return _fail(
            f"{path} is the live store. Fictional cases go into a store of their own; "
            "add --into-live only if you really mean it."
        )
    store: CaseStore
    try:
        if database:  # a PostgreSQL test or training database (a live one holds real cases: refused below)
            from .data.store_pg import PgStore

            store = PgStore(target)
        else:
            store = Store(path)
        real = sum(1 for s in store.summaries() if not s.fictional and not s.damaged)
        if real and not args.into_live:
            return _fail(
                f"{path} holds {real} real case{'s' if real != 1 else ''}: fictional cases are not mixed "
                "with them. Choose another store, or add --into-live if you really mean it."
            )
        # Made and written a chunk at a time: never all the cases in memory at once.
        cases = iter_fictional_cases(args.cases, seed=args.seed)
        while chunk := list(islice(cases, SEED_CHUNK)):
            store.create_many(chunk)
    except (StoreError, OSError) as exc:
        return _fail(str(exc))
    print(f"Wrote {args.cases} fictional cases to {store.location} ({len(store)} cases in the store).")
    return 0


def _due(args: argparse.Namespace) -> int:
    """``ophamp due --for NUMBER``: what is due from one person, read from the store's summaries."""
    import json

    from .data.clock import now_utc
    from .data.open_store import open_existing
    from .data.paths import resolve_store
    from .data.queues import due_items, due_json, due_text
    from .data.store import StoreError
    from .data.text import normalise_number

    if not normalise_number(args.due_for):
        return _fail("--for needs a collar or staff number, such as 'PS 4521'.")
    try:
        store = open_existing(resolve_store(args.due_store or args.store))
        now = now_utc()
        items = due_items(store.iter_summaries(), args.due_for, now)
    except (StoreError, OSError) as exc:
        return _fail(str(exc))
    if args.due_format == "json":
        print(json.dumps(due_json(items, args.due_for, now), ensure_ascii=False, indent=2))
    else:
        sys.stdout.write(due_text(items, args.due_for, now))
    return 0


def _said_at_exit(app) -> int:
    """After a closed window or a stop signal: what could not be saved (field labels only, nothing typed)."""
    if app.not_saved_at_exit:
        print("ophamp: not saved: " + "; ".join(app.not_saved_at_exit) + ".", file=sys.stderr)
    return app.return_code or 0  # 1 after a crash


if __name__ == "__main__":
    sys.exit(main())
