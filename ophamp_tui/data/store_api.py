"""What a case store is, to the app, its screens, the command line, seeding and training: ``CaseStore``.

The TinyDB file store (``store.Store``) implements it; the next backend (PostgreSQL, one row per
case) implements the same methods with the same contracts, and ``tests/test_store_contract.py``
runs the same tests against each. Nothing here names a file, a folder or a storage library: where
the store is, for a message, is ``location``.

Errors (``errors``): every failure the user must hear about is a ``StoreError`` whose message says
what happened and what to do, never quoting a value from a case (a value may be a victim's name).
``StoreBusyError`` (a ``StoreError``) means another ophamp held the store's write lock longer than
we could wait, and nothing was saved: trying again later may work. ``StoreUnavailableError`` (a
``StoreError``) means the store cannot be reached at all (a database server stopped or restarting)
and nothing was saved: the same call may be made again, unchanged, when it is back. ``ConflictError`` (a
``StoreError``) means a save was refused because someone else changed the same field since the
user was shown it; its ``fields`` names the fields, and nothing was saved.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

from .errors import ConflictError, StoreBusyError, StoreError, StoreUnavailableError
from .models import Actor, Case, LogEntry
from .report_facts import ReportCounts
from .summary import CaseSummary

__all__ = ["CaseStore", "ConflictError", "StoreBusyError", "StoreError", "StoreUnavailableError"]


@runtime_checkable
class CaseStore(Protocol):
    """Every read and write of cases, drafts and "who else has this store open" goes through one.

    A store is opened by its backend's constructor (``Store(folder)`` for the file store), which
    raises ``StoreError`` saying why if it cannot be. Two store objects may be open on the same
    store (two ophamps, two processes, two workstations): each sees the other's saves after
    ``refresh`` (``load`` always reads the store as it is now), and writes never lose each other's
    changes (see ``update``).
    """

    read_only: bool
    """True if nothing can be saved (e.g. a store its owner made read-only): reads work, and every write
    of a case or a draft raises ``StoreError`` saying so."""

    notices: list[str]
    """What the user should be told about the store on opening (read-only, something repaired, part
    of it unreadable), each a full sentence. Shown by the app; the store only appends to it."""

    @property
    def location(self) -> str:
        """Where this store is, in words for a message or a log line (a folder; a database and host).
        Never holds a password."""
        ...

    # --- the case list -------------------------------------------------------------------------

    def wait_for_change(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for a save to the store made since the last call (by anyone,
        this object included); True as soon as there may be one, False if there was none. The first
        call only starts watching. For one watcher (the app's live updates, in a thread): it reads
        nothing of the cases, so the caller then runs ``refresh`` (or reloads the case it shows).
        ``StoreUnavailableError`` (after waiting up to ``timeout``) while the store cannot be reached;
        the first call that can reach it again returns True (saves may have been missed meanwhile)."""
        ...

    def refresh(self) -> None:
        """Bring ``summaries``, ``summary`` and ``len`` up to date with saves made by other store objects
        (other ophamps) since this one last looked. This object's own writes show at once, without it."""
        ...

    @property
    def needs_rebuild(self) -> bool:
        """True when the store's summaries could not be read on opening (lost, damaged, or made by
        another version) and ``rebuild`` has not run since: ``summaries`` is then empty or incomplete.
        Cheap (nothing is read). A store opened normally (``Store(folder)``) has already rebuilt."""
        ...

    def rebuild(self, progress: Callable[[int, int], None] | None = None) -> None:
        """Check every case against its summary and sum up again those that changed behind the store's
        back (or in a save that crashed part way), that are new, or whose summary was lost; drop those
        whose case is gone. Safe to run in a worker thread while ``summaries`` is read.

        ``progress(done, total)``: ``total`` is how many cases must be summed up again (0 when the
        summaries are all good: then the check itself is quick), called once with ``done == 0`` before
        the first, about every 1 % after, and with ``done == total`` at the end; what is done is kept
        as it goes, so a rebuild stopped part way carries on from there next time.

        For the UI: open with ``Store(folder, rebuild=False)`` (reads only the saved summaries, fast at
        any size); if ``needs_rebuild``, show a progress bar and run ``rebuild(progress)`` in a worker
        (about 0.4 ms a case: 40 s for 100,000 on this 2-core machine); otherwise show the list at once
        and run ``rebuild()`` in a worker (0.3 s at 100,000: names and sizes only), refreshing the list
        when it ends."""
        ...

    def iter_summaries(self) -> Iterator[CaseSummary]:
        """The same summaries as ``summaries``, built one at a time as they are asked for: use it to go
        through every case without holding 100,000 summaries at once."""
        ...

    def case_ids(self) -> list[str]:
        """The id of every case listed in ``summaries``, without building any summary."""
        ...

    def summaries(self) -> list[CaseSummary]:
        """One ``CaseSummary`` per case held, in no particular order: enough for the case list, the queues
        and repeat victims without loading any case. A case that cannot be read is listed too, as
        ``CaseSummary.damaged_file`` (``damaged`` set, ``problem`` saying what is wrong and what to do)."""
        ...

    def summary(self, case_id: str) -> CaseSummary | None:
        """The summary of that case, as in ``summaries``; None if the store holds no such case."""
        ...

    def __len__(self) -> int:
        """How many cases ``summaries`` lists, damaged ones included."""
        ...

    def __contains__(self, case_id: object) -> bool:
        """True if a case is held under that reference, readable or not (checked in the store now, not
        from the summaries). False for anything that is not a case reference."""
        ...

    def victim_cases(self, victim_number: str, staff_no: str = "") -> list[CaseSummary]:
        """Every case of the victim with this collar/staff number, oldest incident first, damaged cases
        never. Fast at any size (the file store keeps the cases by victim number: only those are read).
        Matched as ``summary.victim_cases`` does: by warrant/staff number ``staff_no`` where both
        have one, else by collar number ignoring case, spaces and punctuation ("pc1234" is "PC 1234"; a
        bare "1234" matches either rank, but "PCSO 1234" is not "PC 1234"). An empty number finds nothing."""
        ...

    def report_counts(self, start: datetime, end: datetime, now: datetime, role: str | None = None) -> ReportCounts:
        """The counts behind the managers' report (``report.build_report``) for cases whose incident is in
        ``[start, end)`` (and whose victim has ``role``, if given), and the "now" figures (RUI, bail,
        awaiting review) over every case, as defined in ``report_facts``. Works from the summaries (no case
        is loaded); a database counts in SQL. Unreadable cases are only counted (``damaged``)."""
        ...

    # --- cases ---------------------------------------------------------------------------------

    def load(self, case_id: str) -> Case:
        """The case as it is in the store now. ``StoreError`` (saying which and what to do) if there is
        no such case, if it cannot be read, or if ``case_id`` is not a case reference. Text comes back
        without terminal control codes, whoever wrote it."""
        ...

    def create(self, case: Case) -> Case:
        """Save a new case, durably, before returning it. ``StoreError`` if a case with that id already
        exists (nothing is changed), if the store is read-only, or if it cannot be written;
        ``StoreBusyError`` if another ophamp holds the lock too long. Control codes in any text are
        removed before it is stored."""
        ...

    def create_many(self, cases: list[Case]) -> None:
        """Save many new cases (seeding, training) under one hold of the lock: faster than ``create``
        one by one, with the same refusals. If one already exists, ``StoreError`` names it; the cases
        before it in ``cases`` may have been saved."""
        ...

    def replace_with_later(self, case: Case) -> None:
        """Replace the held case by ``case``, a later version of it (``edits.is_earlier_version``: the held
        one's history is the start of ``case``'s), stored exactly as given (its history, revision and times
        kept, as ``create`` stores a case), durably. For ``ophamp store copy``, bringing a copy made earlier
        up to date; an app's save is ``update``. Checked against the case as it is now, under the lock:
        ``StoreError`` (nothing changed) if there is no such case, if it cannot be read, or if it is not an
        earlier version of ``case`` (the same version, a later one, or changed here since); as ``create``
        for a read-only store, a save that cannot be written and a busy lock."""
        ...

    def update(
        self,
        case_id: str,
        by: Actor,
        *,
        sets: dict[str, Any] | None = None,
        appends: dict[str, LogEntry | dict[str, Any]] | None = None,
        base_rev: int | None = None,
        expect: dict[str, Any] | None = None,
        start_step: str | None = None,
        wait: float | None = None,
    ) -> Case:
        """Apply changes to the case as it is in the store now, save it durably, and return it.

        ``sets`` maps dotted paths (``"steps.statement.fields.vps"``, ``"closed_reason"``) to new values;
        ``appends`` maps a log (``"updates"``, ``"victim_updates"``, ``"referrals"``, ...) to one entry to
        add at its end. Each value that differs from what is held is recorded in the case's history
        (who: ``by``, when: the store's clock, the old and the new value as text, the new revision; an
        append as field ``"<log>+"``) and
        the revision goes up by one for the save; a value equal to what is held records nothing, and a
        save that changes nothing writes nothing and returns the case unchanged (same ``rev``).

        Merging: changes are applied field by field to the case as it is now, so two people changing
        different fields of the same case both keep their changes, whatever revision each started
        from. A save is refused with ``ConflictError`` (nothing saved, ``fields`` naming them) when:

        - ``base_rev`` (the revision the user was shown) is given, the case has moved on since, and a
          field in ``sets`` was changed by a later revision; or
        - ``expect`` (path -> the value the user was shown there) holds a value that is no longer the
          value at that path.

        ``start_step``: a step key; if that step has not been started, it is marked in progress, by
        ``by`` at now, in the same save (judged against the case as it is now: a step someone else
        started or finished is left as it is).

        ``wait``: seconds to wait for another ophamp's save (default: the store's own lock timeout);
        ``StoreBusyError`` after that. ``StoreError`` if there is no such case (the message says so),
        if a path or value is not allowed (the message says which field), if the store is read-only,
        or if the save cannot be written. Control codes in any text are removed before it is stored.
        """
        ...

    def replace_all(self, cases: list[Case]) -> None:
        """Make the store hold exactly ``cases`` and nothing else (training resets), each stored as
        ``create`` would store it, with no earlier version kept. Drafts and sessions are not touched.

        Done under the lock, so no other ophamp saves in between; ``StoreError`` before anything is
        changed if two of ``cases`` share an id or an id is not a case reference, and if the store is
        read-only. The file store is not atomic against a crash part way (some old cases may be gone
        and not all new ones written: running it again finishes it); a database does it in one
        transaction.
        """
        ...

    def locked(self, timeout: float | None = None) -> AbstractContextManager[None]:
        """Hold the store's write lock for a ``with`` block: no other store object (in this process or
        another, on this computer or another) can save, create or replace until the block ends. This
        object's own writes inside the block work as usual (the lock is re-entrant for its holder).
        ``StoreBusyError`` if it is not free within ``timeout`` seconds (default: the store's lock
        timeout); ``StoreError`` if the store is read-only or the lock cannot be taken."""
        ...

    # --- drafts: a new case as it is being typed, before it is created --------------------------

    def save_draft(self, owner: str, draft: dict[str, Any]) -> None:
        """Keep ``draft`` (JSON types only) for ``owner`` (their collar/staff number), replacing their
        previous one, durably: it survives the program being killed. Control codes are removed.
        ``StoreError`` if it cannot be kept (e.g. read-only store). Nothing about the owner is stored
        in a way that can be listed by someone else (the file store names drafts by a hash)."""
        ...

    def load_draft(self, owner: str) -> dict[str, Any] | None:
        """``owner``'s draft as last saved, without control codes; None if there is none or it cannot be
        read (a damaged draft never stops anyone)."""
        ...

    def discard_draft(self, owner: str) -> None:
        """Forget ``owner``'s draft. Never raises: nothing happens if there is none, and one that cannot
        be removed (a read-only store) is simply offered again next time."""
        ...

    # --- who else has this store open ------------------------------------------------------------

    def register_session(self, who: Actor | None, *, training: bool = False) -> None:
        """Say this ophamp has the store open, as ``who`` (again after a change of user: replaces the
        earlier record). Never raises: on a read-only store nobody is told about this session."""
        ...

    def unregister_session(self) -> None:
        """Say this ophamp has closed the store. Never raises; nothing happens if it was not registered."""
        ...

    def other_sessions(self) -> list[dict[str, Any]]:
        """The other ophamps that have this store open now (not this one), each a record with ``host``,
        ``pid``, ``started`` (ISO time), ``training``, ``name`` and ``number``, for
        ``presence.describe``. Sessions left by a process that has died are not listed."""
        ...
