"""Issue 10, items 1-3: two people on one case, and quitting, with the real program in real terminals.

Every test here runs ``python -m ophamp_tui`` on a pseudo-terminal (rendered with pyte) and checks what
the store holds afterwards.
"""

from __future__ import annotations

import signal
import time
from datetime import UTC, datetime, timedelta

import pytest

from ophamp_tui.data.edits import new_case
from ophamp_tui.data.identity import save_identity
from ophamp_tui.data.models import Actor, Incident, Victim
from ophamp_tui.data.store import Store

from .pty_terminal import OPHAMP, Terminal, ophamp_env

NOW = datetime.now(UTC)
ANN = Actor(name="PS Ann Able", number="PS 1111", role="sergeant")
BOB = Actor(name="PS Bob Baker", number="PS 2222", role="sergeant")
SHIFT_TAB, CTRL_U, CTRL_Q = "\x1b[Z", "\x15", "\x11"


def make_store(tmp_path):
    root = tmp_path / "store"
    case = new_case(
        victim=Victim(name="PC Alex Morgan", number="PC 7788"),
        incident=Incident(occurred_at=NOW - timedelta(hours=3), methods=["punch"]),
        by=ANN,
        now=NOW - timedelta(hours=2),
        case_id="OH-TWO-PEOPLE",
    )
    Store(root).create(case)
    return root, case.id


def person(tmp_path, who: Actor, name: str) -> dict[str, str]:
    env = ophamp_env(tmp_path, config=f"config-{name}")
    save_identity(tmp_path / f"config-{name}", who)
    return env


def step_fields(root, case_id: str, step: str) -> dict:
    return Store(root).load(case_id).steps[step].fields


def eventually(check, timeout: float = 15):
    deadline = time.monotonic() + timeout
    while True:
        try:
            return check()
        except AssertionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def open_step(term: Terminal, number: str, title: str) -> None:
    term.wait_for("PC Alex Morgan")
    term.send("\r")
    term.wait_for("0/10 steps")
    term.send(number)
    term.wait_for(title)
    time.sleep(0.4)  # the form's fields are ready for typing


def test_a_stale_screen_never_overwrites_another_persons_change(tmp_path):
    """Item 1: A and B on step 1 of one case. B's screen follows A's changes live, without a keypress,
    and an edit B is typing while A changes the same field is refused when B leaves it, and told, never
    saved over A's. (Each starts with themselves suggested as the supervisor: a suggestion gives way
    to a real value.)"""
    root, case_id = make_store(tmp_path)
    argv = [*OPHAMP, "--store", str(root)]
    with Terminal(argv, person(tmp_path, ANN, "ann")) as a, Terminal(argv, person(tmp_path, BOB, "bob")) as b:
        open_step(a, "1", "Step 1 of 10: Supervisor aware")
        open_step(b, "1", "Step 1 of 10: Supervisor aware")
        b.wait_for("PS Bob Baker")  # B is suggested as the supervisor, on B's screen only
        # A names the supervisor and leaves the field: saved, with A's number (the suggestion).
        a.send(CTRL_U)
        a.send("PS Ann Able")
        a.send("\t")
        eventually(
            lambda: assert_equal(step_fields(root, case_id, "supervisor_aware").get("supervisor_name"), "PS Ann Able")
        )
        eventually(
            lambda: assert_equal(step_fields(root, case_id, "supervisor_aware").get("supervisor_number"), "PS 1111")
        )
        # B's screen follows at once, without a key: B's suggestion gives way to A's name, no conflict.
        b.wait_for("PS Ann Able")
        b.wait_for("PS 1111")
        # B changes another field: merged with A's.
        b.send("\t\t\t", pause=0.3)  # to the CAD reference
        b.send("CAD 1")
        b.send("\t")
        eventually(lambda: assert_equal(Store(root).load(case_id).incident.cad_ref, "CAD 1"))
        time.sleep(0.5)
        assert "changed this" not in b.text()
        fields = step_fields(root, case_id, "supervisor_aware")
        assert fields["supervisor_name"] == "PS Ann Able" and fields["supervisor_number"] == "PS 1111"
        # A changes the name again: B sees it live.
        a.send(SHIFT_TAB)
        a.send(CTRL_U)
        a.send("PS Ann Other")
        a.send("\t")
        eventually(
            lambda: assert_equal(step_fields(root, case_id, "supervisor_aware").get("supervisor_name"), "PS Ann Other")
        )
        b.wait_for("PS Ann Other")
        # Both change the name at once: B is typing when A saves. B's typing is not overwritten, and when
        # B leaves the field B is told, with what B typed kept in the message, and shown A's value.
        for _ in range(4):  # back from the field after the CAD reference to the name
            b.send(SHIFT_TAB, pause=0.3)
        b.send(CTRL_U)
        b.send("PS Bob Stale")
        b.wait_for("PS Bob Stale")
        a.send(SHIFT_TAB)
        a.send(CTRL_U)
        a.send("PS Ann Third")
        a.send("\t")
        eventually(
            lambda: assert_equal(step_fields(root, case_id, "supervisor_aware").get("supervisor_name"), "PS Ann Third")
        )
        time.sleep(1.0)  # B's screen has heard of it, and kept B's typing
        assert "PS Bob Stale" in b.text()
        b.send("\t")
        b.wait_for("changed this")  # told, with what B typed kept in the message
        b.wait_for("PS Ann Third")  # and shown A's value
        time.sleep(0.5)
        fields = step_fields(root, case_id, "supervisor_aware")
        assert fields["supervisor_name"] == "PS Ann Third" and fields["supervisor_number"] == "PS 1111"
        assert Store(root).load(case_id).incident.cad_ref == "CAD 1"


