"""Bytes from the terminal to key presses: Textual's Linux/macOS driver, with four faults put right
(issue 10, items 4, 5, 15 and 19; tests in tests/test_terminal_input.py).

- Item 4. Textual decodes input strictly as UTF-8, and the input thread died on the first other byte (the
  app vanished, exit status 0). A byte that is not UTF-8 is read as Latin-1 (a terminal set to ISO-8859-1
  sends 0xA3 for '£'); C1 controls (0x80-0x9F, e.g. the 8-bit CSI 0x9B) are dropped. If the input thread
  dies anyway, the app stops with a crash report and exit status 1.
- Item 5. Textual's parser collects a bracketed paste only up to the first ESC in it and replays the rest
  as key presses (ESC then Ctrl+Q quit the app). Everything between ESC[200~ and ESC[201~ is one Paste.
- Item 15. ESC followed within 100 ms by a character was read as Alt+character, and Textual maps ESC+digit
  to a macOS Option character ('¡' for 1). Here ESC followed by anything but '[' or 'O' (which start the
  sequences terminals send for keys) is the Escape key, then that key: a quick Escape then 1 leaves the
  form, then acts as 1. It never types a character nobody typed. The cost: Alt+key and Option-as-Meta
  keys sent as ESC+key (PuTTY's Alt+B, macOS Terminal's Option+arrow as ESC b / ESC f) are Escape then
  the key too. ophamp binds no Alt keys; terminals using the kitty keyboard protocol are unaffected.
- Item 19. Textual picks the widget a key goes to when it takes the key, before it has dealt with the
  keys before it: Tab moves the focus only once it has bubbled back up to the app, so "name<TAB>1234"
  arriving together put "1234" into the name box (letters after Enter on a menu, or after picking from
  one, went astray the same way). Each key, paste and mouse button is handed over only once the app has
  finished with the one before, as if typed slowly: see ``_wait_until_settled``.
"""

from __future__ import annotations

import codecs
import os
import selectors
import sys
import time
from collections.abc import Generator
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout

from rich.text import Text
from textual import constants, events
from textual._parser import ParseError, ParseTimeout, Peek1, Read1, TokenCallback
from textual._xterm_parser import BRACKETED_PASTE_END, BRACKETED_PASTE_START, XTermParser
from textual.driver import Driver
from textual.message import Message
from textual.screen import Screen

from .crash import safe_report, user_message, write_report

try:
    from textual.drivers.linux_driver import LinuxDriver
except ImportError:  # Windows (no termios): Textual's own driver is used there, see driver_class()
    LinuxDriver = Driver  # type: ignore[assignment,misc]

ESC = "\x1b"
NO_C1 = dict.fromkeys(range(0x80, 0xA0))  # str.translate table: drop C1 controls
SETTLE_AFTER = (events.Key, events.Paste, events.MouseDown, events.MouseUp)
SETTLE_LIMIT = 3.0  # seconds: a key is handed over after this even if the app is still busy (opening the
# new-case form takes up to 1 s on a busy 2-core machine)


def _as_latin1(error: UnicodeError) -> tuple[str, int]:
    assert isinstance(error, UnicodeDecodeError)
    return error.object[error.start : error.end].decode("latin-1"), error.end


codecs.register_error("ophamp-latin1", _as_latin1)


class TerminalParser(XTermParser):
    """Textual's parser, fed through a filter that handles pastes and a lone ESC itself."""

    def parse(self, token_callback: TokenCallback) -> Generator[Read1 | Peek1, str, None]:
        inner = super().parse(lambda token: None if isinstance(token, events.Paste) else token_callback(token))
        awaiting = next(inner)
        last = ""  # the last few characters Textual's parser took, to see a paste start there
        pasted: list[str] | None = None
        while True:
            try:
                char = yield (self.read1() if pasted is not None else awaiting)
            except ParseError as error:  # a timeout (a lone ESC), or the end of input
                last = ""
                try:
                    awaiting = inner.throw(error)
                except StopIteration:
                    return
                continue
            if pasted is not None:
                pasted.append(char)
                if char == "~" and "".join(pasted[-6:]) == BRACKETED_PASTE_END:
                    token_callback(events.Paste("".join(pasted[:-6]).replace("\x00", "")))
                    pasted = None
                    for end_char in BRACKETED_PASTE_END:  # clears Textual's own paste state (its Paste is dropped)
                        awaiting = inner.send(end_char)
                continue
            if last.endswith(ESC) and char not in "[O" + ESC:
                awaiting = inner.throw(ParseTimeout())  # the ESC so far is the Escape key
                last = ""
            awaiting = inner.send(char)
            last = (last + char)[-6:]
            if last == BRACKETED_PASTE_START:
                pasted = []


