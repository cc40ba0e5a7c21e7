"""`ophamp serve` as a web page we do not control sees it: the real server, a real websocket client.

Each test starts the real ``ophamp serve`` in its own process group on a free port, drives it with
aiohttp (what a browser or a hostile page would send) and kills the whole group at the end.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import signal
import socket
import stat
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest

from ophamp_tui.data.identity import save_identity
from ophamp_tui.data.models import Actor

LIVE_USER = Actor(name="PS Live Sergeant", number="4521", role="sergeant")
SECRET = "Zelda Quux broken wrist"  # what a user might type: must never reach the server's log


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Served:
    proc: subprocess.Popen
    port: int
    host: str
    env: dict[str, str]
    log_path: Path
    data: Path
    live_config: Path

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def origin(self) -> str:
        return self.url

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def sessions(self) -> list[Path]:
        root = self.data / "ophamp" / "training" / "serve"
        return sorted(root.iterdir()) if root.exists() else []

    def children(self) -> list[int]:
        """Processes the server started (one per browser tab)."""
        kids = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                if int(fields[1]) == self.proc.pid:
                    kids.append(int(entry.name))
        return kids


def env_for(tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_CONFIG_HOME": str(tmp_path / "xdg-config"),
        "OPHAMP_CONFIG": str(tmp_path / "live-config"),
        "OPHAMP_CRASH_DIR": str(tmp_path / "crashes"),
    }


def kill_group(proc: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        pass
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)  # the server and every tab it started
    proc.wait(timeout=5)


@contextlib.contextmanager
def serving(tmp_path: Path, *args: str, host: str = "127.0.0.1") -> Iterator[Served]:
    port = free_port()
    env = env_for(tmp_path)
    log_path = tmp_path / "serve.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "ophamp_tui", "serve", "--host", host, "--port", str(port), *args],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )
    served = Served(
        proc,
        port,
        "127.0.0.1" if host in ("0.0.0.0", "localhost") else host,
        env,
        log_path,
        tmp_path / "data",
        tmp_path / "live-config",
    )
    try:
        deadline = time.monotonic() + 15
        while "Serving ophamp" not in served.log():
            assert proc.poll() is None, served.log()
            assert time.monotonic() < deadline, served.log()
            time.sleep(0.05)
        yield served
    finally:
        kill_group(proc)


async def read_until(
    ws: aiohttp.ClientWebSocketResponse, *, idle: float = 0.8, limit: float = 8.0, want: bytes | None = None
) -> bytes:
    """What the server sends until it has said ``want`` (or been quiet ``idle`` s), at most ``limit`` s."""
    out = bytearray()
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        try:
            message = await ws.receive(timeout=min(idle, max(0.01, deadline - time.monotonic())))
        except TimeoutError:
            if out and want is None:
                break
            continue
        if message.type == aiohttp.WSMsgType.BINARY:
            out += message.data
            if want is not None and want in out:
                break
        elif message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.CLOSING):
            break
    return bytes(out)


def connect(
    session: aiohttp.ClientSession,
    served: Served,
    *,
    origin: str | None,
    query: str = "",
    headers: dict[str, str] | None = None,
):
    extra = dict(headers or {})
    if origin is not None:
        extra["Origin"] = origin
    return session.ws_connect(f"{served.url}/ws{query}", headers=extra, timeout=aiohttp.ClientWSTimeout(ws_close=5))


async def refused(served: Served, origin: str | None, **kwargs) -> int:
    async with aiohttp.ClientSession() as session:
        try:
            async with connect(session, served, origin=origin, **kwargs):
                return 101
        except aiohttp.WSServerHandshakeError as exc:
            return exc.status


def log_lines(served: Served) -> list[str]:
    return [line for line in served.log().splitlines() if line.strip()]


# --- 10: only ophamp's own page may connect ---------------------------------------------------------------


async def test_a_foreign_origin_is_refused_with_403_and_one_plain_log_line(tmp_path):
    with serving(tmp_path) as served:
        foreign = [
            "http://evil.example",
            f"http://evil.example:{served.port}",
            "null",
            f"http://localhost:{served.port + 1}",
            f"https://127.0.0.1:{served.port}",
            f"http://127.0.0.1.evil.example:{served.port}",
            None,
        ]
        for origin in foreign:
            assert await refused(served, origin) == 403, origin
        assert served.sessions() == [] and served.children() == []  # nothing was started for them
        # The page itself, by each name of this computer, is let in.
        for origin in (served.origin, f"http://localhost:{served.port}", f"http://[::1]:{served.port}"):
            assert await refused(served, origin) == 101, origin
        lines = log_lines(served)
    refusals = [line for line in lines if "refused a connection" in line]
    assert len(refusals) == len(foreign)
    assert all(line.startswith("ophamp serve: ") for line in refusals)
    assert "Traceback" not in served.log()


async def test_a_host_other_than_localhost_warns_and_refuses_other_sites_names(tmp_path):
    """Bound to every address: the page's own address is let in; a site's name (DNS rebinding) is not."""
    with serving(tmp_path, host="0.0.0.0") as served:
        assert "warning: serving on 0.0.0.0" in served.log()
        with urllib.request.urlopen(f"{served.url}/", timeout=5) as response:
            assert f'data-session-websocket-url="ws://127.0.0.1:{served.port}/ws"' in response.read().decode()
        assert await refused(served, served.origin) == 101
        rebound = f"evil.example:{served.port}"
        assert await refused(served, f"http://{rebound}", headers={"Host": rebound}) == 403
        assert await refused(served, f"http://10.9.8.7:{served.port}") == 403  # another machine's page


def test_live_on_a_host_other_than_localhost_is_refused(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "ophamp_tui", "serve", "--live", "--host", "0.0.0.0", "--port", str(free_port())],
        capture_output=True,
        text=True,
        env=env_for(tmp_path),
        timeout=20,
    )
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        "ophamp: --live is served on localhost only: live cases are never served to other computers."
    ]


# --- 16: errors when it cannot listen are one line, not a traceback ------------------------------------------


def _one_line_failure(argv: list[str], env: dict[str, str]) -> str:
    result = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=20)
    assert result.returncode != 0, result.stdout
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("ophamp: "), result.stderr
    return lines[0]


def test_a_port_in_use_is_one_line(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        line = _one_line_failure(
            [sys.executable, "-m", "ophamp_tui", "serve", "--host", "127.0.0.1", "--port", str(port)], env_for(tmp_path)
        )
    assert f"port {port} is already in use" in line


def test_an_unknown_host_name_is_one_line(tmp_path):
    line = _one_line_failure(
        [sys.executable, "-m", "ophamp_tui", "serve", "--host", "no-such-host.invalid", "--port", str(free_port())],
        env_for(tmp_path),
    )
    assert "unknown host name 'no-such-host.invalid'" in line


def test_port_80_as_a_normal_user_is_one_line(tmp_path):
    """The tests run as root, so the operating system's refusal is simulated where it happens: at bind."""
    program = (
        "import asyncio.base_events, errno, sys\n"
        "async def refuse(*args, **kwargs):\n"
        "    raise PermissionError(errno.EACCES, 'Permission denied')\n"
        "asyncio.base_events.BaseEventLoop.create_server = refuse\n"
        "from ophamp_tui.__main__ import main\n"
        "sys.exit(main(['serve', '--port', '80']))\n"
    )
    line = _one_line_failure([sys.executable, "-c", program], env_for(tmp_path))
    assert line == (
        "ophamp: not allowed to listen on port 80 (ports below 1024 need administrator rights): "
        "choose 1024 or above with --port."
    )


