"""Training mode: the trainer's teaching points for the scenario on screen."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Label, Static


class TeachingScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape", "close", "Back", id="back", tooltip="Back to the case")]

    def __init__(self, title: str, points: list[str]) -> None:
        super().__init__()
        self.title_text = title
        self.points = points

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog", id="teaching"):
            yield Label(Content("Teaching points: ") + Content(self.title_text), classes="dialog-title")
            text = Text()
            for point in self.points:
                text.append(f"• {point}\n\n")
            text.append("Why each step matters is beside its form (F4). Escape to go back.", style="dim")
            yield Static(text)

    def action_close(self) -> None:
        self.dismiss(None)
