"""Reading the store's files without ever hanging or crashing, and saying plainly what is wrong.

One bad file is refused on its own, named, and left as it is: a damaged case file, a copy of
another case's file, a link to nothing, a folder or a named pipe where a file should be, JSON
nested too deep to read. Messages name the file and where in it the problem is, never a value
from it (a value may be a victim's name). Also here: opening the store's folder (``open_root``),
which refuses a folder that is not a store, and makes ``store.json`` again when only it is lost.
"""

from __future__ import annotations

import json
import os
import re
import stat
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from tinydb.storages import Storage

from . import atomic
from .clock import now_utc
from .errors import StoreError
from .migrate import SchemaError, upgrade
from .models import SCHEMA_VERSION, Case
from .text import without_controls

STORE_FORMAT = "ophamp-store"
CASE_TABLE = "case"
# What a store's folder holds (see ``store``); a folder holding anything else is not a store.
STORE_ENTRIES = {"store.json", "cases", "index", "drafts", "sessions", "TRAINING"}
_PART = re.compile(r"[A-Za-z0-9_]{1,40}")


def backup_of(path: Path) -> Path:
    return path.with_name(path.name + ".bak")


class StoreCorruptError(StoreError):
    def __init__(self, path: Path, problem: str, *, backup_damaged: bool = False, hint: str | None = None):
        self.path = path
        self.problem = problem
        backup = backup_of(path)
        if hint is None:
            if backup_damaged:
                hint = f" Its last good copy {backup} is damaged too: restore the case from your backups."
            elif backup.exists():
                hint = f" The last good copy is {backup}: close ophamp, then copy it over the damaged file to recover."
            else:
                hint = " No earlier copy exists; restore it from your backups."
        super().__init__(f"{path} {problem}. It has not been changed.{hint}")


_KINDS = {
    stat.S_IFDIR: "a folder",
    stat.S_IFIFO: "a named pipe",
    stat.S_IFSOCK: "a socket",
    stat.S_IFCHR: "a device",
    stat.S_IFBLK: "a device",
}


