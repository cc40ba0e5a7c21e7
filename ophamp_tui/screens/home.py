"""Home: every case, what needs attention first, filtered as you type."""

from __future__ import annotations

import threading
from collections.abc import Set as AbstractSet
from typing import TYPE_CHECKING

from rich.text import Text
from textual import getters, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Header, Input, Label, Static
from textual.widgets.data_table import ColumnKey

from ..data.caselist import CaseList, Row, victim_index
from ..data.clock import fmt_by, fmt_short_date
from ..data.queues import due_items
from ..data.scenarios import scenario_names
from ..data.store_api import CaseStore, StoreError
from ..data.text import plural, same_number
from ..widgets.footer import QuietFooter
from ..widgets.safe_input import SafeInput
from .carry_on import draft_owner
from .case import CaseScreen
from .dashboard import DashboardScreen
from .due_queue import DueQueueScreen
from .new_case import NewCaseScreen
from .overdue import OverdueScreen
from .queue_base import QueueScreen
from .review_queue import ReviewQueueScreen

MAX_ROWS = 500  # beyond this, typing to filter is quicker than scrolling
FIRST_ROWS = 60  # rows added at once when the table is refilled: more than a screenful
MORE_ROWS = 110  # then this many at a time, between other work (keys typed meanwhile)
CELL_CACHE = 5_000  # rows whose cells are kept made
COLUMNS = ("flags", "victim", "date", "offence", "progress", "next")

EMPTY = (
    "No cases yet.\n\n"
    "When a colleague has been assaulted, press N to log it. ophamp then walks you through the ten "
    "Op Hampshire steps, saving as you go.\n\n"
    "F1 lists the keys on any screen. Ctrl+P finds any action."
)


if TYPE_CHECKING:
    from ..app import OpHampApp


def _ophamp_app() -> type[OpHampApp]:
    from ..app import OpHampApp  # noqa: PLC0415 - the app imports every screen: named here only for type checks

    return OpHampApp


