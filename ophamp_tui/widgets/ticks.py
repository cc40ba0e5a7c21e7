"""Tick boxes that say ticked or not without colour: X when ticked, blank when not.

Textual draws an X in every box and tells ticked from unticked by colour alone, which a monochrome
terminal (NO_COLOR), a projector or a colour-blind reader cannot see.
"""

from __future__ import annotations

from rich.segment import Segment
from textual.content import Content
from textual.strip import Strip
from textual.widgets import Checkbox, SelectionList
from textual.widgets._toggle_button import ToggleButton

UNTICKED = " "


class TickBox(Checkbox):
    @property
    def _button(self) -> Content:
        self.BUTTON_INNER = ToggleButton.BUTTON_INNER if self.value else UNTICKED
        return super()._button


class TickList(SelectionList[str]):
    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        segments = list(strip)
        for index, segment in enumerate(segments[:3]):
            if segment.text != ToggleButton.BUTTON_INNER or segment.style is None:
                continue
            option = (segment.style.meta or {}).get("option")
            if option is not None and self.get_option_at_index(option).value not in self.selected:
                segments[index] = Segment(UNTICKED, segment.style)
            break
        return Strip(segments, strip.cell_length)
