"""Log a new assault: the victim, the incident, the suspect. Repeat victims are spotted at once."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import getters, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Button, Header, Label, Static

from ..data import choices as C
from ..data.checklist import NEW_CASE_FORM, VICTIM_NAME, VICTIM_NUMBER
from ..data.clock import fmt_local_date, iso
from ..data.edits import case_from_form
from ..data.store_api import CaseStore, StoreError
from ..data.text import normalise_number
from ..data.validation import parse_field, parse_form
from ..widgets.fields import FieldRow, dom_id, show_problems
from ..widgets.focus_styles import LocalFocusStyles
from ..widgets.footer import QuietFooter
from ..widgets.fresh_screen import FreshScreen
from .case import CaseScreen

DRAFT_EVERY = 1.0  # seconds: the most typing a kill -9 can lose


if TYPE_CHECKING:
    from ..app import OpHampApp


def _ophamp_app() -> type[OpHampApp]:
    from ..app import OpHampApp  # noqa: PLC0415 - the app imports every screen: named here only for type checks

    return OpHampApp


class NewCaseScreen(FreshScreen, LocalFocusStyles, Screen[None]):
    """The form is kept as a draft as it is typed (every second and on leaving each field), in the store:
    a closed window, Ctrl+Q or a kill -9 loses nothing, and the next start offers it back."""

    if TYPE_CHECKING:
        app = getters.app(_ophamp_app)

    AUTO_FOCUS = ""  # on_mount puts the cursor in the victim's name without scrolling the title away

    BINDINGS = [
        Binding("ctrl+s", "create", "Create case", id="create", tooltip="Create the case and start the checklist"),
        # (Ctrl+D deletes a character in a text box.)
        Binding(
            "f3",
            "discard_draft",
            "Discard draft",
            id="discard-draft",
            tooltip="Throw this draft away and go back to the case list",
        ),
        Binding(
            "escape",
            "back",
            "Back",
            id="back",
            tooltip="Back to the case list; what you typed is kept as a draft for later",
        ),
    ]

    def __init__(self, store: CaseStore, draft: dict[str, Any] | None = None) -> None:
        super().__init__()
        self.store = store
        self.draft_fields: dict[str, Any] = dict((draft or {}).get("fields") or {})
        self._kept: dict[str, Any] | None = self.draft_fields or None
        self._draft_failed = False
        self._done = False  # created or thrown away: no more drafts

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="new-case-form", classes="form", can_focus=False):  # Tab goes field to field
            yield Label(Content("New case: an assault on a colleague"), classes="form-title")
            yield Label(Content("Fields marked * are needed. Menus: type to pick, then Enter."), classes="hint")
            for fdef in NEW_CASE_FORM:
                if fdef.section:
                    yield Label(Content(fdef.section), classes="section")
                yield FieldRow(fdef, self.draft_fields.get(fdef.key, fdef.default))
                if fdef is VICTIM_NUMBER:
                    yield Static("", id="repeat", classes="repeat")
            with Horizontal(classes="buttons"):
                yield Button("Create case", variant="primary", id="create")
                yield Button("Cancel", id="cancel")
        yield QuietFooter()

    def on_mount(self) -> None:
        self.query_one("#repeat").display = False
        self._apply_visibility()
        self.query_one("#" + dom_id(VICTIM_NAME.key)).focus(scroll_visible=False)  # the title stays in view
        self._draft_timer = self.set_interval(DRAFT_EVERY, self.keep_draft)
        if self.draft_fields:
            self.notify("Carrying on with your draft. F3 throws it away.", title="Draft", markup=False)

    # --- the draft -----------------------------------------------------------------------------------

    def _owner(self) -> str:
        user = self.app.user
        return normalise_number(user.number) if user else ""

    def _draft_now(self) -> dict[str, Any]:
        """Every field as it would be saved where it is valid (a date as the moment it means, not "today"),
        else as typed, so nothing typed is lost."""
        now = self.app.clock()
        kept: dict[str, Any] = {}
        for key, row in self._rows().items():
            raw = row.raw()
            if raw in (None, "", []):
                continue
            value, problem = parse_field(row.fdef, raw, None, now)
            kept[key] = value if problem is None and value is not None else raw
        return kept

    def _typed(self, fields: dict[str, Any]) -> bool:
        defaults = {f.key: f.default for f in NEW_CASE_FORM}
        return any(value not in (None, "", [], False, defaults.get(key)) for key, value in fields.items())

    def keep_draft(self) -> bool:
        """Save the draft if anything was typed and it changed; True if a draft is kept."""
        owner = self._owner()
        if self._done or not owner:
            return False
        fields = self._draft_now()
        if not self._typed(fields):
            return False
        if fields == self._kept:
            return True
        try:
            self.store.save_draft(owner, {"kind": "new_case", "saved_at": iso(self.app.clock()), "fields": fields})
        except StoreError as exc:
            if not self._draft_failed:  # said once, not every second
                self._draft_failed = True
                self.notify(f"Could not keep a draft: {exc}", severity="warning", markup=False, timeout=15)
            return False
        self._kept = fields
        return True

    def action_discard_draft(self) -> None:
        self._done = True
        if self._owner():
            self.store.discard_draft(self._owner())
        self._kept = None
        self.app.pop_screen()
        self.app.notify("Draft thrown away.", markup=False)

    def _rows(self) -> dict[str, FieldRow]:
        return {row.fdef.key: row for row in self.query(FieldRow)}

    def _apply_visibility(self) -> None:
        rows = self._rows()
        raws = {key: row.raw() for key, row in rows.items()}
        for row in rows.values():
            row.display = row.fdef.is_shown(raws)

    def unsaved(self) -> list[str]:
        """For quitting: kept as a draft, offered on the next start."""
        if self.keep_draft() or not self._typed(self._draft_now()):
            return []
        return ["the new case you were logging (it could not be kept as a draft)"]

    @on(FieldRow.Edited)
    def _edited(self, event: FieldRow.Edited) -> None:
        row = event.row
        _, problem = parse_field(row.fdef, row.raw(), None, self.app.clock())
        row.show_error(problem)
        if row.fdef is VICTIM_NUMBER:
            self._show_repeat(str(row.raw() or ""))
        self._apply_visibility()
        self.keep_draft()

    def _show_repeat(self, number: str) -> None:
        earlier = self.store.victim_cases(number)
        box = self.query_one("#repeat", Static)
        box.display = bool(earlier)
        if not earlier:
            return
        text = Text()
        text.append(
            f"Repeat victim: {len(earlier)} earlier case{'s' if len(earlier) > 1 else ''} in the store.\n", style="bold"
        )
        for s in earlier[-5:]:
            text.append(
                f"  {s.id}  {s.victim_number}  {fmt_local_date(s.occurred_at)}  "
                f"{C.OFFENCE_SHORT.get(s.offence, '')}  {s.done}/{s.total}\n"
            )
        text.append("Consider the cumulative impact. The earlier cases are on the case list (filter by the number).")
        box.update(text)

    def _values(self) -> tuple[dict[str, Any], dict[str, str]]:
        rows = self._rows()
        raws = {key: row.raw() for key, row in rows.items()}
        return parse_form(NEW_CASE_FORM, raws, None, self.app.clock(), purpose="to create the case")

    @on(Button.Pressed, "#create")
    def action_create(self) -> None:
        user = self.app.require_user()
        if user is None:
            return
        values, problems = self._values()
        if show_problems(self._rows(), problems):
            self.notify(
                f"{len(problems)} field{'s' if len(problems) > 1 else ''} to fix before the case can be "
                "created: see the red messages.",
                severity="warning",
                markup=False,
            )
            return
        case = case_from_form(values, user, self.app.clock(), training=self.app.training)
        try:
            self.store.create(case)
        except StoreError as exc:
            self.notify(str(exc), title="Not saved", severity="error", markup=False, timeout=15)
            return

        self._done = True
        self.store.discard_draft(self._owner())
        self._kept = None
        self.notify(f"Case {case.id} created and saved.", markup=False)
        self.app.switch_screen(CaseScreen(self.store, case.id))

    @on(Button.Pressed, "#cancel")
    def action_back(self) -> None:
        kept = self.keep_draft()
        app = self.app
        app.pop_screen()
        if kept:
            app.notify(
                "Kept as a draft: N carries on with it (and the next start offers it).", title="Draft", markup=False
            )
