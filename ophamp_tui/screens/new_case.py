"""Log a new assault: the victim, the incident, the suspect. Repeat victims are spotted at once."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Label, Static

from ..data import choices as C
from ..data.checklist import CASE_FORM
from ..data.clock import fmt_local_date, from_iso
from ..data.edits import new_case
from ..data.models import Incident, Suspect, Victim
from ..data.rules import parse_field, parse_form
from ..data.store import Store, StoreError
from ..widgets.fields import FieldRow, dom_id, show_problems

SECTIONS = {"victim": "The victim", "incident": "What happened", "suspect": "The suspect", "hate_crime": "Hate crime"}
DEFAULTS = {"victim.role": "police_officer", "suspect.status": "not_identified"}
SHOWN_IF = {"incident.offence_other": ("incident.offence", "other"), "hate_strands": ("hate_crime", True)}


class NewCaseScreen(Screen[None]):
    BINDINGS = [
        Binding("ctrl+s", "create", "Create case", id="create", tooltip="Create the case and start the checklist"),
        Binding("escape", "back", "Back", id="back", tooltip="Back to the case list without creating a case"),
    ]

    def __init__(self, store: Store) -> None:
        super().__init__()
        self.store = store

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="new-case-form", classes="form"):
            yield Label(Content("New case: an assault on a colleague"), classes="form-title")
            yield Label(Content("Fields marked * are needed. Tab moves between fields."), classes="hint")
            section = ""
            for fdef in CASE_FORM:
                head = fdef.key.split(".")[0]
                if SECTIONS.get(head) and head != section:
                    section = head
                    yield Label(Content(SECTIONS[head]), classes="section")
                yield FieldRow(fdef, DEFAULTS.get(fdef.key))
                if fdef.key == "victim.number":
                    yield Static("", id="repeat", classes="repeat")
            with Horizontal(classes="buttons"):
                yield Button("Create case", variant="primary", id="create")
                yield Button("Cancel", id="cancel")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#repeat").display = False
        self._apply_visibility()
        self.query_one("#" + dom_id("victim.name")).focus()

    def _rows(self) -> dict[str, FieldRow]:
        return {row.fdef.key: row for row in self.query(FieldRow)}

    def _apply_visibility(self) -> None:
        rows = self._rows()
        for key, (other, wanted) in SHOWN_IF.items():
            rows[key].display = rows[other].raw() == wanted

    @on(FieldRow.Edited)
    def _edited(self, event: FieldRow.Edited) -> None:
        row = event.row
        _, problem = parse_field(row.fdef, row.raw(), None, self.app.clock())
        row.show_error(problem)
        if row.fdef.key == "victim.number":
            self._show_repeat(str(row.raw() or ""))
        self._apply_visibility()

    def _show_repeat(self, number: str) -> None:
        earlier = self.store.victim_cases(number)
        box = self.query_one("#repeat", Static)
        box.display = bool(earlier)
        if not earlier:
            return
        text = Text()
        text.append(f"Repeat victim: {len(earlier)} earlier case{'s' if len(earlier) > 1 else ''} in the store.\n",
                    style="bold")
        for s in earlier[-5:]:
            text.append(f"  {s['id']}  {fmt_local_date(from_iso(s.get('occurred_at')))}  "
                        f"{C.OFFENCE_SHORT.get(s.get('offence', ''), '')}  {s.get('done', 0)}/{s.get('total', 10)}\n")
        text.append("Consider the cumulative impact. The earlier cases are on the case list (filter by the number).")
        box.update(text)

    def _values(self) -> tuple[dict[str, Any], dict[str, str]]:
        rows = self._rows()
        visible = tuple(f for f in CASE_FORM if rows[f.key].display)
        raws = {f.key: rows[f.key].raw() for f in visible}
        return parse_form(visible, raws, None, self.app.clock(), purpose="to create the case")

    @on(Button.Pressed, "#create")
    def action_create(self) -> None:
        user = self.app.require_user()
        if user is None:
            return
        values, problems = self._values()
        if show_problems(self._rows(), problems):
            self.notify(f"{len(problems)} field{'s' if len(problems) > 1 else ''} to fix before the case can be "
                        "created: see the red messages.", severity="warning", markup=False)
            return
        now = self.app.clock()
        case = new_case(
            victim=Victim(name=values["victim.name"], number=values["victim.number"], role=values["victim.role"]),
            incident=Incident(
                occurred_at=from_iso(values["incident.occurred_at"]),
                location=values["incident.location"] or "",
                offence=values["incident.offence"],
                offence_other=values.get("incident.offence_other") or "",
                method=values["incident.method"],
                injury=values["incident.injury"],
                medical=values["incident.medical"],
                impact=values["incident.impact"] or [],
                impact_notes=values["incident.impact_notes"] or "",
            ),
            suspect=Suspect(identified=values["suspect.identified"], status=values["suspect.status"]),
            hate_crime=values["hate_crime"],
            hate_strands=values.get("hate_strands") or [],
            by=user,
            now=now,
        )
        try:
            self.store.create(case)
        except StoreError as exc:
            self.notify(str(exc), title="Not saved", severity="error", markup=False, timeout=15)
            return
        from .case import CaseScreen

        self.notify(f"Case {case.id} created and saved.", markup=False)
        self.app.switch_screen(CaseScreen(self.store, case.id))

    @on(Button.Pressed, "#cancel")
    def action_back(self) -> None:
        self.app.pop_screen()