class TerminalDriver(LinuxDriver):
    """Textual's Linux/macOS driver reading with ``TerminalParser``, decoding safely, one key at a time."""

    def _run_input_thread(self) -> None:
        try:
            self.run_input_thread()
        except BaseException as error:  # noqa: BLE001 - whatever it is, say so and stop with status 1
            path = write_report(safe_report(type(error), error.__traceback__))
            message = Text(user_message(type(error), path))
            try:
                self._loop.call_soon_threadsafe(self._app.exit, None, 1, message)
            except RuntimeError:  # the app has already gone
                pass

    def run_input_thread(self) -> None:
        """As Textual's (drivers/linux_driver.py), with our parser and decoder."""
        selector = selectors.SelectSelector()
        selector.register(self.fileno, selectors.EVENT_READ)
        parser = TerminalParser(self._debug)
        decoder = codecs.getincrementaldecoder("utf-8")(errors="ophamp-latin1")
        held_since: float | None = None  # when the decoder started holding the first bytes of a character

        def feed(text: str) -> None:
            text = text.translate(NO_C1)
            if text:  # an empty feed would end the parser
                for event in parser.feed(text):
                    self.process_message(event)

        try:
            while not self.exit_event.is_set():
                if selector.select(0.1):
                    feed(decoder.decode(os.read(self.fileno, 4096)))
                    held_since = (held_since or time.monotonic()) if decoder.getstate()[0] else None
                if held_since is not None and time.monotonic() - held_since > constants.ESCAPE_DELAY:
                    feed(decoder.decode(b"", final=True))  # a character never completed: a Latin-1 byte
                    held_since = None
                for event in parser.tick():
                    self.process_message(event)
        finally:
            selector.close()

    def process_message(self, message: Message) -> None:
        super().process_message(message)
        if isinstance(message, SETTLE_AFTER):
            self._wait_until_settled()

    def _wait_until_settled(self) -> None:
        """Wait (in the input thread) until the app has dealt with what it was given, or SETTLE_LIMIT.

        Settled: no message waiting in any widget, screen or the app, no callback waiting to run. Seen
        twice a moment apart, so a handler woken in between (e.g. a screen finishing its mount) counts.
        """
        deadline = time.monotonic() + SETTLE_LIMIT
        quiet = 0
        while quiet < 2 and time.monotonic() < deadline and not self.exit_event.is_set():
            answer: Future[bool] = Future()

            def check(answer: Future[bool] = answer) -> None:
                if answer.set_running_or_notify_cancel():
                    answer.set_result(self._settled())

            try:
                self._loop.call_soon_threadsafe(check)
                quiet = quiet + 1 if answer.result(timeout=0.05) else 0
            except FutureTimeout:  # too busy to answer: not settled
                answer.cancel()
                quiet = 0
            except RuntimeError:  # the event loop has closed
                return
            time.sleep(0.001)

    def _settled(self) -> bool:
        # Textual internals, pinned with textual==8.2.8: each message pump's queue, the message it has
        # peeked at, its call_next callbacks, and a screen's callbacks waiting for its next refresh.
        for node in (self._app, *self._app._registry):
            if node.message_queue_size or node._pending_message is not None or node._next_callbacks:
                return False
            if isinstance(node, Screen) and node._callbacks:
                return False
        return True


def driver_class() -> type[Driver] | None:
    """Ours where Textual would use its Linux/macOS terminal driver; otherwise None (Textual's choice:
    the web driver under ``ophamp serve``, which sets TEXTUAL_DRIVER, or Windows)."""
    if constants.DRIVER or sys.platform == "win32":
        return None
    return TerminalDriver