def read_file(path: Path) -> bytes | None:
    """The bytes of ``path``; None if there is no such file. Never hangs on a named pipe or a device."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)  # opening a named pipe would wait for a writer
    except FileNotFoundError:
        if os.path.islink(path):
            raise StoreCorruptError(path, "is a link to a file that does not exist") from None
        return None
    except OSError as exc:
        raise StoreError(f"Cannot read {path}: {exc.strerror}.") from None
    try:
        kind = stat.S_IFMT(os.fstat(fd).st_mode)
        if kind != stat.S_IFREG:
            raise StoreCorruptError(path, f"is not a file but {_KINDS.get(kind, 'something else')}")
        chunks = []
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
        return b"".join(chunks)
    except OSError as exc:
        raise StoreError(f"Cannot read {path}: {exc.strerror}.") from None
    finally:
        os.close(fd)


class AtomicJSONStorage(Storage):
    """TinyDB storage that refuses damaged files and replaces whole files atomically."""

    def __init__(self, path: str | Path, *, durable: bool = True, keep_previous: bool = True):
        self.path = Path(path)
        self.durable = durable
        self.backup = backup_of(self.path) if keep_previous else None

    def read(self) -> dict[str, Any] | None:
        raw = read_file(self.path)
        if raw is None:
            return None
        if not raw.strip():
            raise StoreCorruptError(self.path, "is empty")
        try:
            data = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            raise StoreCorruptError(self.path, "is damaged (not complete JSON)") from None
        except RecursionError:
            raise StoreCorruptError(self.path, "is damaged (nested too deep to read)") from None
        if not isinstance(data, dict):
            raise StoreCorruptError(self.path, "is not an ophamp file")
        return data

    def write(self, data: dict[str, Any]) -> None:
        payload = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        atomic.atomic_write(self.path, payload, durable=self.durable, keep_previous=self.backup)


def where(loc: tuple[Any, ...]) -> str:
    """Where in a record a problem is: field names only (a key the file made up may be a value)."""
    return ".".join(str(p) if isinstance(p, int) or _PART.fullmatch(str(p)) else "?" for p in loc) or "the top"


def read_case(path: Path, case_id: str) -> Case:
    """The case in the file at ``path``, which must be case ``case_id`` (StoreError saying why not)."""
    data = AtomicJSONStorage(path).read()
    if data is None:
        raise StoreError(f"Case {case_id} is not in this store.")
    table = data.get(CASE_TABLE)
    doc = table.get("1") if isinstance(table, dict) else None
    if not isinstance(doc, dict):
        raise StoreCorruptError(path, "holds no case")
    try:
        record, _ = upgrade(dict(doc))
        # A file written by hand or by another tool may hold terminal control codes: never show them.
        case = Case.model_validate(without_controls(record))
    except SchemaError as exc:
        if "newer ophamp" in str(exc):  # not damaged: made by a newer version
            raise StoreError(f"{path} {exc}. It has not been changed.") from None
        raise StoreCorruptError(path, str(exc)) from None
    except ValidationError as exc:
        raise StoreCorruptError(
            path, f"does not hold a valid case (problem at {where(exc.errors()[0]['loc'])})"
        ) from None
    except Exception as exc:  # noqa: BLE001 - any other surprise in a hand-made file: named, never quoted
        raise StoreCorruptError(path, f"does not hold a valid case ({type(exc).__name__})") from None
    if case.id != case_id:
        original = path.with_name(f"{case.id}.json")
        named = f" ({original.name})" if _PART.fullmatch(case.id.replace("-", "_")) and original.exists() else ""
        raise StoreCorruptError(
            path,
            f"is a copy of another case's file{named}: the case inside is not {case_id}",
            hint=" Keep the one you want as that case's file, and move this copy out of the cases folder.",
        )
    return case


def check_backup(exc: StoreCorruptError, case_id: str) -> StoreCorruptError:
    """``exc`` again, saying so if the last good copy it points to is damaged too."""
    backup = backup_of(exc.path)
    if not backup.exists() or "a copy of another case" in exc.problem:
        return exc
    try:
        read_case(backup, case_id)
    except StoreError:
        return StoreCorruptError(exc.path, exc.problem, backup_damaged=True)
    return exc


def missing_message(case_id: str) -> str:
    return (
        f"{case_id}: the case file is missing; its last good copy {case_id}.json.bak is there: "
        f"copy it to {case_id}.json to restore it."
    )


# --- the store's folder -----------------------------------------------------------------------------


def _made_by_us(name: str) -> bool:
    """Left by an ophamp making this store at this moment (or made by the lock): still an empty folder."""
    return name == ".lock" or name.startswith(f"{atomic.TMP_MARK}store.json.")


def _valid_cases(cases_dir: Path) -> int:
    count = 0
    for entry in os.scandir(cases_dir):
        if entry.name.endswith(".json") and not entry.name.startswith("."):
            try:
                read_case(Path(entry.path), entry.name[: -len(".json")])
                count += 1
            except StoreError:
                continue
    return count


def open_root(root: Path, notices: list[str]) -> None:
    """Check ``root`` is a store, or make it one if it is new or truly empty (StoreError if neither)."""
    if root.exists() and not root.is_dir():
        raise StoreError(f"{root} is a file, not a store directory. Give --store a directory.")
    meta_path = root / "store.json"
    exists = root.is_dir()
    names = [p.name for p in root.iterdir()] if exists else []
    if exists and not os.path.lexists(meta_path):
        theirs = [n for n in names if not _made_by_us(n)]
        if "cases" in theirs and (root / "cases").is_dir() and all(n in STORE_ENTRIES for n in theirs):
            return _remake_description(root, notices)
        if theirs:
            hidden = " (hidden files: their names start with a dot)" if all(n.startswith(".") for n in theirs) else ""
            raise StoreError(
                f"{root} is not empty{hidden} and is not an ophamp store. Choose an empty or new directory."
            )
        if not stat.S_IMODE(root.stat().st_mode) & 0o200:
            raise StoreError(
                f"{root} is read-only, so no store can be made in it; ophamp did not change it. "
                "Choose another directory, or make this one writable."
            )
    try:
        atomic.make_private_dir(root)  # takes other users' access away; never makes a read-only store writable
    except OSError as exc:
        raise StoreError(f"Cannot create the store at {root}: {exc.strerror}.") from None
    if os.path.lexists(meta_path):
        meta = AtomicJSONStorage(meta_path, keep_previous=False).read() or {}
        if meta.get("format") != STORE_FORMAT:
            raise StoreCorruptError(meta_path, "is not an ophamp store description")
        schema = meta.get("schema")
        if not isinstance(schema, int) or schema > SCHEMA_VERSION:
            raise StoreError(f"{root} was written by a newer ophamp (schema {schema}). Update ophamp to open it.")
        return None
    _write_description(root)
    return None


def _write_description(root: Path) -> None:
    meta = {"format": STORE_FORMAT, "schema": SCHEMA_VERSION, "created": now_utc().isoformat()}
    try:
        AtomicJSONStorage(root / "store.json", keep_previous=False).write(meta)
    except atomic.WriteFailed as exc:
        raise StoreError(f"Cannot create the store at {root}: {exc.reason}") from None


def _remake_description(root: Path, notices: list[str]) -> None:
    """``store.json`` is gone but the rest of a store is there: make it again if the cases are readable."""
    meta_path = root / "store.json"
    found = _valid_cases(root / "cases")
    if not found:
        raise StoreError(
            f"{meta_path} is missing, and {root / 'cases'} holds no case ophamp can read, so ophamp did not "
            "make the store again. Restore store.json (or the whole store) from your backups; nothing was changed."
        )
    if not atomic.owner_can_write(root):
        raise StoreError(
            f"{meta_path} is missing and the store is read-only, so ophamp cannot make it again. Make "
            f"{root} writable and start ophamp again (it remakes store.json), or restore it from your backups."
        )
    _write_description(root)
    notices.append(
        f"{meta_path} was missing. ophamp made it again, as {found} case file"
        f"{'s' if found != 1 else ''} in {root / 'cases'} could be read; nothing else was changed."
    )
