"""The PostgreSQL case store: one row per case, the history in an append-only table (``CaseStore``).

Opened with a libpq connection string or URI (``postgresql://user@host/db``, ``host=... dbname=...``,
``service=...``): libpq reads the password from ``PGPASSWORD``, ``~/.pgpass`` or a service file, and
``sslmode`` and the rest as usual, so a password need never be on the command line. Nothing here logs
the connection string, and ``location`` never holds a password.

Each save is one transaction: the case row is locked (``SELECT ... FOR UPDATE``), the same merge
and conflict checks as the file store's are made against it (``edits.apply``), then the row, its
history rows and a ``NOTIFY ophamp_cases`` go in together. A save takes the store's advisory lock
in shared mode (saves of different cases run side by side); ``locked`` takes it exclusively.
The tables are made or migrated on opening (see ``store_pg_schema``).

A server that stops, restarts or drops the connection: the next call connects again by itself (a
connection the server has closed while it sat idle is noticed before it is used, and replaced). While
the server cannot be reached, calls raise ``StoreUnavailableError`` (nothing was saved: the caller
may make the same call again later); a save whose connection went while its COMMIT was on the way is
the one case that cannot be known, and is a plain ``StoreError`` saying to check the case.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import select
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any, NoReturn

import psycopg
from psycopg import errors as pg_errors
from psycopg.conninfo import conninfo_to_dict, make_conninfo
from psycopg.pq import TransactionStatus
from psycopg.types.json import Jsonb
from pydantic import ValidationError

from . import choices as C
from .clock import as_utc, now_utc
from .edits import EditError, is_earlier_version, merge_update
from .errors import StoreBusyError, StoreError, StoreUnavailableError
from .migrate import SchemaError, upgrade
from .models import Actor, Case, LogEntry
from .paths import is_database_url
from .presence import HOST, session_record
from .report_facts import (
    CLOCKS,
    OVER_6_MONTHS_DAYS,
    ReportCounts,
    band_of,
    clock_of,
    outcome_group,
)
from .store_files import where as field_where
from .store_pg_schema import MIGRATION_LOCK, MIGRATIONS, SCHEMA_VERSION, STORE_LOCK
from .summary import CaseSummary, summarise, victim_cases
from .text import without_controls

__all__ = ["PgStore", "is_database_url", "masked_dsn"]

NOTIFY_CHANNEL = "ophamp_cases"
_SECRET_KEYS = ("password", "sslpassword")


def masked_dsn(dsn: str) -> str:
    """The connection string without its password, as ``key=value`` pairs (or a placeholder if it
    cannot be read: never the string itself, which may hold the password)."""
    try:
        params = conninfo_to_dict(dsn)
    except psycopg.ProgrammingError:
        return "a PostgreSQL database (the connection string cannot be read)"
    return make_conninfo("", **{k: v for k, v in params.items() if k not in _SECRET_KEYS and v is not None})


def _check_id(case_id: str) -> None:
    # The same references as the file store's (a case id is also a file name there).
    if not isinstance(case_id, str) or not case_id or "/" in case_id or case_id.startswith("."):
        raise StoreError(f"{case_id!r} is not a case reference.")


def _next_due(summary: CaseSummary) -> datetime | None:
    if not summary.is_open or not summary.dues:
        return None
    return min(d.due_at for d in summary.dues)


def _row_values(case: Case) -> tuple[dict[str, Any], CaseSummary, dict[str, Any]]:
    """What a case row holds: the doc (no control codes), its summary, and the summary's columns."""
    doc = without_controls(case.model_dump(mode="json"))
    clean = Case.model_validate(doc)  # the summary of what is stored, not of what was passed
    summary = summarise(clean)
    return (
        doc,
        summary,
        {
            "id": clean.id,
            "doc": Jsonb(doc),
            "rev": clean.rev,
            "summary": Jsonb(summary.model_dump(mode="json", exclude={"file_mtime_ns", "file_size"})),
            "victim_number": summary.victim_number,
            "victim_staff_no": summary.victim_staff_no,
            "occurred_at": summary.occurred_at,
            "next_due": _next_due(summary),
            "state": summary.state,
            "people": summary.people,
            "fictional": summary.fictional,
        },
    )


_INSERT = """
INSERT INTO cases (id, doc, rev, summary, victim_number, victim_staff_no, occurred_at, next_due, state, people,
                   fictional)
VALUES (%(id)s, %(doc)s, %(rev)s, %(summary)s, %(victim_number)s, %(victim_staff_no)s, %(occurred_at)s,
        %(next_due)s, %(state)s, %(people)s, %(fictional)s)
RETURNING version
"""
_UPDATE = """
UPDATE cases SET doc = %(doc)s, rev = %(rev)s, summary = %(summary)s, victim_number = %(victim_number)s,
    victim_staff_no = %(victim_staff_no)s, occurred_at = %(occurred_at)s, next_due = %(next_due)s,
    state = %(state)s, people = %(people)s, fictional = %(fictional)s,
    version = nextval('case_version_seq'), saved_at = now()
WHERE id = %(id)s
RETURNING version
"""
_HISTORY = "INSERT INTO history (case_id, rev, at, by, field, old, new) VALUES (%s, %s, %s, %s, %s, %s, %s)"


