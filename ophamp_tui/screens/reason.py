"""Ask for one line of text: a reason (not applicable, closing early) or a folder (screenshots, export)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Label

from ..data.text import clean_text
from ..widgets.safe_input import SafeInput


class ReasonScreen(ModalScreen[str | None]):
    BINDINGS = [Binding("escape", "cancel", "Back", id="back", tooltip="Back without changing anything")]

    def __init__(
        self,
        question: Content,
        *,
        reason: str = "",
        placeholder: str = "",
        button: str = "OK",
        too_short: str = "Give a reason: a reviewer will read it.",
        min_len: int = 3,
    ) -> None:
        super().__init__()
        self.question = question
        self.reason = reason
        self.placeholder = placeholder
        self.button = button
        self.too_short = too_short
        self.min_len = min_len

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.question, classes="dialog-title")
            yield SafeInput(self.reason, placeholder=self.placeholder, id="reason")
            yield Label("", id="reason-error", classes="problem")
            with Horizontal(classes="buttons"):
                yield Button(self.button, variant="primary", id="reason-save")
                yield Button("Cancel", id="reason-cancel")

    def on_mount(self) -> None:
        self.query_one(SafeInput).focus()

    @on(SafeInput.Submitted)
    @on(Button.Pressed, "#reason-save")
    def _save(self) -> None:
        reason = clean_text(self.query_one(SafeInput).value, max_len=500)
        if len(reason) < self.min_len:
            self.query_one("#reason-error", Label).update(Content(self.too_short))
            return
        self.dismiss(reason)

    @on(Button.Pressed, "#reason-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


def ask_for_folder(app: App[Any], what: str, current: Path, button: str, then: Callable[[Path], object]) -> None:
    """Where to save ``what`` (e.g. "a picture of this screen"): training writes into its own folder
    without asking; otherwise one question, starting at ``current``. ``then(folder)`` once chosen
    (after the dialog has gone, so a picture shows the screen and not the question)."""
    own = getattr(app, "training_output", None)
    if own is not None:
        then(own)
        return

    def chosen(folder: str | None) -> None:
        if folder:
            app.call_after_refresh(then, Path(folder).expanduser())

    ask = ReasonScreen(
        Content(f"Save {what} into which folder?"),
        reason=str(current),
        button=button,
        too_short="Enter a folder.",
        min_len=1,
    )
    app.push_screen(ask, chosen)
