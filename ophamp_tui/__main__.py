"""The ``ophamp`` command. Heavy imports (Textual) wait until the app is really opened."""

from __future__ import annotations

import argparse
import sys

from . import __version__


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="ophamp",
        description="Operation Hampshire: guides a supervisor through the ten steps after an assault "
        "on a police officer or member of staff. Every step is saved the moment it is entered.",
    )
    p.add_argument("--version", action="version", version=f"ophamp {__version__}")
    p.add_argument("--store", metavar="PATH", help="store directory (default: $OPHAMP_STORE, else your user data dir)")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    seed = sub.add_parser("seed", help="write N realistic fictional cases into a store (training, benchmarks)")
    seed.add_argument("--store", metavar="PATH", dest="seed_store", help="store directory to write into")
    seed.add_argument("--cases", type=int, default=50, metavar="N", help="how many cases (default 50)")
    seed.add_argument("--seed", type=int, default=2016, help="random seed, for the same cases every time")
    demo = sub.add_parser("demo", help="training mode: fictional scenarios on their own store, never the live one")
    demo.add_argument("--reset", action="store_true", help="restore every scenario to its starting point")
    serve = sub.add_parser("serve", help="run ophamp in a web browser (for projecting in a classroom)")
    serve.add_argument("--host", default="localhost", help="address to listen on (default localhost only)")
    serve.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    serve.add_argument("--live", action="store_true", help="serve the live store instead of training mode")
    return p


def _fail(message: str) -> int:
    print(f"ophamp: {message}", file=sys.stderr)
    return 2


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    from .data.paths import resolve_store
    from .data.store import Store, StoreError

    if args.command == "seed":
        path = resolve_store(args.seed_store or args.store)
        if args.cases < 1 or args.cases > 1_000_000:
            return _fail("--cases must be between 1 and 1,000,000.")
        from .data.seed import fictional_cases

        try:
            store = Store(path)
            store.create_many(fictional_cases(args.cases, seed=args.seed))
        except (StoreError, OSError) as exc:
            return _fail(str(exc))
        print(f"Wrote {args.cases} fictional cases to {path} ({len(store)} cases in the store).")
        return 0

    if args.command == "demo":
        from .data.clock import now_utc
        from .data.paths import demo_store
        from .data.scenarios import install_training

        try:
            # Training has its own store whatever --store or OPHAMP_STORE say: it never touches live data.
            store = install_training(demo_store(), now_utc(), reset=args.reset)
        except (StoreError, OSError) as exc:
            return _fail(str(exc))
        from .app import OpHampApp

        OpHampApp(store=store, training=True).run()
        return 0

    if args.command == "serve":
        return _serve(args)

    path = resolve_store(args.store)
    try:
        store = Store(path)
    except StoreError as exc:
        return _fail(str(exc))
    from .app import OpHampApp

    OpHampApp(store=store).run()
    return 0


def _serve(args: argparse.Namespace) -> int:
    """The app in a browser via textual-serve: each browser tab runs its own ophamp process."""
    import shlex

    from textual_serve.server import Server

    if not 0 < args.port < 65536:
        return _fail("--port must be between 1 and 65535.")
    command = [sys.executable, "-m", "ophamp_tui"]
    if args.live:
        if args.store:
            command += ["--store", args.store]
    else:
        command.append("demo")
    mode = "live store" if args.live else "TRAINING (fictional data)"
    print(f"Serving ophamp ({mode}) on http://{args.host}:{args.port} - Ctrl+C to stop.")
    Server(shlex.join(command), host=args.host, port=args.port, title="Op Hampshire").serve()
    return 0


if __name__ == "__main__":
    sys.exit(main())
