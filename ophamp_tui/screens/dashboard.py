"""The managers' dashboard (issue 15): how the force is doing over a period, answers first.

The report is worked out in a thread worker (``report.build_report``: the store's counts, no case file
opened), so a big store never freezes the screen; a loading line shows meanwhile. Everything shown is
counts of coded values and durations: nothing a user typed, no names or numbers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.table import Table
from rich.text import Text
from textual import getters, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Header, Input, Label, LoadingIndicator, Static
from textual.worker import Worker, WorkerState
from textual_plotext import PlotextPlot

from ..data.report import Period, Report, build_report, parse_period, sections
from ..widgets.footer import QuietFooter
from ..widgets.safe_input import SafeInput

if TYPE_CHECKING:
    from ..app import OpHampApp


def _ophamp_app() -> type[OpHampApp]:
    from ..app import OpHampApp  # noqa: PLC0415 - the app imports every screen: named here only for type checks

    return OpHampApp


def _hours(value: float | None) -> str:
    if value is None:
        return "none"
    if value < 48:
        return f"{value:.1f} h"
    return f"{value / 24:.0f} days"


def answers(report: Report) -> Content:
    """The questions a senior manager opens the dashboard for, answered in the first lines."""
    worst = report.attrition[0] if report.attrition else None
    if worst is None:
        missed = "Most missed step: none (no time limit late or missed)."
    else:
        missed = (
            f"Most missed step: {worst.step_number}. {worst.label}: {worst.failed} of {worst.due} late or missed "
            f"({worst.failed * 100 // max(worst.due, 1)}%)."
        )
    over = report.rui_over_6_months
    welfare = report.welfare
    review = report.review
    return Content.assemble(
        (missed, "bold"),
        "\n",
        (f"RUI over 6 months: {over.n}", "bold"),
        f" of {over.of} suspects on RUI now.  ",
        f"Awaiting senior review: {review.of} (longest {_hours(review.longest_h)}).\n",
        f"Cases: {report.cases} in the period · welfare contact median {_hours(welfare.median_h)}, "
        f"90th percentile {_hours(welfare.p90_h)} · {welfare.none_yet} with none yet.",
    )


def section_table(title: str, rows: list[tuple[str, str, str]]) -> Table:
    table = Table(title=Text(title, style="bold"), title_justify="left", box=None, padding=(0, 1), show_header=False)
    table.add_column(width=44, no_wrap=True, overflow="ellipsis")  # the numbers stay beside their labels
    table.add_column(justify="right", no_wrap=True)
    table.add_column(justify="right", width=5, no_wrap=True)
    for label, value, share in rows:
        table.add_row(Text(label), Text(value), Text(share))
    return table


class DashboardScreen(Screen[None]):
    if TYPE_CHECKING:
        app = getters.app(_ophamp_app)
    AUTO_FOCUS = "#dash-body"  # the dates box is hidden until c: keys go to the screen
    BINDINGS = [
        Binding("1", "period('month')", "Month", id="period-month", tooltip="This calendar month"),
        Binding("2", "period('quarter')", "Quarter", id="period-quarter", tooltip="This quarter"),
        Binding("3", "period('year')", "Year", id="period-year", tooltip="This calendar year"),
        Binding("c", "custom", "Dates", id="period-custom", tooltip="From one date to another"),
        Binding("escape", "back", "Back", id="back", tooltip="Back to the case list"),
    ]

    def __init__(self, period: str = "month") -> None:
        super().__init__()
        self._first = period  # month, quarter, year or a from..to range: read against the app's clock
        self.period: Period | None = None
        self.report: Report | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Label("", id="dash-title", classes="queue-title")
        yield SafeInput(placeholder="From..to, e.g. 2026-09-01..2026-11-30, then Enter", id="dash-range")
        yield LoadingIndicator(id="dash-loading")
        with VerticalScroll(id="dash-body"):
            yield Static("", id="dash-answers", classes="dash-answers")
            yield PlotextPlot(id="dash-chart")
            yield Static("", id="dash-tables")
        yield QuietFooter()

    def on_mount(self) -> None:
        self.period = parse_period(self._first, self.app.clock())
        self.refresh_report()

    # --- the report, made in a thread -------------------------------------------------------------

    def refresh_report(self) -> None:
        assert self.period is not None
        self.query_one("#dash-title", Label).update(
            Content.assemble(("Dashboard", "bold"), f": {self.period.label()} · working out the figures…")
        )
        self.query_one("#dash-loading").display = True
        self._build(self.period)

    @work(thread=True, exclusive=True, group="dashboard", exit_on_error=False)
    def _build(self, period: Period) -> Report:
        return build_report(self.app.store, period, self.app.clock())

    @on(Worker.StateChanged)
    def _built(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "dashboard":
            return
        if event.state is WorkerState.SUCCESS and isinstance(event.worker.result, Report):
            self.show(event.worker.result)
        elif event.state is WorkerState.ERROR:
            self.query_one("#dash-loading").display = False
            error = event.worker.error
            self.query_one("#dash-title", Label).update(
                Content(f"Dashboard: the figures could not be worked out ({type(error).__name__}). Try again with 1.")
            )
            self.notify(str(error), title="No figures", severity="error", markup=False, timeout=20)

    def show(self, report: Report) -> None:
        self.report = report
        self.query_one("#dash-loading").display = False
        self.query_one("#dash-title", Label).update(
            Content.assemble(
                ("Dashboard", "bold"),
                f": {report.period.label()} · {report.cases} cases by incident date",
            )
        )
        self.query_one("#dash-answers", Static).update(answers(report))
        self._chart(report)
        grid = Table.grid(expand=True)
        grid.add_column()
        for title, rows in sections(report):
            grid.add_row(section_table(title, rows))
            grid.add_row("")
        self.query_one("#dash-tables", Static).update(grid)

    def _chart(self, report: Report) -> None:
        """The attrition points as bars: the share of each clock's time limits that were late or missed (the
        order of ``report.attrition``, the most missed first, as in the answers above)."""
        chart = self.query_one("#dash-chart", PlotextPlot)
        plt = chart.plt
        plt.clear_data()
        plt.clear_figure()
        worst = list(report.attrition[:5])[::-1]  # drawn bottom up: the most missed on top
        chart.display = bool(worst)
        if not worst:
            return
        labels = [f"{t.step_number}. {t.label[:16]}" for t in worst]
        plt.bar(labels, [round(t.failed * 100 / max(t.due, 1)) for t in worst], orientation="horizontal", width=0.4)
        plt.title("Late or missed, % of time limits")
        chart.refresh()

    # --- keys -------------------------------------------------------------------------------------

    def action_period(self, word: str) -> None:
        self.period = parse_period(word, self.app.clock())
        self.refresh_report()

    def action_custom(self) -> None:
        box = self.query_one("#dash-range", Input)
        box.display = True
        box.focus()

    @on(Input.Submitted, "#dash-range")
    def _range(self, event: Input.Submitted) -> None:
        try:
            self.period = parse_period(event.value, self.app.clock())
        except ValueError as exc:
            self.notify(str(exc), title="Dates not understood", severity="warning", markup=False, timeout=12)
            return
        event.input.display = False
        self.query_one("#dash-body").focus()
        self.refresh_report()

    def action_back(self) -> None:
        box = self.query_one("#dash-range", Input)
        if box.display:
            box.display = False
            self.query_one("#dash-body").focus()
            return
        self.app.pop_screen()
