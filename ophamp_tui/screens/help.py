"""F1 / ?: the keys of the screen underneath, and what the app is for."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Label

ABOUT = (
    "Op Hampshire: after an assault on a colleague, ten things must happen. "
    "Work through the steps; everything is saved the moment you leave a field. "
    "Consider the impact, not just the injury."
)


def _key_name(key: str) -> str:
    names = {
        "question_mark": "?",
        "escape": "Esc",
        "enter": "Enter",
        "slash": "/",
        "pagedown": "PgDn",
        "pageup": "PgUp",
        "delete": "Del",
    }
    return "+".join(names.get(k, k.upper() if k.startswith("f") and k[1:].isdigit() else k) for k in key.split("+"))


class HelpScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape", "close", "Back", id="back", tooltip="Close help"),
        Binding("f1", "close", "Close", show=False, id="close-help", tooltip="Close help"),
        Binding("question_mark", "close", "Close", show=False, id="close-help-alt", tooltip="Close help"),
    ]

    def __init__(self, under: Screen) -> None:
        super().__init__()
        # Read now, while the screen underneath is still the active one.
        # The screen's own keys and the app's, not a text box's editing keys.
        self.keys = [
            b.binding
            for b in under.active_bindings.values()
            if b.binding.description and (b.node is under or b.node is under.app)
        ]

    def compose(self) -> ComposeResult:
        with Vertical(id="help", classes="dialog"):
            yield Label(Content("Keys on this screen"), classes="dialog-title")
            yield DataTable(id="help-keys", cursor_type="row", zebra_stripes=True)
            yield Label(Content(ABOUT), classes="hint")
            yield Label(Content("Ctrl+P opens the command palette: new case, find case, switch user."), classes="hint")

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("Key", "What it does")
        seen: set[str] = set()  # one row per action, e.g. 1-9 and 0 share one
        for binding in self.keys:
            label = _key_name(binding.key)
            what = binding.tooltip or binding.description
            if not what or what in seen:
                continue
            seen.add(what)
            table.add_row(Text(label), Text(what))
        table.focus()

    def action_close(self) -> None:
        self.dismiss(None)