# --- the managers' report, counted in the database (report_facts defines every figure) -----------------

# A key only summaries made since SUMMARY_VERSION 6 hold: an older summary is made again from the doc.
_NEWEST_KEY = "on_time"
_READABLE = "summary IS NOT NULL AND coalesce(summary->>'damaged', '') = ''"
_ROLE = "(%(role)s::text IS NULL OR summary->>'victim_role' = %(role)s)"
_PERIOD_SQL = f"""
WITH p AS MATERIALIZED (
    SELECT summary AS s, occurred_at, state IN ('open', 'review') AS open,
           coalesce(nullif(victim_staff_no, ''), nullif(victim_number, '')) AS key
    FROM cases
    WHERE occurred_at >= %(start)s AND occurred_at < %(end)s AND {_READABLE} AND {_ROLE}
), f AS MATERIALIZED (  -- each victim's first incident in the whole store
    SELECT coalesce(nullif(victim_staff_no, ''), nullif(victim_number, '')) AS key, min(occurred_at) AS first
    FROM cases WHERE occurred_at IS NOT NULL AND {_READABLE} GROUP BY 1
)
SELECT 'offence', s->>'offence', count(*) FROM p GROUP BY 2
UNION ALL SELECT 'context', s->>'context', count(*) FROM p GROUP BY 2
UNION ALL SELECT 'location', s->>'location_type', count(*) FROM p GROUP BY 2
UNION ALL SELECT 'role', s->>'victim_role', count(*) FROM p GROUP BY 2
UNION ALL SELECT 'outcome', (s->>'outcome') || '|' || open::text, count(*) FROM p GROUP BY 2
UNION ALL SELECT 'injury', (coalesce(s->>'injury', '') NOT IN ('', 'none'))::text, count(*) FROM p GROUP BY 2
UNION ALL SELECT 'hate', (s->>'hate'), count(*) FROM p GROUP BY 2
UNION ALL SELECT 'vrr_requested', s->>'vrr_requested', count(*) FROM p
    WHERE s->>'outcome' = ANY(%(vrr)s) GROUP BY 2
UNION ALL SELECT 'vrr_result', s->>'vrr_result', count(*) FROM p
    WHERE s->>'outcome' = ANY(%(vrr)s) AND s->>'vrr_requested' = 'yes' GROUP BY 2
UNION ALL SELECT 'on_time', x, count(*) FROM p, jsonb_array_elements_text(s->'on_time') AS x GROUP BY 2
UNION ALL SELECT 'late', x, count(*) FROM p, jsonb_array_elements_text(s->'late') AS x GROUP BY 2
UNION ALL SELECT 'missed', d->>'what', count(*) FROM p, jsonb_array_elements(s->'dues') AS d
    WHERE open AND (d->>'due_at')::timestamptz <= %(now)s GROUP BY 2
UNION ALL SELECT 'victims', NULL, count(DISTINCT key) FROM p
UNION ALL SELECT 'repeat_cases', NULL, count(*) FROM p JOIN f USING (key) WHERE f.first < p.occurred_at
UNION ALL SELECT 'repeat_victims', NULL, count(DISTINCT key) FROM p JOIN f USING (key) WHERE f.first < p.occurred_at
"""
_WELFARE_SQL = f"""
SELECT count(h), percentile_cont(0.5) WITHIN GROUP (ORDER BY h), percentile_cont(0.9) WITHIN GROUP (ORDER BY h)
FROM (
    SELECT greatest(extract(epoch FROM (summary->>'welfare_at')::timestamptz - occurred_at), 0) / 3600 AS h
    FROM cases
    WHERE occurred_at >= %(start)s AND occurred_at < %(end)s AND {_READABLE} AND {_ROLE}
      AND summary->>'welfare_at' IS NOT NULL
) AS t
"""
_NOW_SQL = f"""
SELECT 'store', NULL, NULL::int, count(*) FROM cases WHERE {_READABLE} AND {_ROLE}
UNION ALL SELECT 'damaged', NULL, NULL, count(*) FROM cases WHERE NOT ({_READABLE})
UNION ALL SELECT 'suspect', summary->>'suspect_status',
       floor(extract(epoch FROM %(now)s - (summary->>'suspect_since')::timestamptz) / 86400)::int, count(*)
    FROM cases
    WHERE {_READABLE} AND {_ROLE} AND summary->>'suspect_status' IN ('rui', 'bail', 'bail_extended')
      AND summary->>'suspect_since' IS NOT NULL
    GROUP BY 2, 3
"""
_REVIEW_SQL = f"""
SELECT count(*) FILTER (WHERE h IS NULL), count(h), percentile_cont(0.5) WITHIN GROUP (ORDER BY h), max(h)
FROM (
    SELECT greatest(extract(epoch FROM %(now)s - (summary->>'ready_at')::timestamptz), 0) / 3600 AS h
    FROM cases WHERE state = 'review' AND {_READABLE} AND {_ROLE}
) AS t
"""


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def _counts_from_rows(period_rows: list[Any], welfare: Any, now_rows: list[Any], review: Any) -> ReportCounts:
    groups: dict[str, dict[str, int]] = {}
    for kind, value, n in period_rows:
        bucket = groups.setdefault(kind, {})
        bucket[value or ""] = bucket.get(value or "", 0) + int(n)
    outcomes: dict[str, int] = {}
    by_outcome: dict[str, int] = {}
    for value, n in groups.get("outcome", {}).items():
        outcome, _, is_open = value.rpartition("|")
        group = outcome_group(outcome, "open" if is_open == "true" else "closed")
        outcomes[group] = outcomes.get(group, 0) + n
        by_outcome[outcome] = by_outcome.get(outcome, 0) + n
    missed: dict[str, int] = {}
    for what, n in groups.get("missed", {}).items():
        clock = clock_of(what)
        if clock is not None:
            missed[clock] = missed.get(clock, 0) + n
    on_time, late = groups.get("on_time", {}), groups.get("late", {})
    clocks = {
        k: (on_time.get(k, 0), late.get(k, 0), missed.get(k, 0))
        for k in CLOCKS
        if on_time.get(k) or late.get(k) or missed.get(k)
    }
    single = {k: sum(v.values()) for k, v in groups.items() if k in ("victims", "repeat_cases", "repeat_victims")}
    store_cases = damaged = rui_over = 0
    rui: dict[str, int] = {}
    bail: dict[str, int] = {}
    for kind, status, days, n in now_rows:
        if kind == "store":
            store_cases = int(n)
        elif kind == "damaged":
            damaged = int(n)
        else:
            band = band_of(int(days))
            target = rui if status == "rui" else bail
            target[band] = target.get(band, 0) + int(n)
            if status == "rui" and days >= OVER_6_MONTHS_DAYS:
                rui_over += int(n)
    unknown, waited, median, longest = review
    return ReportCounts(
        cases=sum(groups.get("offence", {}).values()),
        victims=single.get("victims", 0),
        by_offence=groups.get("offence", {}),
        by_context=groups.get("context", {}),
        by_location=groups.get("location", {}),
        by_role=groups.get("role", {}),
        injury=groups.get("injury", {}).get("true", 0),
        hate=groups.get("hate", {}).get("true", 0),
        repeat_cases=single.get("repeat_cases", 0),
        repeat_victims=single.get("repeat_victims", 0),
        outcomes=outcomes,
        by_outcome=by_outcome,
        vrr_eligible=sum(groups.get("vrr_requested", {}).values()),
        vrr_requested=groups.get("vrr_requested", {}),
        vrr_results=groups.get("vrr_result", {}),
        welfare_made=int(welfare[0]),
        welfare_median_h=_float(welfare[1]),
        welfare_p90_h=_float(welfare[2]),
        clocks=clocks,
        store_cases=store_cases,
        damaged=damaged,
        rui=rui,
        bail=bail,
        rui_over_6_months=rui_over,
        review_waiting=int(unknown) + int(waited),
        review_unknown=int(unknown),
        review_median_h=_float(median),
        review_longest_h=_float(longest),
    )


