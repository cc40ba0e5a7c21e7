"""What ophamp says and keeps when it crashes: where it happened, never what it was holding.

Textual's own crash report prints every local variable, which here would mean victims' names,
injuries and health. This report names the exception type and the code locations only: no
variable values and no exception message (a message can quote user text).
"""

from __future__ import annotations

import os
import traceback
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

from platformdirs import user_state_path

from .data import atomic


def crash_dir() -> Path:
    env = os.environ.get("OPHAMP_CRASH_DIR")
    return Path(env) if env else user_state_path("ophamp", appauthor=False) / "crashes"


def safe_report(exc_type: type[BaseException] | None, tb: TracebackType | None) -> str:
    """Exception type and the stack as file:line in function: nothing from the data."""
    lines = [
        f"ophamp crash report {datetime.now(UTC):%Y-%m-%dT%H:%M:%SZ}",
        f"error: {exc_type.__name__ if exc_type else 'unknown'}",
        "where (most recent call last):",
    ]
    for frame in traceback.extract_tb(tb):
        lines.append(f"  {_short(frame.filename)}:{frame.lineno} in {frame.name}")
    return "\n".join(lines) + "\n"


def _short(filename: str) -> str:
    for marker in ("ophamp_tui", "site-packages"):
        if marker in filename:
            return filename[filename.index(marker) :]
    return Path(filename).name


def write_report(report: str) -> Path | None:
    """Keep the report (0600) for whoever supports ophamp; None if it cannot be written."""
    folder = crash_dir()
    try:
        atomic.make_private_dir(folder)
        path = folder / f"crash-{datetime.now(UTC):%Y%m%d-%H%M%S}-{os.getpid()}.txt"
        atomic.atomic_write(path, report.encode("utf-8"))
        return path
    except OSError:
        return None


def user_message(exc_type: type[BaseException] | None, report_path: Path | None) -> str:
    where = f" A report (no personal data) is in {report_path}." if report_path else ""
    name = exc_type.__name__ if exc_type else "error"
    return (
        f"ophamp stopped because of an unexpected problem ({name}). Everything saved before it "
        f"is kept: restart ophamp to carry on.{where}"
    )
