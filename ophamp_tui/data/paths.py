"""Where things live: the store, the workstation's user settings, and training mode's own folders."""

from __future__ import annotations

import errno
import os
import re
import secrets
import shutil
import time
from datetime import datetime
from pathlib import Path

from platformdirs import user_config_path, user_data_path

from . import atomic

APP_NAME = "ophamp"


def default_store() -> Path:
    return user_data_path(APP_NAME, appauthor=False) / "store"


def is_database_url(value: str | None) -> bool:
    """True for a PostgreSQL URI (``postgresql://...`` or ``postgres://...``) rather than a folder."""
    return bool(value) and str(value).lower().startswith(("postgresql://", "postgres://"))


def resolve_store(flag: str | None) -> Path | str:
    """``--store`` wins, then ``OPHAMP_STORE``, then the platform's user data directory.

    A PostgreSQL URI comes back as it is (a string, for ``store_pg.PgStore``); anything else is a folder.
    """
    value = flag or os.environ.get("OPHAMP_STORE")
    if value and is_database_url(value):
        return value
    if value:
        return Path(value).expanduser()
    return default_store()


def config_dir() -> Path:
    env = os.environ.get("OPHAMP_CONFIG")
    if env:
        return Path(env).expanduser()
    return user_config_path(APP_NAME, appauthor=False)


def demo_store() -> Path:
    """Training mode's own store: never the live one."""
    return user_data_path(APP_NAME, appauthor=False) / "training-store"


# --- training: its own identity and its own output folder, never the live ones ------------------------

_SESSION = re.compile(r"[0-9]{8}-[0-9]{6}-[0-9a-f]{8}")


def training_dir() -> Path:
    """Everything training mode keeps besides its store: identities and files written for slides."""
    return user_data_path(APP_NAME, appauthor=False) / "training"


def new_session_name(now: datetime) -> str:
    """A name for one ``ophamp serve`` browser session: when it began, and a random part."""
    return f"{now:%Y%m%d-%H%M%S}-{secrets.token_hex(4)}"


def is_session_name(name: str) -> bool:
    return _SESSION.fullmatch(name) is not None


def training_session_dir(session: str | None = None) -> Path:
    """``ophamp demo``'s own folder, or one browser session's: its identity file and its output folder.

    Only a name made by :func:`new_session_name` is accepted, so a session can never point elsewhere.
    """
    if session is None:
        return training_dir() / "demo"
    if not is_session_name(session):
        raise ValueError("not a training session name")
    return training_dir() / "serve" / session


def training_output_dir(session_dir: Path) -> Path:
    """Where training writes exports and pictures, without asking for a folder."""
    return session_dir / "output"


def prepare_training_session(session: str | None = None) -> Path:
    """Create a training session's folders, each readable by you only (0700). Returns the session folder."""
    session_dir = training_session_dir(session)
    folders = [
        training_dir(),
        *([training_dir() / "serve"] if session else []),
        session_dir,
        training_output_dir(session_dir),
    ]
    for folder in folders:
        atomic.make_private_dir(folder)
    return session_dir


def training_session_store(session_dir: Path) -> Path:
    """One browser session's own copy of the scenarios: what one learner changes, nobody else sees."""
    return session_dir / "store"


def learner_name(number: int) -> str:
    """The name a browser session starts with (``u`` changes it): never anyone's real identity."""
    return f"Learner {number}"


def end_training_session(session: str) -> None:
    """After its tab has gone: remove the session's own store, and its folder if nothing was written for slides.

    Pictures and exports a learner made stay (in ``output``) until the trainer deletes them.
    """
    session_dir = training_session_dir(session)  # refuses anything but a session name
    shutil.rmtree(training_session_store(session_dir), ignore_errors=True)
    output = training_output_dir(session_dir)
    try:
        if output.is_dir() and not any(output.iterdir()):
            shutil.rmtree(session_dir, ignore_errors=True)
    except OSError:
        pass


STALE_SESSION_SECONDS = 24 * 3600


def remove_stale_session_stores(now: float | None = None) -> int:
    """Remove the stores of browser sessions untouched for a day (a server that was killed left them).

    A day, so another ``ophamp serve`` running now on another port keeps its learners' stores.
    Returns how many were removed.
    """
    root = training_dir() / "serve"
    now = time.time() if now is None else now
    removed = 0
    try:
        sessions = [p for p in root.iterdir() if is_session_name(p.name)]
    except OSError:
        return 0
    for session_dir in sessions:
        store = training_session_store(session_dir)
        try:
            newest = max((p.stat().st_mtime for p in [store, *store.rglob("*")]), default=0.0)
        except OSError:
            continue
        if now - newest > STALE_SESSION_SECONDS:
            end_training_session(session_dir.name)
            removed += 1
    return removed


class FolderNotPrivate(OSError):
    """A folder other people can open: files naming a victim are not written there."""

    def __str__(self) -> str:
        return (
            f"{self.filename} can be opened by other users of this computer. Choose a folder only you "
            "can open, or a new one (ophamp creates it for you only)."
        )


def private_folder(folder: Path, *, ours: bool = False) -> Path:
    """Make sure ``folder`` can be opened by you only, before a file naming a victim goes in it.

    A missing folder is created (0700). An existing folder of ophamp's own (``ours``) is made 0700;
    an existing folder you chose that others can open (group or world access) is refused, never changed.
    """
    if not folder.exists():
        folder.parent.mkdir(parents=True, exist_ok=True)
        atomic.make_private_dir(folder)
    elif ours:
        atomic.make_private_dir(folder)
    elif os.name == "posix":
        info = folder.stat()
        if (info.st_mode & 0o077) or info.st_uid != os.getuid():
            raise FolderNotPrivate(errno.EACCES, "not private", str(folder))
    return folder
