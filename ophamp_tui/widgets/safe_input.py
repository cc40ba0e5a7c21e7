"""Text boxes that never take in terminal control characters, however the text arrives (typed or pasted)."""

from __future__ import annotations

from textual.widgets import Input, TextArea

from ..data.text import strip_controls


class SafeInput(Input):
    def insert_text_at_cursor(self, text: str) -> None:
        super().insert_text_at_cursor(strip_controls(text))

    def replace(self, text: str, start: int, end: int) -> None:
        super().replace(strip_controls(text), start, end)


class SafeTextArea(TextArea):
    def _replace_via_keyboard(self, insert: str, start, end):  # every typed or pasted edit comes through here
        return super()._replace_via_keyboard(strip_controls(insert, multiline=True), start, end)
