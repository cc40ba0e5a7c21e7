"""A PostgreSQL server stopped or restarted under ophamp: a clear message, and it carries on when it is back.

Each test uses a real server of its own (``pgserver``), stopped and started again with its own
``pg_ctl``, so the shared test server keeps running for the other tests. Nothing is mocked.
"""

from __future__ import annotations

import shutil
import time
from datetime import timedelta

import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from ophamp_tui.app import OpHampApp
from ophamp_tui.data.edits import new_case
from ophamp_tui.data.errors import StoreError, StoreUnavailableError
from ophamp_tui.data.identity import save_identity
from ophamp_tui.data.models import Incident, Victim
from ophamp_tui.data.store_pg import PgStore
from ophamp_tui.screens.confirm import ConfirmScreen

from .conftest import PgServer, pg_data_dir
from .ui_helpers import SERGEANT, field, fixed_clock, screen_text, toasts

NOW = fixed_clock()()
SECRET = "Sup3r-Secret-pw"  # the test server trusts local connections: any password is accepted


class RestartableServer(PgServer):
    """A server of its own that a test may stop and start again (same data, same socket)."""

    def stop_now(self) -> None:
        from pgserver._commands import pg_ctl

        pg_ctl(["-w", "-m", "fast", "stop"], pgdata=self.root, user=self.server.system_user)

    def start_again(self) -> None:
        from pgserver._commands import pg_ctl

        socket_dir = conninfo_to_dict(self.uri)["host"]
        pg_ctl(
            ["-w", "-o", '-h ""', "-o", f"-k {socket_dir}", "-l", str(self.root / "log"), "start"],
            pgdata=self.root,
            user=self.server.system_user,
        )

    def running(self) -> bool:
        try:
            psycopg.connect(self.uri, connect_timeout=2).close()
        except psycopg.OperationalError:
            return False
        return True


@pytest.fixture
def server():
    srv = RestartableServer(pg_data_dir())
    if srv.error:
        pytest.fail(f"the PostgreSQL test server could not start: {srv.error}")
    yield srv
    if srv.running():
        srv.stop_now()  # (pgserver's own clean-up at exit then finds nothing to stop)
    shutil.rmtree(srv.root.parent, ignore_errors=True)


def dsn_with_password(server: RestartableServer) -> str:
    return make_conninfo(server.admin_uri(), password=SECRET)


def a_case(case_id: str):
    return new_case(
        victim=Victim(name="PC Alex Morgan", number="PC 7788"),
        incident=Incident(occurred_at=NOW - timedelta(hours=2)),
        by=SERGEANT,
        now=NOW,
        case_id=case_id,
    )


def test_a_stopped_server_is_a_clear_error_and_the_same_store_carries_on_when_it_is_back(server):
    store = PgStore(dsn_with_password(server), clock=fixed_clock())
    store.create(a_case("OH-DOWN"))
    assert store.wait_for_change(0.05) is False  # watching from now on
    server.stop_now()

    calls = {
        "update": lambda: store.update("OH-DOWN", SERGEANT, sets={"steps.statement.notes": "typed while down"}),
        "load": lambda: store.load("OH-DOWN"),
        "refresh": store.refresh,
        "contains": lambda: "OH-DOWN" in store,
        "wait_for_change": lambda: store.wait_for_change(0.1),
    }
    for name, call in calls.items():
        with pytest.raises(StoreUnavailableError) as info:
            call()
        message = str(info.value)
        assert isinstance(info.value, StoreError), name
        assert "PostgreSQL database postgres" in message, (name, message)
        assert "stopped or restarted" in message or "cannot be reached" in message, (name, message)
        assert SECRET not in message and "\n" not in message and "Traceback" not in message, (name, message)
    assert [s.id for s in store.summaries()] == ["OH-DOWN"]  # the list it had is still there to show

    server.start_again()
    # The same object, no error first: it connects again by itself.
    assert store.load("OH-DOWN").rev == 0  # the save tried while it was down changed nothing
    saved = store.update("OH-DOWN", SERGEANT, sets={"steps.statement.notes": "typed while down"})
    assert saved.rev == 1 and "OH-DOWN" in store
    assert store.wait_for_change(0.1) is True  # back: changes made meanwhile may have been missed
    assert PgStore(server.admin_uri()).load("OH-DOWN").steps["statement"].notes == "typed while down"


