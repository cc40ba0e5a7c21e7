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

    path = resolve_store(args.store)
    try:
        store = Store(path)
    except StoreError as exc:
        return _fail(str(exc))
    from .app import OpHampApp

    OpHampApp(store=store).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