# --- 12: malformed messages, too many tabs, huge terminals -----------------------------------------------------


async def test_a_malformed_message_logs_one_line_without_locals_or_content(tmp_path):
    with serving(tmp_path) as served:
        async with aiohttp.ClientSession() as session:
            async with connect(session, served, origin=served.origin) as ws:
                assert b"Learner" in await read_until(ws, want=b"Learner")
                await ws.send_str(json.dumps(["stdin", SECRET]))
                await read_until(ws, idle=0.5)
                await ws.send_str('["stdin", "' + SECRET)  # cut short: not JSON
                await read_until(ws, limit=5)
                assert ws.closed or (await ws.receive(timeout=5)).type in (
                    aiohttp.WSMsgType.CLOSE,
                    aiohttp.WSMsgType.CLOSED,
                )
            async with connect(session, served, origin=served.origin) as ws:
                await ws.send_str(json.dumps(["resize", {"width": SECRET, "height": 24}]))
                await read_until(ws, limit=5)
        time.sleep(0.5)
        log = served.log()
    malformed = [line for line in log.splitlines() if "malformed" in line]
    assert malformed == ["ophamp serve: ended a browser session after a malformed message (not shown)."] * 2
    assert "Zelda" not in log and "Traceback" not in log and "locals" not in log.lower()


