"""Atomic, durable file writes: temp file in the same directory, fsync, replace, fsync the directory.

A reader (or a restart after a crash, even kill -9 or a power cut) sees the
old file or the new one, never a mixture. The names ``_write``, ``_fsync``,
``_replace`` and ``_fsync_dir`` are looked up at call time so tests can inject
a fault at each point.
"""

from __future__ import annotations

import errno
import os
import secrets
import stat
import time
from pathlib import Path

FILE_MODE = 0o600
DIR_MODE = 0o700

_open = os.open
_write = os.write
_fsync = os.fsync
_replace = os.replace
TMP_MARK = ".tmp-"


class WriteFailed(OSError):
    """The new content could not be saved; the old file is untouched unless ``replaced``."""

    def __init__(self, path: Path, reason: str, *, replaced: bool = False):
        super().__init__(reason)
        self.path = path
        self.reason = reason
        self.replaced = replaced

    def __str__(self) -> str:
        return f"Could not save {self.path.name}: {self.reason}"


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        _fsync(fd)
    finally:
        os.close(fd)


def _reason(exc: OSError) -> str:
    if exc.errno == errno.ENOSPC:
        return "the disk is full. Free some space; what was saved before is kept."
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return "the store is read-only or not yours. What was saved before is kept."
    return f"{exc.strerror or exc.__class__.__name__}. What was saved before is kept."


def atomic_write(path: Path, data: bytes, *, durable: bool = True, keep_previous: Path | None = None) -> None:
    """Replace ``path`` with ``data`` atomically (mode 0600).

    With ``durable`` the data and the rename are on disk before this returns.
    With ``keep_previous`` the file being replaced stays reachable under that
    name (a hard link, so it costs no copy): the last good version.
    """
    directory = path.parent
    tmp = directory / f"{TMP_MARK}{path.name}.{secrets.token_hex(4)}"
    try:
        fd = _open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except OSError as exc:
        raise WriteFailed(path, _reason(exc)) from None
    link_tmp: Path | None = None
    try:
        try:
            view = memoryview(data)
            while view:
                written = _write(fd, view)
                view = view[written:]
            if durable:
                _fsync(fd)
        finally:
            os.close(fd)
        if keep_previous is not None and path.exists():
            link_tmp = directory / f"{TMP_MARK}{keep_previous.name}.{secrets.token_hex(4)}"
            os.link(path, link_tmp)
            _replace(link_tmp, keep_previous)
        _replace(tmp, path)
    except OSError as exc:
        _unlink_quietly(tmp)
        if link_tmp is not None:  # the link for the last good copy, if it was not renamed
            _unlink_quietly(link_tmp)
        raise WriteFailed(path, _reason(exc)) from None
    if durable:
        try:
            _fsync_dir(directory)
        except OSError as exc:
            raise WriteFailed(path, _reason(exc), replaced=True) from None


def _unlink_quietly(path: Path) -> None:
    try:
        path.unlink()
    except OSError:
        pass


def make_private_dir(path: Path) -> None:
    """Create ``path`` (0700), or take other users' access away from it if it exists.

    Never gives its owner access they took away: a folder its owner made read-only stays read-only.
    """
    path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077 and mode & 0o200:
        os.chmod(path, mode & DIR_MODE)


def owner_can_write(path: Path) -> bool:
    """Whether the owner left ``path`` writable (its mode), and this process can create a file in it.

    The mode is checked as well as a real try, so a store its owner made read-only (chmod 0500) is
    treated as read-only even by root, who could write there anyway.
    """
    try:
        if not stat.S_IMODE(path.stat().st_mode) & 0o200:
            return False
        probe = path / f"{TMP_MARK}probe.{secrets.token_hex(4)}"
        fd = _open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except OSError:
        return False
    os.close(fd)
    _unlink_quietly(probe)
    return True


STALE_AFTER = 60.0  # seconds: a temp file this old is not a save in flight (a save takes milliseconds)


def remove_stale_temps(directory: Path, *, older_than: float = STALE_AFTER) -> int:
    """Delete temp files left by a write that was killed part way. Returns how many.

    Only files untouched for ``older_than`` seconds: a younger one may be another process's save
    in flight. Call it holding the store's lock.
    """
    removed = 0
    cutoff = time.time() - older_than
    for entry in os.scandir(directory):
        if not entry.name.startswith(TMP_MARK):
            continue
        try:
            info = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        if stat.S_ISREG(info.st_mode) and info.st_mtime < cutoff:
            _unlink_quietly(Path(entry.path))
            removed += 1
    return removed
