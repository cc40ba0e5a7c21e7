"""Change the victim, incident or suspect details of a case; saved field by field."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Header, Label

from ..data.checklist import DETAILS_FORM
from ..widgets.fields import FieldRow
from ..widgets.footer import QuietFooter
from .form_base import FormScreen


class CaseDetailsScreen(FormScreen):
    BINDINGS = [Binding("escape", "back", "Back", id="back", tooltip="Back to the case (saves first)")]

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(classes="form"):
            yield Label(Content.from_markup("Case details: $id", id=self.case_id), classes="form-title")
            yield Label(Content("Each field is saved when you leave it."), classes="hint")
            for fdef in DETAILS_FORM:
                if fdef.section:
                    yield Label(Content(fdef.section), classes="section")
                yield FieldRow(fdef, self.value_of(fdef))
            yield Label("", id="saved", classes="hint")
        yield QuietFooter()

    def on_mount(self) -> None:
        self.apply_visibility()
        self.query(FieldRow).first().control.focus()

    def action_back(self) -> None:
        self.leave()