def page_opens(served: Served) -> bool:
    try:
        with urllib.request.urlopen(f"{served.url}/", timeout=5):
            return True
    except urllib.error.HTTPError:
        return False


async def test_browser_tabs_are_capped_and_the_next_is_told_why(tmp_path):
    with serving(tmp_path, "--max-sessions", "2") as served:
        async with aiohttp.ClientSession() as session:
            first = await connect(session, served, origin=served.origin)
            second = await connect(session, served, origin=served.origin)
            for ws in (first, second):
                assert b"Learner" in await read_until(ws, want=b"Learner")
            assert len(served.children()) == 2  # one process per tab
            third = await connect(session, served, origin=served.origin)
            said = await read_until(third, limit=5)
            assert b"already has 2 sessions open" in said
            assert len(served.children()) == 2 and len(served.sessions()) == 2
            with pytest.raises(urllib.error.HTTPError) as page:  # and a new tab's page says so straight away
                urllib.request.urlopen(f"{served.url}/", timeout=5)
            assert page.value.code == 503 and b"already has 2 sessions open" in page.value.read()
            await third.close()
            await first.close()  # a place comes free once that tab's ophamp has ended
            deadline = time.monotonic() + 8
            while not page_opens(served) and time.monotonic() < deadline:
                await asyncio.sleep(0.1)
            again = await connect(session, served, origin=served.origin)
            assert b"Learner" in await read_until(again, want=b"Learner")
            await again.close()
            await second.close()
    assert "refused a browser tab: 2 sessions are open" in served.log()


def _furthest(output: bytes) -> tuple[int, int]:
    moves = [(int(row), int(col)) for row, col in re.findall(rb"\x1b\[(\d+);(\d+)H", output)]
    return max(r for r, _ in moves), max(c for _, c in moves)


async def test_terminal_sizes_are_capped_at_400_by_200(tmp_path):
    with serving(tmp_path) as served:
        async with aiohttp.ClientSession() as session:
            async with connect(session, served, origin=served.origin, query="?width=2000&height=1000") as ws:
                first = await read_until(ws, want=b"Learner")
                rows, _cols = _furthest(first + await read_until(ws))  # the whole first screen
                assert rows <= 200
                [child] = served.children()
                environ = dict(v.split(b"=", 1) for v in Path(f"/proc/{child}/environ").read_bytes().split(b"\0") if v)
                assert (environ[b"COLUMNS"], environ[b"ROWS"]) == (b"400", b"200")
                await ws.send_str(json.dumps(["resize", {"width": 100, "height": 30}]))
                assert _furthest(await read_until(ws))[0] <= 30
                await ws.send_str(json.dumps(["resize", {"width": 2000, "height": 1000}]))
                rows, cols = _furthest(await read_until(ws, idle=1.5))
                assert 100 < rows <= 200 and cols <= 400


# --- 11: training has its own identity and its own folder --------------------------------------------------

TRAINEE = ("PC Trainee Example", "T 99")
# Close the first-start question if there is one, switch user, save: what a trainee does in class.
SWITCH_USER = [b"\x1b", b"u", b"\x15", TRAINEE[0].encode(), b"\r", b"\x15", TRAINEE[1].encode(), b"\r"]
F12 = b"\x1b[24~"


def live_identity(tmp_path: Path) -> bytes:
    save_identity(tmp_path / "live-config", LIVE_USER)
    return (tmp_path / "live-config" / "identity.json").read_bytes()


def assert_private_tree(top: Path, leaf: Path) -> None:
    for folder in [leaf, *leaf.parents]:
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
        if folder == top:
            break


def assert_trainee_folder(session: Path) -> None:
    saved = json.loads((session / "identity.json").read_text(encoding="utf-8"))
    assert (saved["name"], saved["number"]) == TRAINEE
    assert stat.S_IMODE((session / "identity.json").stat().st_mode) == 0o600
    [svg] = list((session / "output").glob("*.svg"))
    assert stat.S_IMODE(svg.stat().st_mode) == 0o600
    assert "TRAINING" in svg.read_text(encoding="utf-8")