def assert_equal(got, want) -> None:
    assert got == want, (got, want)


@pytest.mark.parametrize("how", ["ctrl+q", "sighup", "sigterm"])
def test_what_is_being_typed_is_saved_when_ophamp_is_closed(tmp_path, how):
    """Item 2: Ctrl+Q, closing the terminal window (SIGHUP) and SIGTERM save the field being typed
    and the long text typed a moment before, as Escape does."""
    root, case_id = make_store(tmp_path)
    with Terminal([*OPHAMP, "--store", str(root)], person(tmp_path, ANN, "ann")) as term:
        open_step(term, "4", "Step 4 of 10: Statement taken")
        term.send("PC Jo Reed\t")  # left: saved at once
        for _ in range(3):  # to the impact, a long text box (saved a second after typing stops)
            term.send("\t", pause=0.3)
        term.send("Cannot sleep", pause=0.05)
        term.wait_for("Cannot sleep")  # on the screen: typed, though not saved yet
        for _ in range(3):  # back to the number, typed but not left
            term.send(SHIFT_TAB, pause=0.3)
        term.send("PC 3310", pause=0.05)
        if how != "ctrl+q":  # a signal can come at any moment: what is on the screen must be saved
            term.wait_for("PC 3310")
        {
            "ctrl+q": lambda: term.send(CTRL_Q, pause=0),
            "sighup": lambda: term.signal(signal.SIGHUP),
            "sigterm": lambda: term.signal(signal.SIGTERM),
        }[how]()
        term.wait_exit(30)
    fields = step_fields(root, case_id, "statement")
    assert fields == {"taker_name": "PC Jo Reed", "taker_number": "PC 3310", "impact": "Cannot sleep"}


def test_quit_says_what_could_not_be_saved_and_lets_you_stay(tmp_path):
    """Item 2: a value that is not valid cannot be saved; Ctrl+Q says so and offers to stay."""
    root, case_id = make_store(tmp_path)
    with Terminal([*OPHAMP, "--store", str(root)], person(tmp_path, ANN, "ann")) as term:
        open_step(term, "1", "Step 1 of 10: Supervisor aware")
        term.send("PS Ann Able\t\t")
        term.send("31/02/2026 10:00", pause=0.05)  # not a date
        term.send(CTRL_Q)
        term.wait_for("Not saved: 'When the supervisor learned of it'")
        term.send("\r")  # "Stay and fix it" is the default
        time.sleep(0.5)
        assert not term.exited()
        term.send(CTRL_U)
        # A date now, but before the incident (3 hours ago): still not valid. Two days back, not "today
        # 00:00", which is after the incident between midnight and 3 am.
        term.send((datetime.now() - timedelta(days=2)).strftime("%d/%m/%Y %H:%M"))
        term.send(CTRL_Q)
        term.wait_for("is before the")
        term.wait_for("Quit anyway")
        term.send("\t")  # to "Quit anyway"
        term.send("\r")
        term.wait_exit(30)
    fields = step_fields(root, case_id, "supervisor_aware")
    assert fields["supervisor_name"] == "PS Ann Able" and fields.get("aware_at") is None  # before the incident


def test_ctrl_q_quits_from_the_first_start_identity_prompt(tmp_path):
    """Item 3: a newcomer who only wanted to look can leave from the first screen."""
    root, _ = make_store(tmp_path)
    with Terminal([*OPHAMP, "--store", str(root)], ophamp_env(tmp_path, config="nobody")) as term:
        term.wait_for("Who is using ophamp?")
        term.send("PS Just Look", pause=0.1)
        term.send(CTRL_Q)
        assert term.wait_exit(20) == 0
    assert not (tmp_path / "nobody" / "identity.json").exists()
