"""Training mode: the trainer's teaching points for the scenario on screen, each with the step it is
about; Enter on a point opens that step."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from ..data.teaching_steps import step_for_point


class TeachingScreen(ModalScreen[str | None]):
    """Returns the key of the step to open (Enter on a point about one), or None (Escape)."""

    BINDINGS = [Binding("escape", "close", "Back", id="back", tooltip="Back to the case")]

    def __init__(self, title: str, points: list[str]) -> None:
        super().__init__()
        self.title_text = title
        self.points = points

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="teaching"):
            # Static, not Label: a long scenario title wraps instead of being cut.
            yield Static(Content("Teaching points: ") + Content(self.title_text), classes="dialog-title")
            options = []
            for index, point in enumerate(self.points):
                about = step_for_point(point)
                text = Content(f"• {point}")
                if about is not None:
                    text += Content.styled(f"\n  → Step {about.number}: {about.title} (Enter opens it)", "bold")
                options.append(Option(text, id=f"{index}:{about.key if about else ''}"))
            yield OptionList(*options, id="teaching-points")
            yield Label(
                Content("Enter opens the point's step (F4 there: why it matters). Escape: back."), classes="hint"
            )

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    @on(OptionList.OptionSelected, "#teaching-points")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        key = (event.option.id or "").partition(":")[2]
        if key:
            self.dismiss(key)
        else:
            self.notify("This point is about the case as a whole, not one step.", markup=False)

    def action_close(self) -> None:
        self.dismiss(None)
