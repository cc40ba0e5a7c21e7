"""Shared fixtures. Data layer: a fixed clock, a sergeant, a case factory and a store."""

from __future__ import annotations

import shutil
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ophamp_tui.data import Actor, Incident, Store, Victim, new_case

# Wednesday 10 June 2026, 13:00 London time (BST): a normal working day, well away from clock changes.
DATA_NOW = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)


@pytest.fixture
def sergeant() -> Actor:
    return Actor(name="PS Dana Holt", number="PS 4521", role="sergeant")


@pytest.fixture
def make_case(sergeant):
    """``make_case(victim_number=..., occurred_at=..., **new_case kwargs)``: a new, valid case."""

    def make(
        *,
        victim_number: str = "PC 1234",
        victim_name: str = "Sam Okafor",
        occurred_at: datetime = datetime(2026, 6, 8, 8, 0, tzinfo=UTC),  # Mon 09:00 BST
        offence: str = "aew_s1",
        case_id: str | None = None,
        created_at: datetime | None = None,
        **kwargs,
    ):
        return new_case(
            victim=Victim(name=victim_name, number=victim_number),
            incident=Incident(occurred_at=occurred_at, offence=offence, location="Custody suite"),
            by=sergeant,
            now=created_at or occurred_at,
            case_id=case_id,
            **kwargs,
        )

    return make


@pytest.fixture
def store(tmp_path) -> Store:
    return Store(tmp_path / "store", clock=lambda: DATA_NOW)


# --- a real PostgreSQL server for the PostgreSQL store's tests ---------------------------------------


class PgServer:
    """One PostgreSQL server for the test run (``pgserver``: a real PostgreSQL in a wheel, in a temp dir).

    ``new_database()`` gives the URI of a fresh, empty database of its own. If the server could not
    start, every test that asks for it FAILS saying why (never skips: CI must not go green without it).
    """

    def __init__(self, root):
        self.root = root
        self.error = ""
        self.server = None
        try:
            import pgserver

            root.mkdir(exist_ok=True)
            self.server = pgserver.get_server(str(root), cleanup_mode="stop")
            self.uri = self.server.get_uri()
        except Exception as exc:  # noqa: BLE001 - reported by every test that needs it
            self.error = f"{type(exc).__name__}: {exc}"

    def admin(self):
        import psycopg

        if self.error:
            pytest.fail(f"the PostgreSQL test server could not start: {self.error}")
        return psycopg.connect(self.uri, autocommit=True)

    def admin_uri(self) -> str:
        if self.error:
            pytest.fail(f"the PostgreSQL test server could not start: {self.error}")
        return self.uri

    def uri_for(self, dbname: str) -> str:
        from psycopg.conninfo import conninfo_to_dict, make_conninfo

        return make_conninfo(**{**conninfo_to_dict(self.admin_uri()), "dbname": dbname})

    def new_database(self) -> str:
        import uuid

        name = f"ophamp_test_{uuid.uuid4().hex[:12]}"
        with self.admin() as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return name

    def drop_database(self, name: str) -> None:
        with self.admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def stop(self) -> None:
        if self.server is not None:
            self.server.cleanup()


def pg_data_dir() -> Path:
    """A new folder for a test server's data, in the system's temp folder but not under pytest's: pytest
    makes its folder private (0700) again whenever a test run starts, and a server run as root runs as
    its own user (``pgserver``), which must keep getting in."""
    return Path(tempfile.mkdtemp(prefix="ophamp-pg-")) / "data"


@pytest.fixture(scope="session")
def pg_server() -> PgServer:
    data = pg_data_dir()
    server = PgServer(data)
    yield server
    server.stop()
    shutil.rmtree(data.parent, ignore_errors=True)


@pytest.fixture
def pg_dsn(pg_server):
    """The connection string of a fresh, empty database on the test server, dropped afterwards."""
    name = pg_server.new_database()
    yield pg_server.uri_for(name)
    pg_server.drop_database(name)
