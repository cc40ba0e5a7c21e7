"""One form field rendered from its FieldDef: a label, the control, and an inline error."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Checkbox, Input, Label, Select, SelectionList, TextArea

from ..data.checklist import FieldDef
from ..data.clock import fmt_local_input, from_iso
from .pick_select import PickSelect
from .safe_input import SafeInput, SafeTextArea
from .ticks import TickBox, TickList

TEXTAREA_SAVE_DELAY = 1.0  # seconds after typing stops in a long text box


def _date_text(value: Any) -> str:
    """A stored time in the form it is typed; anything else (a draft's "today 9") as it is."""
    if not value:
        return ""
    try:
        return fmt_local_input(from_iso(value))
    except (TypeError, ValueError):
        return str(value)


def dom_id(key: str) -> str:
    return "f-" + key.replace(".", "--")


def show_problems(rows: dict[str, FieldRow], problems: dict[str, str]) -> bool:
    """Show each row's problem (or clear it) and take the user to the first; True if there were any."""
    for key, row in rows.items():
        row.show_error(problems.get(key))
    first = next((key for key in rows if key in problems), None)
    if first is not None:
        rows[first].control.focus()
        rows[first].scroll_visible()
    return first is not None


class FieldRow(Vertical):
    """A labelled control that says when its value should be saved."""

    DEFAULT_CSS = """
    FieldRow { height: auto; margin: 0 0 1 0; }
    FieldRow .field-label { color: $text-muted; }
    FieldRow .field-label.-required { color: $text; }
    /* Which field has the cursor, without relying on colour (NO_COLOR, projectors): reverse video. */
    FieldRow.-focus .field-label { text-style: bold reverse; }
    FieldRow .field-error { color: $error; height: auto; width: 1fr; display: none; }
    FieldRow.-invalid .field-error { display: block; }
    FieldRow Input, FieldRow Select, FieldRow TextArea { background: $boost; }
    FieldRow Input:focus, FieldRow TextArea:focus { background: $surface-lighten-1; }
    FieldRow .field-help { color: $text-muted; text-style: italic; height: auto; width: 1fr; }
    FieldRow TextArea { height: 4; }
    FieldRow SelectionList { height: auto; max-height: 7; }
    """

    @dataclass
    class Edited(Message):
        """The user finished changing this field (left it, pressed Enter, or picked an option)."""

        row: FieldRow

        @property
        def control(self) -> FieldRow:
            return self.row

    def __init__(self, fdef: FieldDef, value: Any = None) -> None:
        super().__init__(id=dom_id(fdef.key) + "-row")
        self.fdef = fdef
        self.initial = value
        self.shown = value  # the stored value this row shows: what a save is checked against
        self.pending = 0  # saves of this row on their way (waiting for the store)
        self.last_sent: Any = None  # the value the latest of them writes
        self.prefilled = False  # shows the current user, not yet saved (saved with the step's first save)
        self.suggested = False  # a save of that suggestion is under way
        self._dirty = False
        self._ready = False  # controls post Changed while they mount; those are not edits
        self._timer: Timer | None = None

    def on_mount(self) -> None:
        self.call_after_refresh(self._set_ready)

    def _set_ready(self) -> None:
        self._ready = True

    def compose(self) -> ComposeResult:
        f = self.fdef
        mark = " *" if f.required or f.must_be_true else ""
        if f.kind != "bool":
            yield Label(Content(f.label + mark), classes="field-label" + (" -required" if mark else ""))
        cid = dom_id(f.key)
        v = self.initial
        if f.kind == "bool":
            yield TickBox(Content(f.label + mark), value=v is True, id=cid, compact=True)
        elif f.kind == "select":
            options = [(Text(text), value) for value, text in f.choices]  # Text: literal, and type-to-search reads it
            yield PickSelect(
                options,
                value=v if v in {c for _, c in options} else Select.NULL,
                prompt="— choose —",
                id=cid,
                compact=True,
            )
        elif f.kind == "multi":
            picked = set(v or [])
            yield TickList(*[(Content(text), value, value in picked) for value, text in f.choices], id=cid)
        elif f.kind == "longtext":
            yield SafeTextArea(
                str(v or ""), id=cid, soft_wrap=True, show_line_numbers=False, tab_behavior="focus", compact=True
            )
        else:
            text = _date_text(v) if f.kind == "datetime" else ("" if v is None else str(v))
            yield SafeInput(
                text,
                placeholder=f.placeholder or ("e.g. today 14:30" if f.kind == "datetime" else ""),
                id=cid,
                compact=True,
            )
        if f.help:
            yield Label(Content(f.help), classes="field-help")
        # The error line is added when there is an error: fewer widgets make a step open faster.

    @property
    def control(self) -> Widget:
        return self.query_one("#" + dom_id(self.fdef.key))

    def raw(self) -> Any:
        """What the control holds now, before parsing."""
        c = self.control
        if isinstance(c, Checkbox):
            return c.value
        if isinstance(c, Select):
            return None if c.is_blank() else c.value
        if isinstance(c, SelectionList):
            return list(c.selected)
        if isinstance(c, TextArea):
            return c.text
        assert isinstance(c, Input)
        return c.value

    def show_error(self, message: str | None) -> None:
        labels = self.query(".field-error").results(Label)
        label = next(labels, None)
        if label is not None:
            label.update(Content(message or ""))
        elif message:
            self.mount(Label(Content(message), classes="field-error"))
        self.set_class(bool(message), "-invalid")

    def show_value(self, value: Any, *, shown: bool = True) -> None:
        """Show the value as saved: a date in the standard form, text as cleaned and trimmed.

        With ``shown`` (the default) this is now the stored value the row shows; without it, only how
        the row looks changes (what the user typed, as it will be saved). Never counts as an edit."""
        if shown:
            self.shown = value
            self.prefilled = False  # a stored value replaces a suggestion
        c = self.control
        if isinstance(c, Input):
            text = _date_text(value) if self.fdef.kind == "datetime" else ("" if value is None else str(value))
            if c.value != text:
                with c.prevent(Input.Changed):
                    c.value = text
        elif isinstance(c, TextArea):
            if c.text != str(value or ""):
                with c.prevent(TextArea.Changed):
                    c.load_text(str(value or ""))
        elif isinstance(c, Checkbox):
            if c.value != (value is True):
                with c.prevent(Checkbox.Changed):
                    c.value = value is True
        elif isinstance(c, Select):
            wanted = value if value in {v for v, _ in self.fdef.choices} else Select.NULL
            if c.value != wanted:
                with c.prevent(Select.Changed):
                    c.value = wanted
        elif isinstance(c, SelectionList):
            wanted_set = set(value or [])
            if set(c.selected) != wanted_set:
                with c.prevent(SelectionList.SelectedChanged):
                    c.deselect_all()
                    for item in wanted_set:
                        c.select(item)

    @property
    def dirty(self) -> bool:
        return self._dirty

    def mark_saved(self) -> None:
        self._dirty = False
        self.prefilled = False

    def mark_sent(self, value: Any) -> None:
        """``value`` is on its way to the store: no longer an unsaved change (typing on makes one)."""
        self.pending += 1
        self.last_sent = value
        self._dirty = False
        self.prefilled = False

    def prefill(self, value: Any) -> None:
        """Show ``value`` as a suggestion: saved with the step's first real save, or when it is marked done."""
        self.show_value(value, shown=False)
        self.prefilled = True

    def mark_changed(self) -> None:
        self._dirty = True

    def _edited(self) -> None:
        self.post_message(self.Edited(self))

    @on(Input.Changed)
    def _typing(self, event: Input.Changed) -> None:
        event.stop()
        if self._ready:
            self._dirty = True

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._edited()
        self.screen.focus_next()

    @on(Input.Blurred)
    def _blurred(self, event: Input.Blurred) -> None:
        event.stop()
        if self._dirty:
            self._edited()

    @on(Select.Changed)
    @on(Checkbox.Changed)
    @on(SelectionList.SelectedChanged)
    def _picked(self, event: Message) -> None:
        event.stop()
        if self._ready:
            self._dirty = True
            self._edited()
            if isinstance(event, Select.Changed) and not getattr(event.select, "picked_by_typing", False):
                # Picked from the open menu: on to the next field, as Enter does in a text box. Queued behind
                # the Select's own focus() (the menu handing focus back), not on a timer: a key pressed in
                # between would go to the Select, and the terminal driver waits for queued work, not for timers.
                self.app.call_later(self._advance)

    def _advance(self) -> None:
        chain = self.screen.focus_chain
        if self.control in chain and self.control.has_focus:
            index = chain.index(self.control)
            if index + 1 < len(chain):
                chain[index + 1].focus()

    @on(TextArea.Changed)
    def _text_changed(self, event: TextArea.Changed) -> None:
        event.stop()
        if not self._ready:
            return
        self._dirty = True
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(TEXTAREA_SAVE_DELAY, self._edited)

    def on_descendant_focus(self, event) -> None:
        self.add_class("-focus")

    def on_descendant_blur(self, event) -> None:
        self.remove_class("-focus")
        if isinstance(event.widget, TextArea) and self._dirty:
            self._edited()
