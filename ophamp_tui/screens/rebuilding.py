"""Making the case list from the case files, with a progress bar: shown at start when the store's index
was missing or made by another version (see ``CaseStore.needs_rebuild``), instead of a blank terminal."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Header, Label, ProgressBar, Static
from textual.worker import get_current_worker

from ..data.store_api import CaseStore, StoreError
from ..data.text import plural
from ..widgets.footer import QuietFooter

WHY = "The case list index was missing or made by another version; nothing in the cases is changed."
QUIT = "Ctrl+Q quits: what is done so far is kept, and carried on next time."


class _Stopped(Exception):
    """The app is closing: the rebuild stops at its next progress report (what it wrote is kept)."""


class RebuildingScreen(Screen[None]):
    """Runs ``store.rebuild`` in a thread worker, showing how far it has got; then posts ``Done``."""

    class Done(Message):
        """The rebuild has ended: ``problem`` is what went wrong, in words, or None."""

        def __init__(self, screen: RebuildingScreen, problem: str | None) -> None:
            super().__init__()
            self.rebuilding = screen
            self.problem = problem

    def __init__(self, store: CaseStore) -> None:
        super().__init__()
        self.store = store

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="rebuilding"):
            yield Label(Content("Making the case list from the case files…"), id="rebuild-title")
            yield ProgressBar(total=None, show_eta=False, id="rebuild-bar")
            yield Static(Content(WHY), id="rebuild-why", classes="hint")
            yield Static(Content(QUIT), classes="hint")
        yield QuietFooter()

    def on_mount(self) -> None:
        self._rebuild()

    def show_progress(self, done: int, total: int) -> None:
        """``done`` of ``total`` case files summed up (called on the UI thread)."""
        self.query_one("#rebuild-title", Label).update(
            Content(f"Making the case list from {plural(total, 'case file')}…")
        )
        self.query_one("#rebuild-bar", ProgressBar).update(total=max(total, 1), progress=done)

    @work(thread=True, group="rebuild", exclusive=True, exit_on_error=False)
    def _rebuild(self) -> None:
        worker = get_current_worker()

        def progress(done: int, total: int) -> None:
            if worker.is_cancelled:
                raise _Stopped
            self.app.call_from_thread(self.show_progress, done, total)

        problem: str | None = None
        try:
            self.store.rebuild(progress)
        except _Stopped:
            return
        except StoreError as exc:
            problem = str(exc)
        except OSError as exc:
            problem = f"The case list could not be made: {exc.strerror or type(exc).__name__}."
        except Exception as exc:  # noqa: BLE001 - said, and the list shown as far as it got, never a hang
            problem = f"The case list could not be made ({type(exc).__name__}: {exc}); it is made again next time."
        if not worker.is_cancelled:
            self.post_message(self.Done(self, problem))
