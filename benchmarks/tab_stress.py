#!/usr/bin/env python3
"""Type whole new-case forms into the real app through a pseudo-terminal, under CPU load, and check the store.

Each run starts ``python -m ophamp_tui --store <tmp>`` on an 80x24 pseudo-terminal, presses ``n`` on the
case list, waits for the new-case form, then types it the way a quick typist (or ``tmux send-keys``) does:
text, Tab, text, Tab; Enter, a few letters and Enter to pick from each menu; Ctrl+S to create the case.
Then it quits and reads the store: the case must hold exactly what was typed, field by field. A Tab that
is lost shows up as two fields run together ("PC Alex Morgan1234") or a field typed into the wrong box.

While it types, ``--burn N`` processes spin in a busy loop so the app competes for the CPU (default: one
per core).

Run from the repository root::

    .venv/bin/python benchmarks/tab_stress.py --runs 50            # the recorded figures (RELIABILITY.md)
    .venv/bin/python benchmarks/tab_stress.py --runs 5 --burn 0    # a quick run, no load

Exits 1 if any run stored something other than what was typed. ``PtyApp`` (the app on a pseudo-terminal)
and ``run()`` are also used by tests/test_terminal_input.py.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import re
import signal
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ophamp_tui.data.clock import to_london  # noqa: E402
from ophamp_tui.data.identity import save_identity  # noqa: E402
from ophamp_tui.data.models import Actor  # noqa: E402
from ophamp_tui.data.store import Store  # noqa: E402

TAB, ENTER, DOWN, CTRL_S, CTRL_Q = "\t", "\r", "\x1b[B", "\x13", "\x11"
_ANSI = re.compile(rb"\x1b\[[0-?]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[=>78]")


class PtyApp:
    """``python -m ophamp_tui`` (or ``argv``) on an 80x24 pseudo-terminal: write bytes, wait for text on screen."""

    def __init__(self, store: Path, work: Path, *, argv: list[str] | None = None) -> None:
        config = work / "config"
        save_identity(config, Actor(name="PS Sam Taylor", number="4521", role="sergeant"))
        self.crash_dir = work / "crashes"
        env = {
            **os.environ,
            "OPHAMP_CONFIG": str(config),
            "OPHAMP_CRASH_DIR": str(self.crash_dir),
            "XDG_DATA_HOME": str(work / "data"),
            "TERM": "xterm-256color",
            "COLUMNS": "80",
            "LINES": "24",
        }
        argv = argv or [sys.executable, "-m", "ophamp_tui", "--store", str(store)]
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: the program, on the terminal
            os.chdir(Path(__file__).resolve().parent.parent)
            os.execvpe(argv[0], argv, env)
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
        self.output = bytearray()
        self.status: int | None = None  # the exit status, once it has ended
        self._lock = threading.Lock()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        """Keep reading what the app prints, or it would block writing to the terminal."""
        while True:
            try:
                chunk = os.read(self.fd, 65536)
            except OSError:
                return
            if not chunk:
                return
            with self._lock:
                self.output += chunk

    def text(self, since: int = 0) -> str:
        """What was printed (from byte ``since``), escape sequences removed: good enough to find a label."""
        with self._lock:
            raw = bytes(self.output[since:])
        return _ANSI.sub(b"", raw).decode("utf-8", "replace")

    def mark(self) -> int:
        with self._lock:
            return len(self.output)

    def wait_for(self, text: str, since: int = 0, timeout: float = 20) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.text(since):
                return True
            if self.poll() is not None:
                return text in self.text(since)
            time.sleep(0.02)
        return False

    def write(self, data: bytes | str) -> None:
        os.write(self.fd, data.encode() if isinstance(data, str) else data)

    def type(self, keys: list[str], gap: float) -> None:
        """Each key in its own write, ``gap`` seconds apart (0: as fast as the terminal takes them)."""
        for key in keys:
            self.write(key)
            if gap:
                time.sleep(gap)

    def poll(self) -> int | None:
        if self.status is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.status = os.waitstatus_to_exitcode(status)
        return self.status

    def wait_exit(self, timeout: float = 10) -> int | None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.poll() is None:
            time.sleep(0.02)
        return self.status

    def close(self) -> None:
        if self.poll() is None:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        os.close(self.fd)
        self._reader.join(timeout=2)


# What is typed into the new-case form (CASE_FORM order), and what the store must then hold.
FORM = [
    "PC Alex Morgan",
    TAB,  # victim's name
    "1234",
    TAB,  # collar number
    TAB,  # role: keep "Police officer"
    "yesterday 09:15",
    TAB,  # when
    "custody suite",
    TAB,  # where
    ENTER,
    "cu",
    ENTER,  # type of place: open the menu, type to find, pick (which moves on)
    ENTER,
    "ar",
    ENTER,  # what was happening
    ENTER,
    "abh",
    ENTER,  # offence
    DOWN,
    " ",
    TAB,  # method: kick (ticked; the list starts on the first)
    ENTER,
    "minor",
    ENTER,  # injury
    ENTER,
    "first",
    ENTER,  # medical care
    TAB,  # impact: none ticked
    "shaken",
    TAB,  # impact in their words (a long text box)
    ENTER,
    "arr",
    ENTER,  # suspect: arrested
    CTRL_S,  # create the case
]
EXPECTED = {
    "victim.name": "PC Alex Morgan",
    "victim.number": "1234",
    "victim.role": "police_officer",
    "incident.when": "09:15",
    "incident.location": "custody suite",
    "incident.location_type": "custody",
    "incident.context": "arrest",
    "incident.offence": "abh_s47",
    "incident.methods": ["kick"],
    "incident.injury": "minor",
    "incident.medical": "first_aid",
    "incident.impact_notes": "shaken",
    "suspect.status": "arrested",
}


def keys_of(form: list[str]) -> list[str]:
    """One entry per key press."""
    return [ch for part in form for ch in (part if len(part) > 1 else [part])]


def stored(store: Path) -> dict | None:
    """The fields of the one case in the store, as EXPECTED names them; None if no case was created."""
    s = Store(store)
    summaries = s.summaries()
    if not summaries:
        return None
    case = s.load(summaries[0].id)
    inc = case.incident
    return {
        "victim.name": case.victim.name,
        "victim.number": case.victim.number,
        "victim.role": case.victim.role,
        "incident.when": f"{to_london(inc.occurred_at):%H:%M}" if inc.occurred_at else None,
        "incident.location": inc.location,
        "incident.location_type": inc.location_type,
        "incident.context": inc.context,
        "incident.offence": inc.offence,
        "incident.methods": inc.methods,
        "incident.injury": inc.injury,
        "incident.medical": inc.medical,
        "incident.impact_notes": inc.impact_notes,
        "suspect.status": case.suspect.status,
    }


@dataclass
class Result:
    runs: int = 0
    good: int = 0
    failures: list[str] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)  # from the first key of the form to the case screen


def type_form(work: Path, gap: float) -> tuple[bool, str, float]:
    """One run: open the form, type it, create the case, quit; (stored what was typed?, what went wrong, secs)."""
    store = work / "store"
    app = PtyApp(store, work)
    took = 0.0
    try:
        if not app.wait_for("No cases yet", timeout=30):
            return False, "the case list never appeared", took
        mark = app.mark()
        app.write("n")
        if not app.wait_for("New case: an assault", since=mark, timeout=20):
            return False, "the new-case form never appeared", took
        mark = app.mark()
        start = time.monotonic()
        app.type(keys_of(FORM), gap)
        created = app.wait_for("Supervisor aware", since=mark, timeout=30)  # the new case's first step
        took = time.monotonic() - start
        app.write(CTRL_Q)
        status = app.wait_exit(15)
    finally:
        app.close()
    got = stored(store)
    if got is None:
        texts = [part for part in FORM if len(part) > 1]
        joined = [f"{a!r}+{b!r}" for a, b in zip(texts, texts[1:], strict=False) if a[-4:] + b[:4] in app.text(mark)]
        return (
            False,
            (
                f"no case created (exit status {status}, case screen {'seen' if created else 'not seen'}"
                f"{'; shown run together: ' + ', '.join(joined) if joined else ''})"
            ),
            took,
        )
    wrong = {k: (got[k], v) for k, v in EXPECTED.items() if got[k] != v}
    if wrong:
        return False, "; ".join(f"{k}: stored {g!r}, typed {v!r}" for k, (g, v) in wrong.items()), took
    return True, "", took


def burners(n: int) -> list[subprocess.Popen]:
    return [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(n)]


def run(runs: int, *, gap: float = 0.0, burn: int = 0, work: Path | None = None, log=None) -> Result:
    result = Result()
    spinning = burners(burn)
    try:
        with tempfile.TemporaryDirectory(prefix="tab-stress-", dir=work) as tmp:
            for i in range(runs):
                ok, problem, took = type_form(Path(tmp) / f"run{i}", gap)
                result.runs += 1
                result.seconds.append(took)
                if ok:
                    result.good += 1
                else:
                    result.failures.append(f"run {i + 1}: {problem}")
                if log:
                    log(f"run {i + 1}/{runs}: {'ok' if ok else 'FAIL ' + problem} ({took:.2f} s)")
    finally:
        for p in spinning:
            p.kill()
            p.wait()
    return result


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--runs", type=int, default=50)
    p.add_argument("--gap-ms", type=float, default=0.0, help="pause between key presses (default 0: a burst)")
    p.add_argument("--burn", type=int, default=os.cpu_count() or 1, help="busy-loop processes (default: one per core)")
    p.add_argument("--quiet", action="store_true")
    args = p.parse_args()
    print(
        f"tab stress: {args.runs} forms of {len(keys_of(FORM))} key presses, {args.gap_ms:g} ms between keys, "
        f"{args.burn} busy-loop processes on {os.cpu_count()} cores"
    )
    t0 = time.monotonic()
    result = run(args.runs, gap=args.gap_ms / 1000, burn=args.burn, log=None if args.quiet else print)
    secs = sorted(result.seconds)
    print(f"forms stored exactly as typed   {result.good} of {result.runs}")
    if secs:
        print(f"typing to case created          median {secs[len(secs) // 2]:.2f} s, max {secs[-1]:.2f} s")
    print(f"time                            {time.monotonic() - t0:.1f} s")
    for failure in result.failures:
        print("  " + failure)
    print("PASS" if result.good == result.runs else f"FAIL: {result.runs - result.good} of {result.runs} forms wrong")
    return 0 if result.good == result.runs else 1


if __name__ == "__main__":
    sys.exit(main())
