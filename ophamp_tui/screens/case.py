"""The case at a glance: who, what, the ten steps with status, and what is due."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from rich.text import Text
from textual import getters, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static
from textual.widgets.data_table import ColumnKey

from ..data import choices as C
from ..data.caselist import victim_summaries
from ..data.checklist import STEPS
from ..data.clock import fmt_duration, fmt_local, fmt_local_date, fmt_short_date, to_london
from ..data.deadlines import enhanced_text, obligations, outstanding, suspect_words
from ..data.edits import closed_early, linked_to
from ..data.models import Case, StepStatus
from ..data.progress import next_step, progress
from ..data.scenarios import teaching_notes
from ..data.store_api import CaseStore, StoreError
from ..data.summary import earlier_cases
from ..widgets.footer import QuietFooter
from ..widgets.fresh_screen import FreshScreen
from .case_details import CaseDetailsScreen
from .expect import ExpectScreen
from .history import HistoryScreen
from .reason import ReasonScreen
from .step import StepScreen
from .teaching import TeachingScreen

STATUS_STYLE = {"done": "green", "not_applicable": "cyan", "in_progress": "yellow", "not_started": ""}


if TYPE_CHECKING:
    from ..app import OpHampApp


def _ophamp_app() -> type[OpHampApp]:
    from ..app import OpHampApp  # noqa: PLC0415 - the app imports every screen: named here only for type checks

    return OpHampApp


class CaseScreen(FreshScreen, Screen[None]):
    if TYPE_CHECKING:
        app = getters.app(_ophamp_app)
    BINDINGS = [
        Binding("enter", "open_step", "Open step", show=False, id="open-step", tooltip="Open the highlighted step"),
        Binding("e", "edit_details", "Details", id="edit-details", tooltip="Change the victim, incident or suspect"),
        Binding("h", "history", "History", id="history", tooltip="Every change to this case: who, when, old and new"),
        Binding(
            "v",
            "expect",
            "Expect",
            id="expect",
            tooltip="What the victim can expect, in plain words; export it as text",
        ),
        Binding("t", "teaching", "Teaching", id="teaching", tooltip="Training: what to discuss about this scenario"),
        Binding(
            "c",
            "close_early",
            "Close early",
            id="close-early",
            tooltip="Close the case before every step is done, with a reason",
        ),
        Binding(
            "l",
            "link",
            "Link",
            id="link",
            tooltip="Link another colleague's case from the same incident (both cases show it)",
        ),
        Binding("escape", "back", "Back", id="back", tooltip="Back to the case list"),
        # 1-9 and 0 open the first ten steps directly (any further steps: the table, Enter).
        *[
            Binding(
                str(n % 10),
                f"open_number({n})",
                f"Step {n}",
                show=False,
                id=f"step-{n}",
                tooltip=f"1-9 and 0 open steps 1-{min(len(STEPS), 10)} directly",
            )
            for n in range(1, min(len(STEPS), 10) + 1)
        ],
    ]

    def __init__(self, store: CaseStore, case_id: str) -> None:
        super().__init__()
        self.store = store
        self.case_id = case_id
        self.case: Case = store.load(case_id)
        self._shown_once = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="case-summary")
        yield Static("", id="case-dues")
        yield DataTable(id="steps", cursor_type="row", zebra_stripes=True)
        yield QuietFooter()

    def on_mount(self) -> None:
        table = self.query_one("#steps", DataTable)
        # 80 columns: the next step's marker goes with its number, so the longest title (30) is never cut.
        table.add_column("#", width=3, key="n")
        table.add_column("Step", width=30, key="title")
        table.add_column("Status", width=14, key="status")
        table.add_column("By / when", width=24, key="who")
        self._fit_columns()
        self.refresh_case(reload=False)
        nxt = next_step(self.case)
        if nxt and not self.app.hiding_answers:
            table.move_cursor(row=nxt.number - 1)
        table.focus()

    def answers_changed(self) -> None:
        """Training's learner mode switched, or its answers revealed (Ctrl+O)."""
        if self.is_mounted:
            self.refresh_case(reload=False)

    def on_resize(self) -> None:
        if self._fit_columns():
            self.refresh_case(reload=False)

    def _fit_columns(self) -> bool:
        """'By / when' takes the width there is (a long surname and the time, whole), 24 at 80 columns."""
        table = self.query_one("#steps", DataTable)
        # Each column has a cell's padding either side; 3 + 30 + 14 and the scroll bar's room.
        who = min(40, max(24, self.size.width - 3 - 30 - 14 - 4 * 2 - 2))
        column = table.columns.get(ColumnKey("who"))
        if column is None or column.width == who:
            return False
        column.width = who
        table.refresh(layout=True)
        return True

    def store_changed(self) -> None:
        """Someone saved (see OpHampApp._watch_store): show this case as it is now, if it changed."""
        if not self.is_mounted:
            return  # not drawn yet: it reads the case as it is when it is
        try:
            now = self.store.load(self.case_id)
        except StoreError:
            return  # said when the user next opens or acts on it
        if now.rev != self.case.rev:
            self.case = now
            self.refresh_case(reload=False)

    def on_screen_resume(self) -> None:
        if not self._shown_once:  # first shown just after on_mount filled it in: nothing to refresh yet
            self._shown_once = True
            return
        self.refresh_case()

    def refresh_case(self, reload: bool = True) -> None:
        if reload:
            try:
                self.case = self.store.load(self.case_id)
            except StoreError as exc:
                self.notify(str(exc), severity="error", markup=False, timeout=20)
                return
        case, now = self.case, self.app.clock()
        self.query_one("#case-summary", Static).update(self._summary(case, now))
        self.query_one("#case-dues", Static).update(
            Text("Learner mode: deadlines and the next step are hidden (Ctrl+O reveals them).", style="bold")
            if self.app.hiding_answers
            else self._dues(case, now)
        )
        table = self.query_one("#steps", DataTable)
        row = table.cursor_row
        table.clear()
        nxt = None if self.app.hiding_answers else next_step(case)
        who_width = table.columns[ColumnKey("who")].width
        for sdef in STEPS:
            rec = case.steps[sdef.key]
            number = Text(f"▶{sdef.number}" if nxt is sdef else f" {sdef.number}", style="bold" if nxt is sdef else "")
            title = Text(sdef.title, no_wrap=True, overflow="ellipsis")
            by, at = rec.by, rec.at
            started = rec.status is not StepStatus.NOT_STARTED and by is not None and at is not None
            who_text = ""
            if started and by is not None and at is not None:
                surname = (by.name.split() or [""])[-1]
                who_text = f"{surname} {fmt_short_date(at)} {to_london(at):%H:%M}"
                if len(who_text) > who_width:  # 80 columns: the year goes before the name is cut
                    who_text = f"{surname} {to_london(at):%d/%m %H:%M}"
            who = Text(who_text, no_wrap=True, overflow="ellipsis")
            status = Text(rec.status.label, style=STATUS_STYLE[rec.status.value])
            table.add_row(number, title, status, who, key=sdef.key)
        table.move_cursor(row=row)

    def _summary(self, case: Case, now) -> Text:
        done, total = progress(case)
        text = Text(no_wrap=False)
        text.append(f"{case.id}  ", style="bold")
        text.append(f"{case.victim.name} ({case.victim.number}), {C.label(C.VICTIM_ROLES, case.victim.role)}")
        text.append(f" · {done}/{total} steps", style="bold")
        text.append("  FICTIONAL\n" if case.fictional else "\n", style="bold")
        offence = C.label(C.OFFENCES, case.incident.offence)
        if case.incident.offence == "other" and case.incident.offence_other:
            offence = case.incident.offence_other
        methods = ", ".join(C.label(C.METHODS, m) for m in case.incident.methods) or "method not recorded"
        text.append(
            f"{offence} · {methods} · injury: {C.label(C.INJURY_LEVELS, case.incident.injury).split(' (')[0].lower()}\n"
        )
        ago = fmt_duration(now - case.incident.occurred_at)
        text.append(f"{fmt_local(case.incident.occurred_at, with_day=True)} ({ago} ago)")
        if case.incident.location:
            text.append(f" · {case.incident.location}")
        label = C.label(C.SUSPECT_STATUSES, case.suspect.status)
        suspect = label[:1].lower() + label[1:]
        age = suspect_words(case, now)
        text.append(f"\nSuspect: {suspect}" + (f" ({age})" if age else ""))
        enhanced = enhanced_text(case)
        if enhanced:
            text.append(f"  {enhanced}", style="bold magenta")
        earlier = earlier_cases(case, victim_summaries(self.store, case.victim.number, case.victim.staff_no))
        if earlier:
            shown = ", ".join(f"{s.id} ({fmt_local_date(s.occurred_at)})" for s in earlier[-2:])
            more = f" and {len(earlier) - 2} more" if len(earlier) > 2 else ""
            text.append(f"\nREPEAT VICTIM: earlier {shown}{more}", style="bold yellow")
        if case.incident.linked:
            text.append(f"\nSame incident: {', '.join(case.incident.linked)}", style="bold")
        if case.closed_reason:
            text.append(f"\nClosed early: {case.closed_reason}", style="bold")
        return text

    @staticmethod
    def _dues(case: Case, now) -> Text:
        dues = obligations(case)
        text = Text()
        late = [d for d in dues if d.overdue(now)]
        for d in late[:2]:
            text.append(f"OVERDUE: {d.what} (was due {d.by()})\n", style="bold red")
        if len(late) > 2:
            text.append(f"and {len(late) - 2} more overdue (o: the overdue queue)\n", style="bold red")
        for item in outstanding(case)[:1]:
            text.append(f"Outstanding: {item.what}\n", style="bold")
        upcoming = [d for d in dues if not d.overdue(now)]
        if upcoming:
            d = upcoming[0]
            text.append(f"Next due: {d.what} {d.by()}")
        elif not late:
            nxt = next_step(case)
            text.append(f"Next: {nxt.title}" if nxt else "All steps finished.")
        return text

    @on(DataTable.RowSelected, "#steps")
    def _selected(self, event: DataTable.RowSelected) -> None:
        self.open_step(str(event.row_key.value))

    def action_open_number(self, number: int) -> None:
        self.open_step(STEPS[number - 1].key)

    def action_open_step(self) -> None:
        table = self.query_one("#steps", DataTable)
        self.open_step(STEPS[table.cursor_row].key)

    def open_step(self, key: str) -> None:
        self._open(lambda: StepScreen(self.store, self.case_id, key))

    def action_edit_details(self) -> None:
        self._open(lambda: CaseDetailsScreen(self.store, self.case_id))

    def action_close_early(self) -> None:
        if self.case.closed_reason:
            self.notify(f"Already closed early: {self.case.closed_reason}", markup=False)
            return
        question = Content("Close this case before every step is done? The reason is recorded for the reviewer.")
        self.app.push_screen(
            ReasonScreen(question, button="Close case", placeholder="e.g. victim left the force; case transferred"),
            self._close_with_reason,
        )

    def _close_with_reason(self, reason: str | None) -> None:
        user = self.app.require_user()
        if not reason or user is None:
            return
        try:
            edit = closed_early(reason, self.app.clock())
            self.case = self.store.update(self.case_id, user, sets=edit.sets, expect=edit.expect)
        except StoreError as exc:
            self.notify(str(exc), title="Not saved", severity="error", markup=False, timeout=20)
            return
        self.notify("Case closed early; the reason is in its history.")
        self.refresh_case(reload=False)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "teaching":
            return self.app.training  # only in training mode, and only there in the footer
        return True

    def action_teaching(self) -> None:
        notes = teaching_notes(self.case_id)
        if notes is None:
            self.notify("This case is not one of the training scenarios.")
            return
        self.app.push_screen(TeachingScreen(*notes), self._teaching_closed)

    def _teaching_closed(self, step_key: str | None) -> None:
        if step_key:  # a teaching point's step: the trainer jumps to it
            self.open_step(step_key)

    def action_link(self) -> None:
        question = Content(
            "Another colleague assaulted in the same incident has their own case. Its reference "
            "(both cases will show the link):"
        )
        self.app.push_screen(
            ReasonScreen(
                question,
                button="Link cases",
                placeholder="e.g. OH-261123-ABCD",
                too_short="Enter a case reference.",
                min_len=1,
            ),
            self._link_to,
        )

    def _link_to(self, other: str | None) -> None:
        user = self.app.require_user()
        if not other or user is None:
            return
        other = other.strip().upper()
        if other == self.case_id or other in self.case.incident.linked:
            self.notify(
                "Those cases are already linked." if other != self.case_id else "That is this case.", markup=False
            )
            return
        if self.store.summary(other) is None:
            self.notify(
                f"There is no case {other} in this store. Check the reference.", severity="warning", markup=False
            )
            return
        try:
            theirs, mine = self.store.load(other), self.store.load(self.case_id)
            for case, to in ((theirs, self.case_id), (mine, other)):
                edit = linked_to(case, to)
                updated = self.store.update(case.id, user, sets=edit.sets, expect=edit.expect)
            self.case = updated
        except StoreError as exc:
            self.notify(str(exc), title="Not linked", severity="error", markup=False, timeout=20)
            return
        self.notify(f"Linked with {other}: each case shows the other.", markup=False)
        self.refresh_case(reload=False)

    def action_expect(self) -> None:
        self._open(lambda: ExpectScreen(self.store, self.case_id))

    def action_history(self) -> None:
        self._open(lambda: HistoryScreen(self.store, self.case_id))

    def _open(self, make: Callable[[], Screen]) -> None:
        """Open a screen that reads the case; if the file went bad meanwhile, say so instead of crashing."""
        try:
            screen = make()
        except StoreError as exc:
            self.notify(str(exc), title="This case cannot be opened", severity="error", markup=False, timeout=20)
            return
        self.app.push_screen(screen)

    def action_back(self) -> None:
        self.app.pop_screen()
