"""A case's dated log shown inside a step: a table of entries and a button to add one."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Button, Label, OptionList
from textual.widgets.option_list import Option

from ..data.checklist import LogDef
from ..data.clock import fmt_local
from ..data.models import LogEntry


def describe(logdef: LogDef, entry: LogEntry) -> str:
    """One line of what the entry says, for the table."""
    text = logdef.head_label(entry.model_dump())
    if logdef.made_later:
        made = getattr(entry, logdef.made_later)
        text = f"{text}: " + (f"made {fmt_local(made)}" if made else "NOT MADE YET")
    return f"{text} · {entry.summary}" if entry.summary else text


class LogPanel(Vertical):
    DEFAULT_CSS = """
    LogPanel { height: auto; margin: 1 0; border-top: solid $primary; }
    LogPanel .log-title { text-style: bold; }
    LogPanel OptionList { height: auto; max-height: 10; min-width: 16; }
    LogPanel Button { margin: 0; }
    """

    @dataclass
    class AddRequested(Message):
        log: str

    @dataclass
    class EntryChosen(Message):
        log: str
        index: int

    def __init__(self, logdef: LogDef, entries: list[LogEntry], key_hint: str) -> None:
        super().__init__(id=f"log-{logdef.key}")
        self.logdef = logdef
        self.entries = entries
        self.key_hint = key_hint

    def compose(self) -> ComposeResult:
        yield Label(Content(self.logdef.title), classes="log-title")
        yield OptionList()
        yield Button(f"{self.logdef.add_label} ({self.key_hint})", id=f"add-{self.logdef.key}")

    def on_mount(self) -> None:
        self.show(self.entries)

    def show(self, entries: list[LogEntry]) -> None:
        """Newest first; each entry wraps to the width there is (literal text, never markup)."""
        self.entries = entries
        options = self.query_one(OptionList)
        options.clear_options()
        for index, entry in sorted(enumerate(entries), key=lambda pair: pair[1].at, reverse=True):
            line = Text()
            line.append(fmt_local(entry.at), style="bold")
            line.append(f"  {describe(self.logdef, entry)}")
            line.append(f"  ({entry.by.name})", style="dim")
            options.add_option(Option(line, id=str(index)))
        options.display = bool(entries)

    @on(Button.Pressed)
    def _add(self, event: Button.Pressed) -> None:
        event.stop()
        self.post_message(self.AddRequested(self.logdef.key))

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.post_message(self.EntryChosen(self.logdef.key, int(str(event.option.id))))
