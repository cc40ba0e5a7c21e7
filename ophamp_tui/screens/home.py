"""Home: every case, what needs attention first, filtered as you type."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Header, Input, Label, Static

from ..data.caselist import Row, matches, rows
from ..data.clock import fmt_short_date
from ..data.store_api import CaseStore, StoreError
from ..data.text import plural, same_number
from ..widgets.footer import QuietFooter
from ..widgets.safe_input import SafeInput
from .carry_on import draft_owner
from .case import CaseScreen
from .new_case import NewCaseScreen
from .overdue import OverdueScreen
from .review_queue import ReviewQueueScreen

MAX_ROWS = 500  # beyond this, typing to filter is quicker than scrolling

EMPTY = (
    "No cases yet.\n\n"
    "When a colleague has been assaulted, press N to log it. ophamp then walks you through the ten "
    "Op Hampshire steps, saving as you go.\n\n"
    "F1 lists the keys on any screen. Ctrl+P finds any action."
)


class HomeScreen(Screen[None]):
    AUTO_FOCUS = "#cases"
    BINDINGS = [
        Binding("n", "new_case", "New case", id="new-case", tooltip="Log a new assault on a colleague"),
        Binding("slash", "find", "Find", id="find", tooltip="Type to filter the cases"),
        Binding("escape", "clear_filter", "Clear filter", show=False, id="clear", tooltip="Clear the filter"),
        Binding("o", "overdue", "Overdue", id="overdue", tooltip="Everything past its time limit, most overdue first"),
        Binding("r", "review_queue", "Reviews", id="review-queue", tooltip="Cases awaiting senior manager review"),
        Binding("m", "my_cases", "Mine", id="my-cases", tooltip="Only cases where you are named (show all again)"),
        Binding("u", "app.switch_user", "User", id="switch-user", tooltip="Change who is using ophamp"),
    ]

    def __init__(self, store: CaseStore) -> None:
        super().__init__()
        self.store = store
        self._rows: list[Row] = []
        self._mine = False  # only cases where the current user is named

    def compose(self) -> ComposeResult:
        yield Header()
        yield SafeInput(placeholder="Type to filter: victim, reference, offence, step…  (/)", id="filter", compact=True)
        yield DataTable(id="cases", cursor_type="row", zebra_stripes=True)
        yield Static(Content(EMPTY), id="empty", classes="empty")
        yield Label("", id="count", classes="hint")
        yield QuietFooter()

    def on_mount(self) -> None:
        table = self.query_one("#cases", DataTable)
        # 80 columns: 3+17+10+15+5+15 plus one cell of padding each side of each column.
        table.add_column("", width=4, key="flags")
        table.add_column("Victim", width=18, key="victim")
        table.add_column("Incident", width=8, key="date")
        table.add_column("Offence", width=15, key="offence")
        table.add_column("Done", width=5, key="progress")
        table.add_column("Next", width=15, key="next")
        self.reload()

    def on_screen_resume(self) -> None:
        self.store.refresh()
        self.reload()

    def reload(self) -> None:
        self._rows = rows(self.store.summaries(), self.app.clock())
        self.app.overdue = sum(r.overdue for r in self._rows)
        self._fill()

    def action_my_cases(self) -> None:
        self._mine = not self._mine
        self._fill()

    def _fill(self) -> None:
        table = self.query_one("#cases", DataTable)
        query = self.query_one("#filter", Input).value
        shown = [r for r in self._rows if matches(r, query)] if query.strip() else self._rows
        me = self.app.user.number if self.app.user else ""
        if self._mine:
            shown = [r for r in shown if any(same_number(me, number) for number in r.people)]
        table.clear()
        for row in shown[:MAX_ROWS]:
            table.add_row(
                self._flags(row),
                Text(row.victim, no_wrap=True, overflow="ellipsis"),
                Text(fmt_short_date(row.occurred_at)),
                Text(row.offence, no_wrap=True, overflow="ellipsis"),
                Text(row.progress),
                Text(row.next_step, no_wrap=True, overflow="ellipsis"),
                key=row.id,
            )
        empty = not self._rows
        self.query_one("#empty").display = empty
        table.display = not empty
        self.query_one("#filter").display = not empty
        if empty:
            self.set_focus(None)  # nothing to type into: N and the other keys act at once
        elif self.focused is None:
            table.focus()
        total = len(self._rows)
        late = sum(1 for r in self._rows if r.overdue)
        text = f"{len(shown)} of {plural(total, 'case')}" if query.strip() or self._mine else plural(total, "case")
        if self._mine:
            text = "My cases: " + text + " (m: show all)"
        if len(shown) > MAX_ROWS:
            text += f" (first {MAX_ROWS} shown: type to filter)"
        if late:
            text += f" · {late} with something overdue"
        text += " · ! overdue R repeat H hate E enhanced F fictional X damaged"
        self.query_one("#count", Label).update(Content(text) if not empty else Content(""))

    @staticmethod
    def _flags(row: Row) -> Text:
        flags = Text()
        if row.state == "damaged":
            flags.append("X", style="bold red")
        if row.overdue:
            flags.append("!", style="bold red")
        if row.repeat:
            flags.append("R", style="bold yellow")
        if row.hate:
            flags.append("H", style="bold magenta")
        elif row.enhanced:
            flags.append("E", style="bold magenta")
        if row.fictional:
            flags.append("F", style="dim")
        return flags

    @on(Input.Changed, "#filter")
    def _filter(self) -> None:
        self._fill()

    @on(Input.Submitted, "#filter")
    def _to_table(self) -> None:
        self.query_one("#cases", DataTable).focus()

    def action_find(self) -> None:
        self.query_one("#filter", Input).focus()

    def action_clear_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.value = ""
        self.query_one("#cases", DataTable).focus()

    def action_overdue(self) -> None:
        self.app.push_screen(OverdueScreen(self.store))

    def action_review_queue(self) -> None:
        self.app.push_screen(ReviewQueueScreen(self.store))

    def action_new_case(self) -> None:
        if self.app.require_user() is not None:
            draft = self.store.load_draft(draft_owner(self.app))
            self.app.push_screen(
                NewCaseScreen(self.store, draft if draft and draft.get("kind") == "new_case" else None)
            )

    @on(DataTable.RowSelected, "#cases")
    def _open(self, event: DataTable.RowSelected) -> None:
        self.open_case(str(event.row_key.value))

    def open_case(self, case_id: str) -> None:
        summary = self.store.summary(case_id)
        if summary is not None and summary.damaged:
            self.notify(summary.damaged, title="This case cannot be opened", severity="error", markup=False, timeout=20)
            return
        try:
            screen = CaseScreen(self.store, case_id)
        except StoreError as exc:  # damaged since the list was read
            self.notify(str(exc), title="This case cannot be opened", severity="error", markup=False, timeout=20)
            return
        self.app.push_screen(screen)