class HomeScreen(Screen[None]):
    if TYPE_CHECKING:
        app = getters.app(_ophamp_app)
    AUTO_FOCUS = "#cases"
    BINDINGS = [
        Binding("n", "new_case", "New case", id="new-case", tooltip="Log a new assault on a colleague"),
        Binding("slash", "find", "Find", id="find", tooltip="Type to filter the cases"),
        Binding("escape", "clear_filter", "Clear filter", show=False, id="clear", tooltip="Clear the filter"),
        Binding("o", "overdue", "Overdue", id="overdue", tooltip="Everything past its time limit, most overdue first"),
        Binding("r", "review_queue", "Reviews", id="review-queue", tooltip="Cases awaiting senior manager review"),
        Binding(
            "d",
            "dashboard",
            "Dashboard",
            show=False,
            id="dashboard",
            tooltip="Figures for a period",
        ),
        Binding("y", "due_from_me", "Due from me", id="due-from-me", tooltip="Every time limit on your cases"),
        Binding("m", "my_cases", "Mine", id="my-cases", tooltip="Only cases where you are named (show all again)"),
        Binding("u", "app.switch_user", "User", id="switch-user", tooltip="Change who is using ophamp"),
    ]

    def __init__(self, store: CaseStore) -> None:
        super().__init__()
        self.store = store
        self.cases: CaseList | None = None  # built when first shown, then kept in step case by case
        self._mine = False  # only cases where the current user is named
        self._resumed = False
        self._reading = threading.Lock()  # held while the store is read in the background
        self._read_again = False
        self._drawn: tuple[object, ...] | None = None  # what the table was last filled for
        self._scenario_names: dict[str, str] = {}  # training: case id -> the scenario's name
        self._shown_ids: list[str] = []  # the cases in the table, top to bottom
        self._filled = 0  # how many of them have been added to the table so far
        self._filling = 0  # goes up each time the table is refilled
        self._cells: dict[str, tuple[Row, tuple[Text, ...]]] = {}  # each row's cells, made once per row

    BASE_WIDTHS = {"victim": 18, "offence": 15, "next": 15}  # at 80 columns

    def compose(self) -> ComposeResult:
        yield Header()
        yield SafeInput(placeholder="Type to filter: victim, reference, offence, step…  (/)", id="filter", compact=True)
        yield Label("", id="due-me", markup=False)
        yield DataTable(id="cases", cursor_type="row", zebra_stripes=True)
        yield Static(Content(EMPTY), id="empty", classes="empty")
        yield Label("", id="count", classes="hint")
        yield QuietFooter()

    def on_mount(self) -> None:
        table = self.query_one("#cases", DataTable)
        # 80 columns: 4+18+8+15+5+15 plus one cell of padding each side of each column, and the
        # scroll bar (2): not one column more.
        table.add_column("", width=4, key="flags")
        table.add_column("Victim", width=18, key="victim")
        table.add_column("Incident", width=8, key="date")
        # Training: the scenario's name where the offence would be, so a class can find each story.
        self._scenario_names = scenario_names() if getattr(self.app, "training", False) else {}
        table.add_column("Scenario" if self._scenario_names else "Offence", width=15, key="offence")
        table.add_column("Done", width=5, key="progress")
        table.add_column("Next", width=15, key="next")
        self._fit_columns()
        self.reload()

    # Wider than 80 columns (a projector, a browser), the extra goes to the victim, offence and next
    # step, so names and offences are shown whole: (column, share of the extra, widest).
    WIDER = (("victim", 2, 34), ("offence", 3, 52), ("next", 1, 30))

    def on_resize(self) -> None:
        self._fit_columns()

    def _fit_columns(self) -> None:
        table = self.query_one("#cases", DataTable)
        extra = max(0, self.size.width - 80)
        changed = False
        for key, share, widest in self.WIDER:
            column = table.columns.get(ColumnKey(key))
            if column is None:
                continue
            width = min(widest, self.BASE_WIDTHS[key] + extra * share // 6)
            if column.width != width:
                column.width = width
                changed = True
        if changed:
            table.refresh(layout=True)

    def on_screen_resume(self) -> None:
        if self._resumed:  # coming back (the first time, on_mount has just read the store)
            self.reload()  # this ophamp's own saves are in the summaries already
            # Back at the top of the list, as when the table was rebuilt on every return (the rows that
            # did not change are left as they are).
            self.query_one("#cases", DataTable).move_cursor(row=0, scroll=True)
            self._read_others()
        self._resumed = True

    def store_changed(self) -> None:
        """Someone saved (see OpHampApp._watch_store): read what changed, in the background."""
        if self.cases is not None:
            self._read_others()

    class StoreRead(Message):
        """The store has been brought up to date with other ophamps' saves (in the background)."""

    @work(thread=True, group="store-refresh", exit_on_error=False)
    def _read_others(self) -> None:
        """Another ophamp may have saved meanwhile: look in the store without holding up the screen
        (with 100,000 cases that takes half a second), then show what changed. One look at a time: asked
        again while looking, it looks once more when done."""
        if not self._reading.acquire(blocking=False):
            self._read_again = True
            return
        try:
            self._read_again = True
            while self._read_again:
                self._read_again = False
                self.store.refresh()
        except Exception:  # noqa: BLE001 - the list stays as it is and is brought up to date next time
            return
        finally:
            self._reading.release()
        self.post_message(self.StoreRead())

    @on(StoreRead)
    def _others_read(self) -> None:
        self.reload()
        if isinstance(self.app.screen, QueueScreen):  # a queue in view follows too (live updates)
            self.app.screen.reload()

    def reload(self) -> None:
        """Bring the list up to date with the store: only the rows of cases that changed are remade."""
        now = self.app.clock()
        changed: set[str] | None
        if self.cases is None:
            # The index by victim is shared with the case screen (earlier cases of the victim).
            self.cases = CaseList(self.store.summaries(), now, victim_index(self.store))
            changed = None
        else:
            changed = self.cases.sync(self.store.summaries(), now)
        self.app.overdue = self.cases.overdue
        self._fill(changed)
        self._show_due()

    def _show_due(self) -> None:
        """First, what is due from the current user (every case naming them), in one or two lines."""
        assert self.cases is not None
        banner = self.query_one("#due-me", Label)
        me = self.app.user.number if self.app.user else ""
        rows = self.cases.naming(me) if me else []
        summaries = [s for r in rows if (s := self.cases.summary(r.id)) is not None]
        items = due_items(summaries, me, self.app.clock()) if summaries else []
        banner.display = bool(items) and not self.app.hiding_answers  # training's learner mode: a quiz
        if not items:
            return
        first = items[0]
        late = sum(i.overdue for i in items)
        banner.set_class(bool(late), "-late")
        banner.update(
            Content.assemble(
                ("Due from you: ", "bold"),
                plural(len(items), "item"),
                (f", {late} overdue" if late else "", "bold"),
                f". Next: {first.what}, {first.victim}, "
                f"{'was due' if first.overdue else 'due'} {fmt_by(first.due_at, first.end_of_day)}. ",
                ("y", "bold"),
                ": see them all",
            )
        )

    def action_due_from_me(self) -> None:
        if self.app.require_user() is not None:
            self.app.push_screen(DueQueueScreen(self.store))

    def action_my_cases(self) -> None:
        self._mine = not self._mine
        self._fill()

    def _fill(self, changed: AbstractSet[str] | None = frozenset()) -> None:
        """Show the rows for the filter as it is now. ``changed``: the cases whose rows changed since the
        table was filled (None: any may have); the table is only redrawn where it differs."""
        if self.cases is None:
            return
        query = self.query_one("#filter", Input).value
        me = self.app.user.number if self.app.user else ""
        state = (query, self._mine, me, self.cases.version)
        if state == self._drawn and changed is not None and not changed:
            return  # showing this already: keys typed quickly are all answered by the first fill
        self._drawn = state
        table = self.query_one("#cases", DataTable)
        shown = self.cases.find(query)
        if self._mine:
            shown = [r for r in shown if any(same_number(me, number) for number in r.people)]
        ids = [r.id for r in shown[:MAX_ROWS]]
        if ids == self._shown_ids and self._filled == len(ids):
            # The same cases in the same order: change only the cells that changed.
            for case_id in self._shown_ids if changed is None else changed & set(ids):
                self._update_row(table, case_id)
        else:
            table.clear()
            self._shown_ids = ids
            self._filled = 0
            self._filling += 1  # any rows still to be added for an earlier fill are not
            self._add_rows(shown[:MAX_ROWS], self._filling)
        self._say(query, len(shown))

    def _add_rows(self, rows: list[Row], filling: int) -> None:
        """Add the rows from ``self._filled`` on: a screenful at once, the rest a batch at a time after
        anything else waiting (a key typed meanwhile refills the table, and these are then dropped)."""
        if filling != self._filling:
            return
        table = self.query_one("#cases", DataTable)
        start = self._filled
        end = min(len(rows), start + (FIRST_ROWS if start == 0 else MORE_ROWS))
        for row in rows[start:end]:
            table.add_row(*self._row_cells(row), key=row.id)
        self._filled = end
        if end < len(rows):
            self.call_later(self._add_rows, rows, filling)

    def _row_cells(self, row: Row) -> tuple[Text, ...]:
        made = self._cells.get(row.id)
        if made is not None and made[0] is row:
            return made[1]
        cells = (
            self._flags(row),
            Text(row.victim, no_wrap=True, overflow="ellipsis"),
            Text(fmt_short_date(row.occurred_at)),
            Text(self._scenario_names.get(row.id, row.offence), no_wrap=True, overflow="ellipsis"),
            Text(row.progress),
            Text(row.next_step, no_wrap=True, overflow="ellipsis"),
        )
        if len(self._cells) > CELL_CACHE:
            self._cells.clear()
        self._cells[row.id] = (row, cells)
        return cells

    def _update_row(self, table: DataTable[Text], case_id: str) -> None:
        assert self.cases is not None
        row = self.cases.row(case_id)
        if row is None:
            return
        before = self._cells.get(case_id)
        cells = self._row_cells(row)
        for n, column in enumerate(COLUMNS):
            if before is None or before[1][n] != cells[n]:
                table.update_cell(case_id, column, cells[n])

    def _say(self, query: str, matching: int) -> None:
        """The empty-store text or the table, and the count under it."""
        assert self.cases is not None
        table = self.query_one("#cases", DataTable)
        shown = matching
        empty = not len(self.cases)
        self.query_one("#empty").display = empty
        table.display = not empty
        self.query_one("#filter").display = not empty
        if empty:
            self.set_focus(None)  # nothing to type into: N and the other keys act at once
        elif self.focused is None:
            table.focus()
        total = len(self.cases)
        late = 0 if self.app.hiding_answers else self.cases.late
        text = f"{shown} of {plural(total, 'case')}" if query.strip() or self._mine else plural(total, "case")
        if self._mine:
            text = "My cases: " + text + " (m: show all)"
        if shown > MAX_ROWS:
            text += f" (first {MAX_ROWS} shown: type to filter)"
        if late:
            text += f" · {late} with something overdue"
        text += " · ! overdue R repeat H hate E enhanced F fictional X damaged"
        self.query_one("#count", Label).update(Content(text) if not empty else Content(""))

    def answers_changed(self) -> None:
        """Training's learner mode switched, or its answers revealed (Ctrl+O): the overdue flags, the count
        and "Due from you" follow."""
        if self.cases is None or not self.is_mounted:
            return
        self._cells.clear()
        self._drawn = None
        self._fill(None)
        self._show_due()

    def _flags(self, row: Row) -> Text:
        flags = Text()
        if row.state == "damaged":
            flags.append("X", style="bold red")
        if row.overdue and not self.app.hiding_answers:
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

    def action_dashboard(self) -> None:
        self.app.push_screen(DashboardScreen())

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
