"""Who is using this workstation: asked on first start, changed with "Switch user"."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select

from ..data import choices as C
from ..data.models import Actor
from ..data.text import clean_text
from ..widgets.safe_input import SafeInput


class IdentityScreen(ModalScreen[Actor | None]):
    BINDINGS = [Binding("escape", "cancel", "Back", id="back", tooltip="Close without changing who you are")]

    def __init__(self, current: Actor | None, *, first_start: bool = False) -> None:
        super().__init__()
        self.current = current
        self.first_start = first_start

    def compose(self) -> ComposeResult:
        with Vertical(id="identity", classes="dialog"):
            title = "Welcome. Who is using ophamp?" if self.first_start else "Switch user"
            yield Label(Content(title), classes="dialog-title")
            yield Label(
                Content(
                    "Every change you make is recorded under this name, remembered on this "
                    "workstation. Enter moves on; Enter on the last field saves."
                ),
                classes="hint",
            )
            yield Label(Content("Your name (with rank)"))
            yield SafeInput(
                self.current.name if self.current else "", placeholder="e.g. PS Sam Taylor", id="who-name", compact=True
            )
            yield Label("", id="who-name-error", classes="problem")
            yield Label(Content("Collar / staff number (with rank)"))
            yield SafeInput(
                self.current.number if self.current else "", placeholder="e.g. PS 4521", id="who-number", compact=True
            )
            yield Label("", id="who-number-error", classes="problem")
            yield Label(Content("Role"))
            yield Select(
                [(Text(text), value) for value, text in C.USER_ROLES],
                value=(self.current.role if self.current and self.current.role else "sergeant"),
                allow_blank=False,
                id="who-role",
                compact=True,
            )
            with Horizontal(classes="buttons"):
                yield Button("Continue (Enter)", variant="primary", id="who-save", compact=True)
                yield Button("Quit (Ctrl+Q)" if self.first_start else "Cancel (Esc)", id="who-cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#who-name", Input).focus()

    @on(Input.Submitted, "#who-name")
    def _next(self) -> None:
        self.query_one("#who-number", Input).focus()

    @on(Input.Submitted, "#who-number")
    @on(Button.Pressed, "#who-save")
    def _save(self) -> None:
        name = clean_text(self.query_one("#who-name", Input).value, max_len=120)
        number = clean_text(self.query_one("#who-number", Input).value, max_len=40)
        self.query_one("#who-name-error", Label).update(Content("Enter your name." if not name else ""))
        self.query_one("#who-number-error", Label).update(
            Content("Enter your collar or staff number." if not number else "")
        )
        if not name or not number:
            return
        role = self.query_one("#who-role", Select).value
        self.dismiss(Actor(name=name, number=number, role=str(role)))

    @on(Button.Pressed, "#who-cancel")
    def _cancel_button(self) -> None:
        if self.first_start:
            self.run_worker(self.app.run_action("app.quit"))
        else:
            self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)
