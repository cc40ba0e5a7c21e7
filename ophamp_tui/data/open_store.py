"""Opening a store by name, for the commands that read one (``due``, ``report``, ``export``, ``store copy``):
a folder (the TinyDB store) or a ``postgresql://`` URI (``paths.resolve_store`` gives either)."""

from __future__ import annotations

from pathlib import Path

from .errors import StoreError
from .store import Store
from .store_api import CaseStore


def open_store(target: Path | str) -> CaseStore:
    """The store named: a PostgreSQL URI, or a folder (made if it is not there yet)."""
    if isinstance(target, str):
        from .store_pg import PgStore  # noqa: PLC0415 - psycopg is loaded only for a PostgreSQL store

        return PgStore(target)
    return Store(target)


def open_existing(target: Path | str) -> CaseStore:
    """As ``open_store``, but a folder that holds no ophamp store is refused (StoreError), never created:
    a command that only reads must not leave an empty store behind a mistyped path."""
    if isinstance(target, Path) and not (target / "store.json").exists() and not (target / "cases").exists():
        raise StoreError(f"{target} is not an ophamp store (no cases there). Say which with --store PATH.")
    return open_store(target)