def run_in_pty(argv: list[str], env: dict[str, str], keys: list[bytes], *, timeout: float = 25) -> tuple[bytes, int]:
    """Run ``argv`` on an 80x24 pseudo-terminal; once it has drawn and gone quiet, type each of ``keys``
    (waiting for the screen to settle after each). Returns what it printed and its exit status."""
    import fcntl
    import pty
    import select
    import struct
    import termios

    pid, fd = pty.fork()
    if pid == 0:  # the child: the program on the terminal
        os.execvpe(argv[0], argv, {**env, "TERM": "xterm-256color", "COLUMNS": "80", "LINES": "24"})
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    out = bytearray()
    pending = list(keys)
    deadline = time.monotonic() + timeout
    last_output = None
    status = None
    try:
        while time.monotonic() < deadline and status is None:
            ready, _, _ = select.select([fd], [], [], 0.05)
            if ready:
                try:
                    chunk = os.read(fd, 65536)
                except OSError:
                    chunk = b""
                if chunk:
                    out += chunk
                    last_output = time.monotonic()
            if pending and last_output is not None and time.monotonic() - last_output > 0.4:
                os.write(fd, pending.pop(0))
                last_output = time.monotonic()
            done, code = os.waitpid(pid, os.WNOHANG)
            if done:
                status = os.waitstatus_to_exitcode(code)
    finally:
        if status is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        os.close(fd)
    return bytes(out), status


def test_demo_never_changes_the_live_identity(tmp_path):
    before = live_identity(tmp_path)
    env = env_for(tmp_path)
    out, status = run_in_pty(
        [sys.executable, "-m", "ophamp_tui", "demo"], env, [*SWITCH_USER, F12, b"\x11"]
    )  # ... a picture for the slides, Ctrl+Q
    assert status == 0, out[-2000:]
    assert (tmp_path / "live-config" / "identity.json").read_bytes() == before
    training = tmp_path / "data" / "ophamp" / "training"
    assert_trainee_folder(training / "demo")
    assert_private_tree(training, training / "demo" / "output")


@pytest.mark.parametrize("name", ["../../../etc", "20261123-150000-abcdef0/..", "demo", ""])
def test_a_training_session_folder_cannot_point_elsewhere(tmp_path, monkeypatch, capsys, name):
    from ophamp_tui.__main__ import main

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert main(["demo", "--serve-session", name]) == 2
    assert capsys.readouterr().err == "ophamp: --serve-session is only set by `ophamp serve`.\n"
    assert not (tmp_path / "data").exists()


async def test_a_serve_tab_has_its_own_identity_and_folder(tmp_path):
    before = live_identity(tmp_path)
    with serving(tmp_path) as served:
        async with aiohttp.ClientSession() as session:
            async with connect(session, served, origin=served.origin) as ws:
                # A new tab is a new person ("Learner 1"), never the user this computer knows.
                assert b"Learner" in await read_until(ws, want=b"Learner")
                for key in [*SWITCH_USER, F12]:
                    await ws.send_str(json.dumps(["stdin", key.decode()]))
                    await read_until(ws, idle=0.3)
                [tab] = served.sessions()
                deadline = time.monotonic() + 5
                while not list((tab / "output").glob("*.svg")) and time.monotonic() < deadline:
                    await asyncio.sleep(0.1)
    assert (tmp_path / "live-config" / "identity.json").read_bytes() == before
    assert_trainee_folder(tab)
    assert_private_tree(tmp_path / "data" / "ophamp" / "training", tab / "output")


# --- screenshots: 0600 in a folder only you can open, and one Screenshot command -----------------------------


async def test_a_live_screenshot_is_private_and_never_goes_into_a_shared_folder(tmp_path):
    from .ui_helpers import make_app, paste, toasts

    app = make_app(tmp_path)
    new = tmp_path / "slides" / "week1"
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    os.chmod(shared, 0o755)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        for folder in (new, shared):
            await pilot.press("f12")
            await pilot.pause()
            await pilot.press("ctrl+u")
            await paste(pilot, str(folder))
            await pilot.press("enter")
            await pilot.pause()
            await pilot.pause()
        said = toasts(pilot)
    [svg] = list(new.glob("*.svg"))
    assert stat.S_IMODE(svg.stat().st_mode) == 0o600
    assert stat.S_IMODE(new.stat().st_mode) == 0o700
    assert list(shared.iterdir()) == [] and stat.S_IMODE(shared.stat().st_mode) == 0o755  # refused, untouched
    assert "can be opened by other users" in said


async def test_the_command_palette_offers_one_screenshot_command(tmp_path):
    from textual.command import CommandList

    from .ui_helpers import make_app

    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+p", *"screenshot")
        await pilot.pause(0.5)
        commands = pilot.app.screen.query_one(CommandList)
        titles = [str(commands.get_option_at_index(i).prompt).splitlines()[0] for i in range(commands.option_count)]
    assert [t for t in titles if "screenshot" in t.lower()] == ["Screenshot"], titles
