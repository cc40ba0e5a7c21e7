"""The real ``ophamp`` in a real pseudo-terminal, read back as a person sees it (pyte renders the screen)."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import signal
import struct
import sys
import termios
import threading
import time
from pathlib import Path

import pyte

OPHAMP = [sys.executable, "-m", "ophamp_tui"]


class Terminal:
    """``ophamp`` (or any command) on an 80x24 terminal: send keys, wait for text, read the screen."""

    def __init__(self, argv: list[str], env: dict[str, str], *, cols: int = 80, rows: int = 24) -> None:
        self.screen = pyte.Screen(cols, rows)
        self.stream = pyte.ByteStream(self.screen)
        self.raw = bytearray()
        self._unrendered = bytearray()
        self._lock = threading.Lock()
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: the program, on the terminal
            os.execvpe(argv[0], argv, {**env, "TERM": "xterm-256color", "COLUMNS": str(cols), "LINES": str(rows)})
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        self.status: int | None = None
        self.last_output = time.monotonic()  # when the program last wrote to the terminal
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        while True:
            try:
                ready, _, _ = select.select([self.fd], [], [], 0.1)
            except (OSError, ValueError):
                return
            if not ready:
                continue
            try:
                chunk = os.read(self.fd, 65536)
            except OSError:
                return
            if not chunk:
                return
            read_at = time.monotonic()
            with self._lock:  # rendered (pyte is slow) only when the screen is read: timings stay true
                self.raw += chunk
                self._unrendered += chunk
                self.last_output = read_at

    def text(self) -> str:
        with self._lock:
            if self._unrendered:
                self.stream.feed(bytes(self._unrendered))
                self._unrendered.clear()
            return "\n".join(line.rstrip() for line in self.screen.display)

    def wait_for(self, needle: str, timeout: float = 30) -> str:
        """Wait until ``needle`` is on the screen; the screen then. Fails with what was on it."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = self.text()
            if needle in text:
                return text
            if self.exited():
                break
            time.sleep(0.05)
        raise AssertionError(f"{needle!r} not on the screen within {timeout} s:\n{self.text()}")

    def send(self, data: str | bytes, pause: float = 0.15) -> None:
        os.write(self.fd, data.encode("utf-8") if isinstance(data, str) else data)
        time.sleep(pause)

    def settle(self, since: float | None = None, quiet: float = 0.25, timeout: float = 30) -> float:
        """Wait until the program has drawn something after ``since`` (if given; at most 3 s) and then
        nothing for ``quiet`` seconds; when it last drew."""
        start = time.monotonic()
        deadline = start + timeout
        while time.monotonic() < deadline:
            with self._lock:
                last = self.last_output
            answered = since is None or last > since or time.monotonic() - start > 3
            if answered and time.monotonic() - last >= quiet:
                return last
            time.sleep(0.005)
        raise AssertionError(f"still drawing after {timeout} s")

    def exited(self) -> bool:
        if self.status is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.status = status
        return self.status is not None

    def wait_exit(self, timeout: float = 30) -> int:
        deadline = time.monotonic() + timeout
        while not self.exited():
            if time.monotonic() > deadline:
                raise AssertionError(f"still running after {timeout} s:\n{self.text()}")
            time.sleep(0.05)
        assert self.status is not None
        return os.waitstatus_to_exitcode(self.status)

    def signal(self, sig: int) -> None:
        os.kill(self.pid, sig)

    def close(self) -> None:
        if not self.exited():
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.wait_exit(10)
        try:
            os.close(self.fd)
        except OSError:
            pass

    def __enter__(self) -> Terminal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def ophamp_env(tmp_path: Path, config: str = "config") -> dict[str, str]:
    """An environment whose user directories are all inside ``tmp_path`` (nothing of the machine's)."""
    return {
        **os.environ,
        "OPHAMP_CONFIG": str(tmp_path / config),
        "OPHAMP_CRASH_DIR": str(tmp_path / "crashes"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_CONFIG_HOME": str(tmp_path / "xdg-config"),
        "XDG_STATE_HOME": str(tmp_path / "state"),
    }
