"""The store's errors, shared by every store backend (no storage library is imported here).

Each message says what happened and what to do, and never quotes a value from a case (a value may
be a victim's name). ``StoreCorruptError`` (a damaged case file) is the file store's own: see
``store_files``.
"""

from __future__ import annotations

from datetime import datetime

from .clock import fmt_local
from .models import Actor

__all__ = ["ConflictError", "StoreBusyError", "StoreError", "StoreUnavailableError"]


class StoreError(Exception):
    """Something about the store the user must be told; the message says what to do."""


class StoreBusyError(StoreError):
    """Another ophamp held the store's write lock for longer than we could wait: nothing was saved."""


class StoreUnavailableError(StoreError):
    """The store cannot be reached (a database server stopped, restarting or out of reach), and nothing
    was saved by the call that raised it: the same call may be made again, unchanged, when it is back."""


class ConflictError(StoreError):
    """Someone else changed the same field since this user was shown it."""

    def __init__(self, fields: list[str], by: Actor | None, at: datetime | None):
        self.fields = fields
        who = f"{by.short()} changed this at {fmt_local(at)}" if by and at else "Someone else changed this"
        super().__init__(
            f"{who} while you had it open. "
            "Your change was not saved; the case has been reloaded: check it and enter it again."
        )
