"""'What you can expect': the promises to the victim in plain words, exportable as text to hand over."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Header, Static

from ..data.atomic import WriteFailed
from ..data.leaflet import export, what_to_expect
from ..data.paths import FolderNotPrivate, private_folder
from ..data.store_api import CaseStore
from ..widgets.footer import QuietFooter
from .reason import ask_for_folder


class ExpectScreen(Screen[None]):
    BINDINGS = [
        Binding("x", "export", "Export as text", id="export", tooltip="Save this as a text file to give the victim"),
        Binding("escape", "back", "Back", id="back", tooltip="Back to the case"),
    ]

    def __init__(self, store: CaseStore, case_id: str) -> None:
        super().__init__()
        self.store = store
        self.case = store.load(case_id)
        self.folder = self._own_folder = Path.home() / "ophamp-exports"

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="expect", classes="form"):
            yield Static(Text(what_to_expect(self.case)), id="expect-text")
        yield QuietFooter()

    def action_export(self) -> None:
        ask_for_folder(self.app, "'What you can expect' as a text file", self.folder, "Save", self._export_to)

    def _export_to(self, where: Path) -> None:
        # The leaflet names the victim: 0600, in a folder only you can open (0700).
        ours = where in (getattr(self.app, "training_output", None), self._own_folder)
        try:
            path = export(self.case, private_folder(where, ours=ours))
        except (WriteFailed, FolderNotPrivate) as exc:
            self.notify(f"Not saved: {exc}", severity="error", markup=False, timeout=15)
            return
        except OSError as exc:
            self.notify(
                f"Not saved in {where}: {exc.strerror or type(exc).__name__}.",
                severity="error",
                markup=False,
                timeout=15,
            )
            return
        self.folder = path.parent
        self.notify(f"Saved {path}", title="Exported", markup=False)

    def action_back(self) -> None:
        self.app.pop_screen()
