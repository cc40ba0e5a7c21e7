"""A menu that picks by typing while it is closed, as a menu on a web form does.

With the menu closed, letters and digits pick the option they match (the same rule as typing in the
open menu: the option where the typed text comes earliest, typed within a second counts as one word;
never the "— choose —" line, which the open menu can land on),
and the field stays, so a wrong first guess can be typed again. Enter then goes on to the next field.
Enter on a menu that was not typed into opens it, as before; Tab goes on as always.

A trained user picks "Custody" with ``c Enter`` instead of ``Enter c Enter``, and the menu never has to
be drawn: the quickest key and the quickest screen.
"""

from __future__ import annotations

import time
from typing import Any

from rich.text import Text
from textual import events
from textual.widgets import Select

TYPED_WORD_GAP = 1.0  # seconds: letters typed closer together than this are one word


def best_match(prompts: list[str], typed: str) -> int | None:
    """The index of the prompt where ``typed`` comes earliest (the first such prompt); None if none."""
    typed = typed.lower()
    best: int | None = None
    earliest: int | None = None
    for index, prompt in enumerate(prompts):
        at = prompt.lower().find(typed)
        if at != -1 and (earliest is None or at < earliest):
            best, earliest = index, at
    return best


class PickSelect(Select[Any]):
    """``picked_by_typing`` is True while the value shown was picked by typing (until the menu opens or
    the field is left): the row then does not move on by itself, and Enter moves on."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.picked_by_typing = False
        self._typed = ""
        self._typed_at = 0.0

    def _choices(self) -> list[tuple[str, Any]]:
        found = []
        for prompt, value in self._options:
            if value is Select.NULL:
                continue
            found.append((prompt.plain if isinstance(prompt, Text) else str(prompt), value))
        return found

    async def _on_key(self, event: events.Key) -> None:
        if self.expanded:
            return  # the open menu does its own searching
        if event.key == "enter" and self.picked_by_typing:
            event.stop()
            event.prevent_default()
            self.picked_by_typing = False
            self.screen.focus_next()
            return
        char = event.character
        if char is None or not char.isalnum():
            return
        event.stop()
        event.prevent_default()
        now = time.monotonic()
        typed = (self._typed if now - self._typed_at < TYPED_WORD_GAP else "") + char
        choices = self._choices()
        index = best_match([p for p, _ in choices], typed)
        if index is None and len(typed) > 1:  # a new word: start again from this letter
            typed = char
            index = best_match([p for p, _ in choices], typed)
        self._typed, self._typed_at = typed, now
        if index is None:
            self.app.bell()
            return
        self.picked_by_typing = True
        self.value = choices[index][1]

    def _watch_expanded(self, expanded: bool) -> None:
        if expanded:
            self.picked_by_typing = False
        super()._watch_expanded(expanded)

    def _on_blur(self, event: events.Blur) -> None:
        self.picked_by_typing = False
        self._typed = ""
