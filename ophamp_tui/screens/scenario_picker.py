"""Training: the scenarios by title, to open one (the trainer's picker, from the command palette)."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option


class ScenarioPickerScreen(ModalScreen[str | None]):
    """Returns the chosen scenario's case id, or None."""

    BINDINGS = [Binding("escape", "close", "Back", id="back", tooltip="Back without opening a scenario")]

    def __init__(self, scenarios: list[tuple[str, str]]) -> None:
        super().__init__()
        self.scenarios = scenarios  # (case id, title)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="scenario-picker"):
            yield Label(Content("Open a training scenario"), classes="dialog-title")
            yield OptionList(*[Option(Content(title), id=case_id) for case_id, title in self.scenarios], id="scenarios")
            yield Label(Content("Enter opens it; Escape goes back."), classes="hint")

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    @on(OptionList.OptionSelected, "#scenarios")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_close(self) -> None:
        self.dismiss(None)
