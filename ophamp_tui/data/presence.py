"""Who else has this store open, so a second user is told plainly rather than surprised.

Each running ophamp writes ``sessions/<host>-<pid>.json`` in the store (0600) and removes it when
it closes. A file left by a process that has died (kill -9, power cut) is noticed and removed.
"""

from __future__ import annotations

import json
import os
import socket
from datetime import datetime
from pathlib import Path
from typing import Any

from . import atomic
from .clock import fmt_local, from_iso, iso, now_utc
from .models import Actor

HOST = socket.gethostname()


def _dir(root: Path) -> Path:
    return root / "sessions"


def _path(root: Path) -> Path:
    return _dir(root) / f"{HOST}-{os.getpid()}.json"


def session_record(who: Actor | None, *, training: bool = False) -> dict[str, Any]:
    """What a store keeps of an ophamp that has it open (see ``describe``), whichever the backend."""
    return {
        "host": HOST,
        "pid": os.getpid(),
        "started": iso(now_utc()),
        "training": training,
        "name": who.name if who else "",
        "number": who.number if who else "",
    }


def register(root: Path, who: Actor | None, *, training: bool = False) -> None:
    """Say this process has the store open (again, after a change of user)."""
    record = session_record(who, training=training)
    try:
        if not atomic.owner_can_write(root):
            return  # a read-only store: nothing is written in it, not even this
        atomic.make_private_dir(_dir(root))
        atomic.atomic_write(_path(root), json.dumps(record).encode("utf-8"), durable=False)
    except OSError:
        pass  # a read-only store can still be read; nobody is told about this session


def unregister(root: Path) -> None:
    try:
        _path(root).unlink()
    except OSError:
        pass


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def others(root: Path) -> list[dict[str, Any]]:
    """The other sessions on this store that are still running (stale ones from this host are removed)."""
    found: list[dict[str, Any]] = []
    folder = _dir(root)
    if not folder.is_dir():
        return found
    mine = _path(root).name
    for path in folder.glob("*.json"):
        if path.name == mine:
            continue
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
            pid = int(record["pid"])
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if record.get("host") == HOST and not _alive(pid):
            try:
                path.unlink()
            except OSError:
                pass
            continue
        found.append(record)
    return found


def describe(record: dict[str, Any]) -> str:
    who = f"{record.get('name') or 'someone'}" + (f" ({record['number']})" if record.get("number") else "")
    started = from_iso(record.get("started"))
    since = f" since {fmt_local(started)}" if isinstance(started, datetime) else ""
    where = "" if record.get("host") == HOST else f" on {record.get('host')}"
    return f"{who}{where}{since}"
