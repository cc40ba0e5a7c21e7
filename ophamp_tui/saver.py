"""Saving without freezing the screen.

A save normally takes a few milliseconds and happens at once. When another ophamp holds the store
(``ophamp seed`` writing thousands of cases, a slow network disk), the screen must not freeze: the
save goes into a queue worked through by one background thread, in order, and the screen says it is
waiting. Later saves join the queue behind it, so changes are never applied out of order. Quitting
waits for the queue.

A store that cannot be reached at all (``StoreUnavailableError``: a database server stopped or
restarting) is the same, for longer: the save is held in the queue and tried again, every few
seconds, until the store is back; ``on_unavailable`` is told when that starts (with the store's
message) and when it ends (None). Nothing typed is dropped while the app stays open.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .data.models import Actor, Case
from .data.store_api import CaseStore, StoreBusyError, StoreUnavailableError

QUICK_WAIT = 0.3  # seconds a save may wait for the store on the screen before going to the background
RETRY_FIRST = 0.5  # seconds before a save held by a store that cannot be reached is tried again...
RETRY_MAX = 5.0  # ... doubling up to this
Done = Callable[[Case | None, Exception | None], None]


@dataclass
class _Job:
    store: CaseStore
    case_id: str
    by: Actor
    changes: dict[str, Any]
    done: Done


class Saver:
    """One per app. ``save`` calls ``done(case, None)`` or ``done(None, error)``, on the UI thread."""

    def __init__(
        self,
        post: Callable[..., Any],
        on_waiting: Callable[[int], None],
        on_unavailable: Callable[[str | None], None] | None = None,
    ) -> None:
        self._call = post  # runs ``fn(*args)`` on the UI thread later, without waiting for it
        self._on_waiting = on_waiting  # told how many saves are waiting (0: none)
        self._on_unavailable = on_unavailable  # told the store's message when it cannot be reached; None: back
        self._queue: deque[_Job] = deque()
        self._lock = threading.Lock()
        self._idle = threading.Event()
        self._idle.set()
        self._retry_now = threading.Event()  # cuts short the wait before the next try (see ``retry_now``)
        self._down = False  # a save found the store out of reach, and none has worked since

    def retry_now(self) -> None:
        """The store may be back (the app heard from it): try a held save at once, not after the wait."""
        self._retry_now.set()

    def _unavailable(self, problem: str | None) -> None:
        if self._on_unavailable is not None:
            self._on_unavailable(problem)

    @property
    def waiting(self) -> int:
        with self._lock:
            return len(self._queue)

    def save(self, store: CaseStore, case_id: str, by: Actor, done: Done, **changes: Any) -> bool:
        """Save now if the store is free (True); else queue it (False) and ``done`` is called later."""
        job = _Job(store, case_id, by, changes, done)
        with self._lock:
            queued = bool(self._queue)
            if queued:
                self._queue.append(job)
        if not queued:
            try:
                case = store.update(case_id, by, wait=QUICK_WAIT, **changes)
            except StoreBusyError:
                self._enqueue(job)
                return False
            except StoreUnavailableError as exc:
                self._down = True
                self._unavailable(str(exc))  # before the count, so the screen says why it is waiting
                self._enqueue(job)
                return False
            except Exception as exc:  # noqa: BLE001 - handed to the caller, which says what to do
                done(None, exc)
                return True
            done(case, None)
            return True
        self._on_waiting(self.waiting)
        return False

    def _enqueue(self, job: _Job) -> None:
        with self._lock:
            self._queue.append(job)
            start = len(self._queue) == 1
            if start:
                self._idle.clear()
        self._on_waiting(self.waiting)
        if start:
            threading.Thread(target=self._work, name="ophamp-saver", daemon=True).start()

    def _work(self) -> None:
        delay = RETRY_FIRST
        while True:
            with self._lock:
                if not self._queue:
                    self._idle.set()
                    break
                job = self._queue[0]
            case: Case | None = None
            error: Exception | None = None
            self._retry_now.clear()
            try:
                case = job.store.update(job.case_id, job.by, **job.changes)
            except StoreUnavailableError as exc:  # held, and tried again: nothing was saved by this try
                if not self._down:
                    self._down = True
                    self._call(self._unavailable, str(exc))
                self._retry_now.wait(delay)
                delay = min(delay * 2, RETRY_MAX)
                continue
            except Exception as exc:  # noqa: BLE001 - handed to the caller on the UI thread
                error = exc
            if self._down:
                self._down = False
                delay = RETRY_FIRST
                self._call(self._unavailable, None)
            with self._lock:
                self._queue.popleft()
                left = len(self._queue)
            self._call(job.done, case, error)
            self._call(self._on_waiting, left)

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Block until every queued save is done (for quitting); False if ``timeout`` ran out first."""
        return self._idle.wait(timeout)
