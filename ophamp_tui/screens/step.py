"""One step of the checklist, rendered from its definition, saved field by field."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.widgets import Button, Header, Label, Static

from ..data.checklist import LOGS, NOTES, STEPS, step
from ..data.clock import fmt_local, iso
from ..data.edits import Edit, EditError, entry_made, log_added, step_status
from ..data.facts import step_facts
from ..data.models import StepStatus
from ..data.store_api import CaseStore
from ..data.validation import missing_for_done
from ..widgets.fields import FieldRow, show_problems
from ..widgets.footer import QuietFooter
from ..widgets.log_panel import LogPanel
from .form_base import FormScreen
from .log_entry import LogEntryScreen
from .reason import ReasonScreen


class StepScreen(FormScreen):
    # Below 70 columns the guidance starts hidden (F4 shows it) so the form keeps a usable width.
    # From 110 columns (a projector, a browser) the guidance takes its share of the width (app.tcss).
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (70, "-wide"), (110, "-widest")]
    BINDINGS = [
        Binding("f2", "done", "Mark done", id="done", tooltip="Mark this step done (checks what is needed)"),
        Binding("f3", "not_applicable", "Not applicable", id="na", tooltip="Mark not applicable, with a reason"),
        Binding("f4", "toggle_guidance", "Guidance", id="guidance", tooltip="Show or hide 'why this matters'"),
        # F5-F7 belong to text boxes (select word, line, all), so steps move with F8 / F9.
        Binding("f8", "previous", "Prev step", id="prev", tooltip="The previous step"),
        Binding("f9", "next", "Next step", id="next", tooltip="The next step"),
        Binding("ctrl+n", "add_log(0)", "Add entry", id="add-log", tooltip="Add an entry to this step's log"),
        Binding("ctrl+r", "add_log(1)", "Add referral", id="add-log-2", tooltip="Add a referral to a support service"),
        # A web page cannot have Ctrl+N (the browser opens a window): in `ophamp serve`, Alt+N and Alt+R.
        Binding("alt+n", "add_log(0)", "Add entry", show=False, id="add-log-alt", tooltip="Add an entry (Alt+N)"),
        Binding("alt+r", "add_log(1)", "Add referral", show=False, id="add-log-2-alt", tooltip="Add referral (Alt+R)"),
        Binding("escape", "back", "Back", id="back", tooltip="Back to the case overview (saves first)"),
    ]
    LOG_KEYS = ("Ctrl+N", "Ctrl+R")

    def __init__(self, store: CaseStore, case_id: str, step_key: str) -> None:
        super().__init__(store, case_id)
        self.sdef = step(step_key)
        self.start_step = self.step_key = step_key

    @property
    def record(self):
        return self.case.steps[self.sdef.key]

    def compose(self) -> ComposeResult:
        s = self.sdef
        yield Header()
        with Horizontal(id="step-body"):
            with VerticalScroll(id="step-form", classes="form", can_focus=False):  # Tab goes field to field
                yield Label(Content(f"Step {s.number} of {len(STEPS)}: {s.title}"), classes="form-title")
                yield Static("", id="step-status")
                for index, log in enumerate(s.logs):
                    yield LogPanel(LOGS[log], getattr(self.case, log), self.LOG_KEYS[index])
                for fdef in s.fields:
                    if fdef.section:
                        yield Label(Content(fdef.section), classes="section")
                    yield FieldRow(fdef, self.value_of(fdef))
                yield FieldRow(NOTES, self.record.notes)
                with Horizontal(classes="buttons"):
                    yield Button("Mark done (F2)", variant="success", id="mark-done")
                    yield Button("Not applicable (F3)", id="mark-na")
                    yield Button("Next (F9)", id="go-next")
                yield Label("", id="saved", classes="hint")
            with VerticalScroll(id="guidance", classes="guidance"):
                yield Static(self._guidance(), id="guidance-text")
        yield QuietFooter()

    def on_mount(self) -> None:
        self._show_status()
        self._show_guidance()
        self.apply_visibility()
        self.prefill()
        rows = list(self.query(FieldRow))
        if self.sdef.logs:  # steps 7-9 are about their logs: start on "add an entry", near the top
            self.query(LogPanel).first().query_one(Button).focus(scroll_visible=False)
        elif rows:
            rows[0].control.focus(scroll_visible=False)
        # Start at the top: the step's status, deadlines and log come before the fields.
        self.call_after_refresh(self.query_one("#step-form").scroll_home, animate=False)

    def _guidance(self) -> Text:
        s = self.sdef
        text = Text()
        text.append("What the victim can expect\n", style="bold")
        text.append(s.expect + "\n\n")
        text.append("Why this matters\n", style="bold")
        text.append(s.why + "\n")
        if s.limit:
            text.append("\nTime limit\n", style="bold")
            text.append(s.limit + "\n")
        return text

    def _show_status(self) -> None:
        rec = self.record
        text = Text("Status: ")
        style = {"done": "bold green", "not_applicable": "bold cyan", "in_progress": "bold yellow"}.get(
            rec.status, "bold"
        )
        text.append(rec.status.label, style=style)
        if rec.by and rec.at:
            text.append(f"  by {rec.by.short()}, {fmt_local(rec.at)}")
        if rec.status is StepStatus.NOT_APPLICABLE and rec.na_reason:
            text.append(f"\nReason: {rec.na_reason}")
        hiding = bool(getattr(self.app, "hiding_answers", False))  # training's learner mode: a quiz
        for fact in step_facts(self.case, self.sdef.key, self.app.clock()):
            if hiding and ("OVERDUE" in fact or fact.startswith("Outstanding")):
                continue
            text.append("\n" + fact, style="bold red" if "OVERDUE" in fact or fact.startswith("Outstanding") else "")
        # A save may come back before this screen's widgets are mounted: nothing to show yet (on_mount shows it).
        for status in self.query("#step-status").results(Static):
            status.update(text)

    def _status(self, status: StepStatus, reason: str = "") -> Edit:
        user = self.app.require_user()
        return step_status(self.sdef.key, status, user, self.app.clock(), reason) if user else Edit()

    def after_save(self) -> None:
        self._show_status()
        for panel in self.query(LogPanel):
            panel.show(getattr(self.case, panel.logdef.key))

    # --- logs --------------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "add_log":
            return parameters[0] < len(self.sdef.logs)  # type: ignore[operator]
        return True

    def action_add_log(self, index: int) -> None:
        if index < len(self.sdef.logs):
            self._open_log(self.sdef.logs[index])

    @on(LogPanel.AddRequested)
    def _add_requested(self, event: LogPanel.AddRequested) -> None:
        self._open_log(event.log)

    @on(LogPanel.EntryChosen)
    def _entry_chosen(self, event: LogPanel.EntryChosen) -> None:
        logdef, entry = LOGS[event.log], getattr(self.case, event.log)[event.index]
        if not logdef.made_later or getattr(entry, logdef.made_later):
            return  # entries are a record: kept as written
        values = {"kind": entry.kind, "at": iso(entry.at), "summary": entry.summary}
        self._open_log(event.log, event.index, values, f"Record that the {logdef.entry_name.lower()} was made")

    def _open_log(self, log: str, index: int | None = None, values: dict | None = None, title: str = "") -> None:
        if not self.flush():
            return
        screen = LogEntryScreen(LOGS[log], self.case, values, title=title)
        self.app.push_screen(screen, lambda result: self._log_saved(log, index, result))

    def _log_saved(self, log: str, index: int | None, values: dict | None) -> None:
        if values is None:
            return
        user = self.app.require_user()
        if user is None:
            return
        try:
            edit = (
                entry_made(self.case, log, index, values)
                if index is not None
                else log_added(log, values, user, self.app.clock())
            )
        except EditError as exc:
            self.notify(str(exc), title="Not saved", severity="error", markup=False, timeout=20)
            return
        if self.save(edit):
            self.notify(f"{LOGS[log].title}: saved.", markup=False)
            panel = self.query_one(f"#log-{log}", LogPanel)
            panel.scroll_visible(animate=False, top=True)

    # --- actions -----------------------------------------------------------------------------------

    @on(Button.Pressed, "#mark-done")
    def action_done(self) -> None:
        if not self.flush(with_suggestions=True):
            self.notify("Fix the fields shown in red first.", severity="warning")
            return
        problems = missing_for_done(self.sdef, self.case, self.app.clock())
        if show_problems({row.fdef.key: row for row in self.query(FieldRow)}, problems):
            self.notify(
                f"Not done yet: {len(problems)} field{'s' if len(problems) > 1 else ''} to complete (shown in red).",
                severity="warning",
                markup=False,
            )
            return
        if self.save(self._status(StepStatus.DONE), start=False):
            self.notify(f"Step {self.sdef.number} done: {self.sdef.title}.", markup=False)
            self._go(+1)

    @on(Button.Pressed, "#mark-na")
    def action_not_applicable(self) -> None:
        if not self.flush():
            return
        question = Content.from_markup("Why is '$title' not applicable?", title=self.sdef.title)
        screen = ReasonScreen(
            question,
            reason=self.record.na_reason,
            button="Mark not applicable",
            placeholder="e.g. victim back on duty, no duties to hand over",
        )
        self.app.push_screen(screen, self._na_reason)

    def _na_reason(self, reason: str | None) -> None:
        if reason and self.save(self._status(StepStatus.NOT_APPLICABLE, reason), start=False):
            self.notify(f"Step {self.sdef.number} marked not applicable.", markup=False)
            self._go(+1)

    def action_toggle_guidance(self) -> None:
        self.app.guidance_shown = not self.query_one("#guidance").display  # type: ignore[attr-defined]
        self._show_guidance()  # and F8/F9 keep it so

    def _show_guidance(self) -> None:
        """As F4 last left it on any step; else hidden in learner mode; else by width (see app.tcss)."""
        chosen = getattr(self.app, "guidance_shown", None)
        hiding = chosen is False or (chosen is None and getattr(self.app, "hiding_answers", False))
        self.set_class(chosen is True, "-guidance-shown")
        self.set_class(hiding, "-guidance-hidden")

    def answers_changed(self) -> None:
        """Learner mode switched, or answers revealed (Ctrl+O)."""
        self._show_guidance()
        self._show_status()

    @on(Button.Pressed, "#go-next")
    def action_next(self) -> None:
        self._go(+1)

    def action_previous(self) -> None:
        self._go(-1)

    def _go(self, delta: int) -> None:
        if not self.flush():
            return
        index = self.sdef.number - 1 + delta
        if 0 <= index < len(STEPS):
            self.app.switch_screen(StepScreen(self.store, self.case_id, STEPS[index].key))
        else:
            self.app.pop_screen()

    def action_back(self) -> None:
        self.leave()