def test_a_server_restarted_between_two_calls_is_not_even_noticed(server):
    store = PgStore(server.admin_uri(), clock=fixed_clock())
    store.create(a_case("OH-RESTART"))
    server.stop_now()
    server.start_again()
    assert store.update("OH-RESTART", SERGEANT, sets={"steps.statement.notes": "after"}).rev == 1
    store.refresh()
    assert store.summary("OH-RESTART").rev == 1


def test_a_connection_lost_inside_a_save_changes_nothing_and_says_so(pg_dsn):
    """The connection goes after the case row is locked (the clock is read there): nothing is saved, the
    error says the store cannot be reached (so the save may be tried again), and the next call works."""
    cut = []

    def clock_that_cuts_the_connection():
        if cut:
            with psycopg.connect(pg_dsn, autocommit=True) as admin:
                admin.execute("SELECT pg_terminate_backend(%s, 5000)", (cut.pop(),))
        return NOW

    store = PgStore(pg_dsn, clock=clock_that_cuts_the_connection)
    store.create(a_case("OH-CUT"))
    cut.append(store._conn.info.backend_pid)  # noqa: SLF001 - the connection the save will use
    with pytest.raises(StoreUnavailableError, match="Nothing was changed"):
        store.update("OH-CUT", SERGEANT, sets={"steps.statement.notes": "x"})
    assert store.load("OH-CUT").rev == 0
    assert store.update("OH-CUT", SERGEANT, sets={"steps.statement.notes": "x"}).rev == 1


# --- in the app, at 80x24 --------------------------------------------------------------------------------


async def wait_until(pilot, check, seconds: float = 15.0, what: str = "") -> None:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {seconds} s: {what}\n{screen_text(pilot)}")
        await pilot.pause(0.1)


async def test_what_is_typed_while_the_server_is_down_is_saved_when_it_is_back(server, tmp_path):
    dsn = dsn_with_password(server)
    PgStore(dsn).create(a_case("OH-APP"))
    save_identity(tmp_path / "config", SERGEANT)
    app = OpHampApp(PgStore(dsn, clock=fixed_clock()), config_dir=tmp_path / "config", clock=fixed_clock())
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.pause()
        await pilot.press("enter", "1")  # the case, then step 1
        await pilot.pause()
        await pilot.press(*"PS Kim Lee", "tab")  # saved at once
        await wait_until(pilot, lambda: "OH-APP" in app.store and not app.saver.waiting, what="the first save")

        server.stop_now()
        await pilot.press(*"PS 1234", "tab")  # typed while the server is down
        await wait_until(pilot, lambda: bool(app.store_unreachable), what="the app noticing")
        await pilot.pause(0.3)
        shown = toasts(pilot)
        assert "Database unreachable" in shown and "held and saved when it is back" in shown
        assert "stopped or restarted" in shown or "cannot be reached" in shown
        assert SECRET not in shown and "Traceback" not in shown
        assert "database down: 1 held" in app.sub_title  # in the header
        assert field(pilot, "supervisor_number").value == "PS 1234"  # the screen carries on
        assert app.saver.waiting >= 1
        await pilot.press("ctrl+q")  # quitting now would lose them: asked first
        await pilot.pause(0.3)
        assert isinstance(app.screen, ConfirmScreen)
        assert "held: the database cannot be reached" in screen_text(pilot)
        await pilot.press("escape")  # stay
        await pilot.pause()

        server.start_again()
        await wait_until(pilot, lambda: not app.saver.waiting and not app.store_unreachable, what="held saves")
        await pilot.pause(0.3)
        assert "Database back" in toasts(pilot)
        assert "database down" not in app.sub_title
        # Live updates are back too: a save made elsewhere shows on this screen without a keypress.
        PgStore(dsn).update("OH-APP", SERGEANT, sets={"steps.supervisor_aware.notes": "from elsewhere"})
        await wait_until(pilot, lambda: app.screen.case.rev >= 3, seconds=5, what="the live update")
        assert app.is_running
    fields = PgStore(dsn).load("OH-APP").steps["supervisor_aware"].fields
    assert fields["supervisor_name"] == "PS Kim Lee" and fields["supervisor_number"] == "PS 1234"