class PgStore:
    """All reads and writes of cases in one PostgreSQL database (see the module's docstring)."""

    def __init__(
        self,
        dsn: str,
        *,
        lock_timeout: float = 10.0,
        clock: Callable[[], datetime] = now_utc,
        connect_timeout: int = 10,
    ):
        self._dsn = dsn
        self._listener: psycopg.Connection[Any] | None = None  # see wait_for_change
        self.clock = clock
        self.lock_timeout = lock_timeout
        self.connect_timeout = connect_timeout
        self.notices: list[str] = []
        self.read_only = False
        self._where = self._describe(conninfo_to_dict_safe(dsn))
        self._mutex = threading.RLock()  # one statement or transaction at a time on the connection
        self._conn: psycopg.Connection[Any] | None = None
        self._held = 0  # how deep inside ``locked`` this object is
        self._committing = False  # a write's body is done and its COMMIT is on the way (see _db)
        self._listen_lost = False  # the LISTEN connection was lost: changes may have been missed
        self._index: dict[str, CaseSummary] = {}
        self._versions: dict[str, int] = {}
        self._session_id = f"{HOST}-{os.getpid()}-{secrets.token_hex(4)}"
        self._session: dict[str, Any] | None = None
        with self._mutex:
            conn = self._connection()
            self._where = self._describe({"host": conn.info.host, "port": conn.info.port, "dbname": conn.info.dbname})
            self._migrate(conn)
            self.read_only = self._check_read_only(conn)
        if self.read_only:
            self.notices.append(
                f"{self._where} is read-only for you: you can read the cases, but saving is not "
                "possible. Nothing in it will be changed."
            )
        self.refresh()

    # --- the connection ---------------------------------------------------------------------------

    @staticmethod
    def _describe(params: dict[str, Any]) -> str:
        host = str(params.get("host") or os.environ.get("PGHOST") or "this computer")
        port = params.get("port") or os.environ.get("PGPORT")
        if port and not host.startswith("/"):
            host = f"{host}:{port}"
        dbname = params.get("dbname") or os.environ.get("PGDATABASE") or params.get("service") or "(default)"
        return f"the PostgreSQL database {dbname} on {host}"

    @property
    def location(self) -> str:
        """The database and its server, and the connection string without its password."""
        return f"{self._where} ({masked_dsn(self._dsn)})"

    def _connection(self) -> psycopg.Connection[Any]:
        """The open connection, made again if the last one was lost (never inside ``locked``: the lock went
        with it)."""
        conn = self._conn
        if conn is not None and not conn.closed and not conn.broken:
            if self._held or not self._closed_by_server(conn):
                return conn
            conn.close()  # the server said goodbye while it was idle (stopped, restarted): a new one
        if conn is not None and self._held:
            raise StoreError(
                f"The connection to {self._where} was lost while the store was locked. "
                "Nothing more was saved: try again when the database is back."
            )
        try:
            self._conn = psycopg.connect(
                self._dsn, autocommit=True, connect_timeout=self.connect_timeout, application_name="ophamp"
            )
        except psycopg.Error as exc:
            raise StoreUnavailableError(f"Cannot open {self._where}: {self._why(exc)}.") from None
        if self._session is not None:  # a session registered on the lost connection: said again
            try:
                self._write_session()
            except psycopg.Error:
                pass
        return self._conn

    @staticmethod
    def _closed_by_server(conn: psycopg.Connection[Any]) -> bool:
        """Whether an idle connection has something to read: it asked for nothing (and LISTENs to nothing),
        so that is the server ending it (a shutdown, a restart, a terminated backend) or the socket closed."""
        if conn.info.transaction_status != TransactionStatus.IDLE:
            return False
        try:
            readable, _, _ = select.select([conn.fileno()], [], [], 0)
        except (OSError, ValueError, psycopg.Error):
            return True
        return bool(readable)

    @staticmethod
    def _why(exc: BaseException) -> str:
        """Why a connection failed, in words; libpq's own first line if it is nothing known (libpq never
        puts the password in a message)."""
        text = str(exc)
        lower = text.lower()
        if "password authentication failed" in lower or "no password supplied" in lower:
            return "the user name or password was refused (check PGPASSWORD, ~/.pgpass or the service file)"
        if "does not exist" in lower and "database" in lower:
            return "there is no such database on that server"
        if "role" in lower and "does not exist" in lower:
            return "there is no such user on that server"
        if any(w in lower for w in ("connection refused", "no such file", "could not translate", "timeout")):
            return "the server cannot be reached (is it running, and is the address right?)"
        if "starting up" in lower or "shutting down" in lower or "in recovery mode" in lower:
            return "the server is starting or stopping"
        if any(w in lower for w in ("terminating connection", "server closed the connection", "consuming input")):
            return "the server was stopped or restarted, or the connection was cut"
        first = (text.strip().splitlines() or [type(exc).__name__])[-1].strip()
        return first.rstrip(".") or type(exc).__name__

    def _lost(self, exc: BaseException, doing: str, *, committing: bool = False) -> NoReturn:
        if committing:  # the COMMIT may have been done: only the case itself can tell
            raise StoreError(
                f"Lost the connection to {self._where} while {doing} ({self._why(exc)}), as it was being "
                "saved: check the case when the database is back, it may or may not have been saved."
            ) from None
        raise StoreUnavailableError(
            f"Lost the connection to {self._where} while {doing} ({self._why(exc)}). Nothing was changed."
        ) from None

    @contextmanager
    def _db(self, doing: str) -> Iterator[psycopg.Connection[Any]]:
        """The connection, for one read or one transaction; database failures become ``StoreError``."""
        with self._mutex:
            conn = self._connection()
            try:
                yield conn
            except (StoreError, EditError):
                raise
            except pg_errors.LockNotAvailable:
                raise
            except (psycopg.OperationalError, psycopg.InterfaceError) as exc:
                if conn.closed or conn.broken:
                    self._lost(exc, doing, committing=self._committing)
                raise StoreError(f"{self._where} refused {doing} ({type(exc).__name__}).") from None
            except psycopg.Error as exc:
                raise StoreError(f"{self._where} refused {doing} ({type(exc).__name__}).") from None
            finally:
                self._committing = False

    def close(self) -> None:
        with self._mutex:
            if self._conn is not None:
                self._conn.close()
        listener, self._listener = self._listener, None
        if listener is not None:
            listener.close()

    def wait_for_change(self, timeout: float) -> bool:
        """See ``CaseStore.wait_for_change``: a connection of its own LISTENs to the NOTIFY every save
        sends. A lost server: ``StoreUnavailableError`` after waiting, and a new connection next time;
        the first that works says there may have been changes (none were heard meanwhile)."""
        try:
            if self._listener is None or self._listener.closed or self._listener.broken:
                self._listener = psycopg.connect(
                    self._dsn, autocommit=True, connect_timeout=self.connect_timeout, application_name="ophamp"
                )
                self._listener.execute("LISTEN ophamp_cases")
                missed, self._listen_lost = self._listen_lost, False
                return missed  # watching from now on
            return any(True for _ in self._listener.notifies(timeout=timeout, stop_after=1))
        except psycopg.Error as exc:
            what = "Cannot open" if self._listener is None else "Lost the connection to"
            if self._listener is not None:
                self._listener.close()
            self._listener = None
            self._listen_lost = True
            time.sleep(min(timeout, 1.0))
            raise StoreUnavailableError(f"{what} {self._where}: {self._why(exc)}.") from None

    # --- opening: the tables, their version, and whether we may write ----------------------------------

    def _migrate(self, conn: psycopg.Connection[Any]) -> None:
        try:
            if self._version(conn) == SCHEMA_VERSION:
                return  # nothing to do, and a read-only role never tries to create anything
            with conn.transaction():
                conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
                version = self._version(conn)  # again: another ophamp may have done it while we waited
                if version > SCHEMA_VERSION:
                    raise StoreError(
                        f"{self._where} was made by a newer ophamp (tables at version {version}): "
                        "use that version. Nothing in it has been changed."
                    )
                for n in range(version, SCHEMA_VERSION):
                    conn.execute(MIGRATIONS[n])  # our own constant SQL
                conn.execute("DELETE FROM ophamp_schema")
                conn.execute("INSERT INTO ophamp_schema (version) VALUES (%s)", (SCHEMA_VERSION,))
        except StoreError:
            raise
        except psycopg.errors.InsufficientPrivilege:
            raise StoreError(
                f"{self._where} has no ophamp tables yet, and your user may not create them: ask the "
                "database's owner to open it with ophamp once."
            ) from None
        except psycopg.Error as exc:
            if conn.closed or conn.broken:
                self._lost(exc, "opening it")
            raise StoreError(f"Cannot prepare {self._where} for ophamp ({type(exc).__name__}).") from None

    @staticmethod
    def _version(conn: psycopg.Connection[Any]) -> int:
        # Read from pg_tables (the statement's own snapshot), not to_regclass: its catalog cache is not told
        # of tables another ophamp created while this one waited for the migration lock (two first starts
        # at once then both created the tables, and the second failed with DuplicateTable).
        row = conn.execute(
            "SELECT EXISTS (SELECT 1 FROM pg_tables"
            " WHERE tablename = 'ophamp_schema' AND schemaname = current_schema())"
        ).fetchone()
        if not row or not row[0]:
            return 0
        got = conn.execute("SELECT max(version) FROM ophamp_schema").fetchone()
        return int(got[0]) if got and got[0] is not None else 0

    @staticmethod
    def _check_read_only(conn: psycopg.Connection[Any]) -> bool:
        row = conn.execute(
            "SELECT pg_is_in_recovery() OR current_setting('transaction_read_only') = 'on' "
            "OR NOT has_table_privilege('cases', 'INSERT, UPDATE') "
            "OR NOT has_table_privilege('history', 'INSERT')"
        ).fetchone()
        return bool(row and row[0])

    # --- the lock ---------------------------------------------------------------------------------------

    def _refuse_if_read_only(self) -> None:
        if self.read_only:
            raise StoreError(f"{self._where} is read-only: nothing can be saved in it. What was saved before is kept.")

    def _busy(self, wait: float) -> StoreBusyError:
        return StoreBusyError(
            f"Another ophamp has been saving to {self._where} for {wait:.0f} s. "
            "Nothing was saved: try again, and if it keeps happening close the other ophamp."
        )

    @contextmanager
    def _write(
        self, doing: str, wait: float | None = None, *, exclusive: bool = False
    ) -> Iterator[psycopg.Cursor[Any]]:
        """One write transaction, holding the store's lock (shared: other saves go on; exclusive: none
        does) for ``wait`` seconds at most, and then every row lock it waits for in the same time."""
        self._refuse_if_read_only()
        wait = self.lock_timeout if wait is None else wait
        try:
            with self._db(doing) as conn, conn.transaction(), conn.cursor() as cur:
                cur.execute("SELECT set_config('lock_timeout', %s, true)", (f"{max(1, round(wait * 1000))}ms",))
                lock = "pg_advisory_xact_lock" if exclusive else "pg_advisory_xact_lock_shared"
                cur.execute(f"SELECT {lock}(%s)", (STORE_LOCK,))
                yield cur
                self._committing = True  # from here a lost connection leaves the outcome unknown
        except pg_errors.LockNotAvailable:
            raise self._busy(wait) from None

    @contextmanager
    def locked(self, timeout: float | None = None) -> Iterator[None]:
        """Hold the store's write lock (a session advisory lock, exclusive): no other store object saves
        until the block ends. Re-entrant for this object (PostgreSQL counts a session's holds)."""
        self._refuse_if_read_only()
        wait = self.lock_timeout if timeout is None else timeout
        try:
            with self._db("locking the store") as conn, conn.transaction():
                conn.execute("SELECT set_config('lock_timeout', %s, true)", (f"{max(1, round(wait * 1000))}ms",))
                conn.execute("SELECT pg_advisory_lock(%s)", (STORE_LOCK,))
        except pg_errors.LockNotAvailable:
            raise self._busy(wait) from None
        self._held += 1
        try:
            yield
        finally:
            self._held -= 1
            with self._mutex:
                left = self._conn
                if left is not None and not left.closed and not left.broken:
                    try:
                        left.execute("SELECT pg_advisory_unlock(%s)", (STORE_LOCK,))
                    except psycopg.Error:
                        pass  # the connection went: the lock went with it

    # --- the case list ------------------------------------------------------------------------------

    def _summary_of(self, case_id: str, raw: Any, doc: Any) -> CaseSummary:
        if isinstance(raw, dict) and (_NEWEST_KEY in raw or doc is None):
            try:
                return CaseSummary.model_validate(raw)
            except ValidationError:
                pass
        try:
            return summarise(self._case_from(case_id, doc))
        except StoreError as exc:
            return CaseSummary.damaged_file(case_id, str(exc))
        except Exception as exc:  # noqa: BLE001 - one case that cannot be summed up never stops the rest
            why = f"Case {case_id} in {self._where} cannot be shown ({type(exc).__name__}). It has not been changed."
            return CaseSummary.damaged_file(case_id, why)

    def _put(self, case_id: str, version: int, summary: CaseSummary) -> None:
        self._index[case_id] = summary
        self._versions[case_id] = version

    def refresh(self) -> None:
        """Fetch the summaries of the cases written since this object last looked (by their row version),
        and forget the cases that are gone."""
        with self._db("reading the case list") as conn:
            held = dict(conn.execute("SELECT id, version FROM cases").fetchall())
            for gone in [c for c in self._index if c not in held]:
                self._index.pop(gone, None)
                self._versions.pop(gone, None)
            stale = [c for c, v in held.items() if self._versions.get(c) != v]
            if stale:
                rows = conn.execute(
                    "SELECT id, version, summary, CASE WHEN summary IS NULL OR NOT summary ? %s THEN doc END "
                    "FROM cases WHERE id = ANY(%s)",
                    (_NEWEST_KEY, stale),
                ).fetchall()
                for case_id, version, raw, doc in rows:
                    if raw is None and doc is None:  # summary unreadable? then the doc is needed
                        doc = self._fetch_doc(conn, case_id)
                    summary = self._summary_of(case_id, raw, doc)
                    self._put(case_id, version, summary)
                    if doc is not None and isinstance(raw, dict) and not summary.damaged and not self.read_only:
                        # A summary made by an earlier version (no report facts): keep the new one, for
                        # the report's SQL. Same version: nobody else's save is overwritten.
                        conn.execute(
                            "UPDATE cases SET summary = %s WHERE id = %s AND version = %s",
                            (
                                Jsonb(summary.model_dump(mode="json", exclude={"file_mtime_ns", "file_size"})),
                                case_id,
                                version,
                            ),
                        )

    @staticmethod
    def _fetch_doc(conn: psycopg.Connection[Any], case_id: str) -> Any:
        row = conn.execute("SELECT doc FROM cases WHERE id = %s", (case_id,)).fetchone()
        return row[0] if row else None

    def summaries(self) -> list[CaseSummary]:
        return list(self._index.values())

    def iter_summaries(self) -> Iterator[CaseSummary]:
        yield from list(self._index.values())

    def case_ids(self) -> list[str]:
        return list(self._index)

    @property
    def needs_rebuild(self) -> bool:
        """Never: the summaries are kept in the database, with each case, in the same transaction."""
        return False

    def rebuild(self, progress: Callable[[int, int], None] | None = None) -> None:
        """Nothing to rebuild (see ``needs_rebuild``): the list is brought up to date, and done is reported."""
        self.refresh()
        if progress is not None:
            progress(0, 0)

    def summary(self, case_id: str) -> CaseSummary | None:
        return self._index.get(case_id)

    def __len__(self) -> int:
        return len(self._index)

    def __contains__(self, case_id: object) -> bool:
        if not isinstance(case_id, str):
            return False
        try:
            _check_id(case_id)
        except StoreError:
            return False
        with self._db("looking for a case") as conn:
            return conn.execute("SELECT 1 FROM cases WHERE id = %s", (case_id,)).fetchone() is not None

    def report_counts(self, start: datetime, end: datetime, now: datetime, role: str | None = None) -> ReportCounts:
        """The report's counts, worked out by the server from the ``summary`` JSONB (no doc is read, and no
        summary is sent here): a handful of grouped rows come back."""
        params = {
            "start": as_utc(start),
            "end": as_utc(end),
            "now": as_utc(now),
            "role": role,
            "vrr": sorted(C.VRR_OUTCOMES),
        }
        with self._db("counting the report") as conn:
            period_rows = conn.execute(_PERIOD_SQL, params).fetchall()
            welfare = conn.execute(_WELFARE_SQL, params).fetchone()
            now_rows = conn.execute(_NOW_SQL, params).fetchall()
            review = conn.execute(_REVIEW_SQL, params).fetchone()
        return _counts_from_rows(period_rows, welfare, now_rows, review)

    def victim_cases(self, victim_number: str, staff_no: str = "") -> list[CaseSummary]:
        return victim_cases(self.summaries(), victim_number, staff_no)

    # --- cases ----------------------------------------------------------------------------------------

    def _case_from(self, case_id: str, doc: Any) -> Case:
        """The case in a row's doc, which must be case ``case_id``: refused, naming the case and never a
        value, if it is not a valid case."""
        if not isinstance(doc, dict):
            raise StoreError(f"Case {case_id} in {self._where} holds no case. It has not been changed.")
        try:
            record, _ = upgrade(dict(doc))
            case = Case.model_validate(without_controls(record))
        except SchemaError as exc:
            raise StoreError(f"Case {case_id} in {self._where} {exc}. It has not been changed.") from None
        except ValidationError as exc:
            raise StoreError(
                f"Case {case_id} in {self._where} does not hold a valid case (problem at "
                f"{field_where(exc.errors()[0]['loc'])}). It has not been changed."
            ) from None
        except Exception as exc:  # noqa: BLE001 - any other surprise: named, never quoted
            raise StoreError(
                f"Case {case_id} in {self._where} does not hold a valid case ({type(exc).__name__}). "
                "It has not been changed."
            ) from None
        if case.id != case_id:
            raise StoreError(f"Case {case_id} in {self._where} holds another case. It has not been changed.")
        return case

    def load(self, case_id: str) -> Case:
        _check_id(case_id)
        with self._db(f"reading case {case_id}") as conn:
            doc = self._fetch_doc(conn, case_id)
        if doc is None:
            raise StoreError(f"Case {case_id} is not in this store.")
        return self._case_from(case_id, doc)

    def _insert(self, cur: psycopg.Cursor[Any], cases: list[Case]) -> list[tuple[str, int, CaseSummary]]:
        """Insert new cases and their history rows; StoreError naming the first that already exists."""
        ids = [c.id for c in cases]
        for case_id in ids:
            _check_id(case_id)
        if not cases:
            return []
        there = {r[0] for r in cur.execute("SELECT id FROM cases WHERE id = ANY(%s)", (ids,)).fetchall()}
        for case_id in ids:
            if case_id in there or ids.count(case_id) > 1:
                raise StoreError(f"A case {case_id} already exists.")
        made = []
        history = []
        for case in cases:
            doc, summary, row = _row_values(case)
            made.append((case.id, summary, row))
            history += [
                (case.id, h["rev"], h["at"], Jsonb(h["by"]), h["field"], h["old"], h["new"]) for h in doc["history"]
            ]
        try:
            cur.executemany(_INSERT, [row for _, _, row in made])
        except pg_errors.UniqueViolation:
            raise StoreError(f"A case {ids[0] if len(ids) == 1 else 'of these'} already exists.") from None
        if history:
            cur.executemany(_HISTORY, history)
        for case_id, _, _ in made:
            cur.execute("SELECT pg_notify(%s, %s)", (NOTIFY_CHANNEL, case_id))
        versions = dict(cur.execute("SELECT id, version FROM cases WHERE id = ANY(%s)", (ids,)).fetchall())
        return [(case_id, int(versions[case_id]), summary) for case_id, summary, _ in made]

    def create(self, case: Case) -> Case:
        self.create_many([case])
        return case

    def create_many(self, cases: list[Case]) -> None:
        """All in one transaction: if one already exists, none is saved."""
        with self._write("saving new cases") as cur:
            made = self._insert(cur, cases)
        for case_id, version, summary in made:  # after the commit: what this object lists
            self._put(case_id, version, summary)

    def replace_with_later(self, case: Case) -> None:
        """See ``CaseStore.replace_with_later``: one transaction, the case row locked while it is checked; the
        history rows added are those of ``case`` after the held ones (the history table stays append-only)."""
        _check_id(case.id)
        with self._write(f"saving case {case.id}") as cur:
            row = cur.execute("SELECT doc FROM cases WHERE id = %s FOR UPDATE", (case.id,)).fetchone()
            if row is None:
                raise StoreError(f"Case {case.id} is not in this store.")
            current = self._case_from(case.id, row[0])
            doc, summary, values = _row_values(case)
            if not is_earlier_version(current, Case.model_validate(doc)):
                raise StoreError(
                    f"Case {case.id} in {self._where} is not an earlier version of the case given "
                    "(it was changed here too, or is as new): it was not replaced."
                )
            got = cur.execute(_UPDATE, values).fetchone()
            new = doc["history"][len(current.history) :]
            cur.executemany(
                _HISTORY, [(case.id, h["rev"], h["at"], Jsonb(h["by"]), h["field"], h["old"], h["new"]) for h in new]
            )
            cur.execute("SELECT pg_notify(%s, %s)", (NOTIFY_CHANNEL, case.id))
        if got is not None:
            self._put(case.id, int(got[0]), summary)

    def replace_all(self, cases: list[Case]) -> None:
        """Every case row goes and ``cases`` are inserted, in one transaction under the exclusive lock.
        The history table keeps its rows (it is append-only): a case's history is in its doc."""
        ids = [case.id for case in cases]
        for case_id in ids:
            _check_id(case_id)
        if len(set(ids)) != len(ids):
            twice = sorted({i for i in ids if ids.count(i) > 1})
            raise StoreError(f"Two of the new cases have the same reference ({', '.join(twice)}). Nothing was changed.")
        with self._write("replacing every case", exclusive=True) as cur:
            cur.execute("DELETE FROM cases")
            made = self._insert(cur, cases)
        self._index.clear()
        self._versions.clear()
        for case_id, version, summary in made:  # after the commit: what this object lists
            self._put(case_id, version, summary)

    def update(
        self,
        case_id: str,
        by: Actor,
        *,
        sets: dict[str, Any] | None = None,
        appends: dict[str, LogEntry | dict[str, Any]] | None = None,
        base_rev: int | None = None,
        expect: dict[str, Any] | None = None,
        start_step: str | None = None,
        wait: float | None = None,
    ) -> Case:
        """As ``CaseStore.update``: one transaction, the case row locked while the change is merged."""
        _check_id(case_id)
        with self._write(f"saving case {case_id}", wait) as cur:
            row = cur.execute("SELECT doc FROM cases WHERE id = %s FOR UPDATE", (case_id,)).fetchone()
            if row is None:
                raise StoreError(f"Case {case_id} is not in this store.")
            current = self._case_from(case_id, row[0])
            updated, changed = merge_update(
                current,
                by,
                self.clock(),
                sets=sets,
                appends=appends,
                base_rev=base_rev,
                expect=expect,
                start_step=start_step,
            )
            if not changed:
                return updated
            doc, summary, values = _row_values(updated)
            got = cur.execute(_UPDATE, values).fetchone()
            new = doc["history"][len(current.history) :]
            cur.executemany(
                _HISTORY, [(case_id, h["rev"], h["at"], Jsonb(h["by"]), h["field"], h["old"], h["new"]) for h in new]
            )
            cur.execute("SELECT pg_notify(%s, %s)", (NOTIFY_CHANNEL, case_id))
        if got is not None:
            self._put(case_id, int(got[0]), summary)
        return Case.model_validate(doc)

    # --- drafts -----------------------------------------------------------------------------------------

    @staticmethod
    def _draft_key(owner: str) -> str:
        return hashlib.sha256(owner.encode("utf-8")).hexdigest()[:32]

    def save_draft(self, owner: str, draft: dict[str, Any]) -> None:
        if self.read_only:
            raise StoreError(f"{self._where} is read-only: the new case cannot be kept as a draft.")
        with self._db("keeping the draft") as conn:
            conn.execute(
                "INSERT INTO drafts (owner, draft) VALUES (%s, %s) "
                "ON CONFLICT (owner) DO UPDATE SET draft = EXCLUDED.draft, saved_at = now()",
                (self._draft_key(owner), Jsonb(without_controls(draft))),
            )

    def load_draft(self, owner: str) -> dict[str, Any] | None:
        try:
            with self._db("reading the draft") as conn:
                row = conn.execute("SELECT draft FROM drafts WHERE owner = %s", (self._draft_key(owner),)).fetchone()
        except StoreError:
            return None  # a draft that cannot be read is not worth stopping anyone for
        data = row[0] if row else None
        return without_controls(data) if isinstance(data, dict) else None

    def discard_draft(self, owner: str) -> None:
        if self.read_only:
            return
        try:
            with self._db("forgetting the draft") as conn:
                conn.execute("DELETE FROM drafts WHERE owner = %s", (self._draft_key(owner),))
        except StoreError:
            pass  # offered again next time

    # --- who else has this store open -------------------------------------------------------------------

    def _write_session(self) -> None:
        conn = self._conn
        if conn is None or self._session is None or self.read_only:
            return
        conn.execute(
            "INSERT INTO sessions (id, record, backend_pid, backend_start) "
            "SELECT %s, %s, pg_backend_pid(), "
            "(SELECT backend_start FROM pg_stat_activity WHERE pid = pg_backend_pid()) "
            "ON CONFLICT (id) DO UPDATE SET record = EXCLUDED.record, backend_pid = EXCLUDED.backend_pid, "
            "backend_start = EXCLUDED.backend_start",
            (self._session_id, Jsonb(self._session)),
        )

    def register_session(self, who: Actor | None, *, training: bool = False) -> None:
        self._session = session_record(who, training=training)
        try:
            with self._db("saying this ophamp has it open"):
                self._write_session()
        except (StoreError, psycopg.Error):
            pass

    def unregister_session(self) -> None:
        self._session = None
        if self.read_only:
            return
        try:
            with self._db("saying this ophamp has closed it") as conn:
                conn.execute("DELETE FROM sessions WHERE id = %s", (self._session_id,))
        except (StoreError, psycopg.Error):
            pass

    def other_sessions(self) -> list[dict[str, Any]]:
        """Other ophamps with a session row whose server connection is still open (a process that died
        lost its connection; its row is removed)."""
        try:
            with self._db("looking for other ophamps") as conn:
                rows = conn.execute(
                    "SELECT s.id, s.record, EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.pid = s.backend_pid "
                    "AND (a.backend_start IS NULL OR s.backend_start IS NULL OR a.backend_start = s.backend_start)) "
                    "FROM sessions s WHERE s.id <> %s",
                    (self._session_id,),
                ).fetchall()
                dead = [r[0] for r in rows if not r[2]]
                if dead and not self.read_only:
                    conn.execute("DELETE FROM sessions WHERE id = ANY(%s)", (dead,))
        except (StoreError, psycopg.Error):
            return []
        return [dict(r[1]) for r in rows if r[2] and isinstance(r[1], dict)]


def conninfo_to_dict_safe(dsn: str) -> dict[str, Any]:
    """The connection string's parameters, or none if it cannot be read (the error would quote it)."""
    try:
        return dict(conninfo_to_dict(dsn))
    except psycopg.ProgrammingError:
        return {}
