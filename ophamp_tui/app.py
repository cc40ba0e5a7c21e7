"""The Textual application: who is using it, the store, and the screens."""

from __future__ import annotations

import asyncio
import gc
import os
import signal
import sys
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import cast

from rich.text import Text
from textual import on, work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.dom import DOMNode
from textual.message import Message
from textual.reactive import var
from textual.screen import Screen
from textual.widgets import Header
from textual.worker import get_current_worker

from .crash import safe_report, user_message, write_report
from .data import presence
from .data.atomic import WriteFailed, atomic_write
from .data.clock import now_utc
from .data.identity import load_identity, load_place, load_theme, save_identity, save_theme
from .data.models import Actor
from .data.paths import FolderNotPrivate, private_folder, training_output_dir, training_session_dir
from .data.paths import config_dir as default_config_dir
from .data.scenarios import load_scenarios
from .data.store_api import CaseStore, StoreError
from .data.training_reset import reset_all, reset_scenario, scenario_for
from .pictures import png_converter, svg_to_png
from .saver import Saver
from .screens.carry_on import offer_to_carry_on, remember_place
from .screens.confirm import ConfirmScreen
from .screens.dashboard import DashboardScreen
from .screens.help import HelpScreen
from .screens.home import HomeScreen
from .screens.identity import IdentityScreen
from .screens.reason import ask_for_folder
from .screens.rebuilding import RebuildingScreen
from .screens.scenario_picker import ScenarioPickerScreen
from .screens.too_small import TooSmallScreen, too_small
from .terminal import driver_class
from .themes import DEFAULT as DEFAULT_THEME
from .themes import HIGH_CONTRAST

_heap_frozen = False  # see OpHampApp._freeze_startup_heap


BROWSER_ICON = "◊"  # in Roboto Mono (the font ophamp serve's page brings) and every common font


def in_browser() -> bool:
    """True when ``ophamp serve`` runs this app for a browser tab (textual-serve's web driver)."""
    return os.environ.get("TEXTUAL_DRIVER", "").endswith(":WebDriver")


class OpHampApp(App[None]):
    TITLE = "Op Hampshire"
    CSS_PATH = "app.tcss"
    ENABLE_COMMAND_PALETTE = True
    BINDINGS = [
        Binding("f1", "help", "Help", id="help", tooltip="List the keys of this screen"),
        Binding("question_mark", "help", "Help", show=False, id="help-alt", tooltip="List the keys of this screen"),
        # Priority: these work on every screen, dialogs included (a dialog cuts off the app's other keys).
        Binding(
            "ctrl+q",
            "quit",
            "Quit",
            id="quit",
            priority=True,
            tooltip="Quit: saves what you were typing first, and says if anything could not be saved",
        ),
        Binding(
            "f10",
            "toggle_contrast",
            "Contrast",
            show=False,
            id="contrast",
            priority=True,
            tooltip="Switch to a light, high-contrast theme for projectors, and back",
        ),
        Binding(
            "f12",
            "screenshot_to",
            "Screenshot",
            show=False,
            id="screenshot",
            priority=True,
            tooltip="Save a picture (SVG, and PNG) of this screen, e.g. for slides (training: into its own folder)",
        ),
        Binding(
            "ctrl+o",
            "reveal",
            "Reveal",
            show=False,
            id="reveal",
            tooltip="Learner mode: show the guidance, next step and overdue hints (and hide them again)",
        ),
    ]
    TRAINING_BANNER = "TRAINING — FICTIONAL DATA"

    #: Who is using ophamp: recorded with every change, shown in the header.
    user: var[Actor | None] = var(None, init=False)
    #: Overdue items across all cases, shown in the header.
    overdue: var[int] = var(0, init=False)
    #: Saves queued behind another ophamp's (see saver.py), shown until they are in the store.
    waiting_saves: var[int] = var(0, init=False)
    #: Why the store cannot be reached (a database server stopped or restarting); "" while it can.
    store_unreachable: var[str] = var("", init=False)

    def __init__(
        self,
        store: CaseStore,
        *,
        config_dir: Path | None = None,
        clock: Callable[[], datetime] = now_utc,
        training: bool = False,
    ) -> None:
        super().__init__(driver_class=driver_class())
        if "TEXTUAL_ANIMATIONS" not in os.environ:
            # No smooth scrolling or fades: each Tab is drawn once, not over a fifth of a second (which
            # also spares a remote session the bytes).
            self.animation_level = "none"
        self.store = store
        self.training = training
        if in_browser():
            # Textual's header icon (⭘) is in no common font: a browser tab would show a missing glyph.
            # This process is one tab's: its headers start with one the page's font has (from the first frame).
            Header.icon._default = BROWSER_ICON
        self.screenshot_dir = self._own_screenshot_dir = Path.home() / "ophamp-screenshots"
        if training:
            self.title = f"{self.TRAINING_BANNER} · Op Hampshire"
            # Training has its own identity file: switching user in a class never changes the live one.
            self.config_dir = config_dir or training_session_dir()
            if self.config_dir.resolve() == default_config_dir().resolve():
                raise ValueError("training mode never uses the live identity")
        else:
            self.config_dir = config_dir or default_config_dir()
        self.clock = clock
        self.set_reactive(OpHampApp.user, load_identity(self.config_dir))
        self.saver = Saver(self._post, self._saves_waiting, self._store_reachable)
        self._event_loop: asyncio.AbstractEventLoop | None = None
        self.not_saved_at_exit: list[str] = []  # said on the terminal after a signal made ophamp stop
        self._stopping = False
        self._leaving = False
        #: Training's learner mode (a quiz): guidance, the next-step marker and overdue hints hidden...
        self.learner_mode = False
        #: ...until the trainer reveals them (Ctrl+O), for the screen on view and those opened after.
        self.revealed = False
        #: F4 on a step form: the guidance panel kept shown (True) or hidden (False) on the next steps too.
        self.guidance_shown: bool | None = None

    def _fatal_error(self) -> None:
        """Crash without Textual's report of local variables: they would hold personal data."""

        exc_type, _exc, tb = sys.exc_info()
        self.bell()
        path = write_report(safe_report(exc_type, tb))
        self._exit_renderables.append(Text(user_message(exc_type, path)))
        self._close_messages_no_wait()

    def update_styles(self, node: DOMNode, animate: bool = True) -> None:
        # A widget not yet mounted is styled when it is mounted. Textual restyles it at every class
        # change before that too (``compact=True`` on each Input, Select, TextArea, tick box and button
        # as it is made): about a quarter of the styling of a new form, for nothing.
        if node is not self and node._parent is None:
            return
        super().update_styles(node, animate)

    def _post(self, fn: Callable[..., object], *args: object) -> None:
        """Run ``fn(*args)`` on the UI thread soon, from any thread, without waiting for it."""
        if self._event_loop is not None:
            self._event_loop.call_soon_threadsafe(fn, *args)

    def on_mount(self) -> None:
        self._start_place = load_place(self.config_dir)  # where the user left off, before they move
        loop = self._event_loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGHUP):
            loop.add_signal_handler(sig, self._stop_on_signal)  # closing the window: save first
        self.register_theme(HIGH_CONTRAST)
        chosen = load_theme(self.config_dir)
        if chosen in self.available_themes:
            self.theme = chosen
        self.set_class(self.training, "-training")
        if self.store.needs_rebuild:  # the index was lost: made again with a progress bar, then the list
            self.push_screen(RebuildingScreen(self.store))
        else:
            self._open_home()
            self._check_store()
        self.screen_change_signal.subscribe(self, self._screen_changed)
        self._show_user()
        self._tell_about_others()
        self._tell_about_store()
        self.store.register_session(self.user, training=self.training)
        self._watch_store()

    class StoreChanged(Message):
        """Someone saved to the store (another ophamp, or this one): the screens showing it look again."""

    LIVE_POLL = 0.25  # seconds between looks at the store (and the longest wait to stop when quitting)

    @work(thread=True, group="store-watch", exit_on_error=False)
    def _watch_store(self) -> None:
        """Live updates: when anyone saves, the list, the case and the step form on screen follow within
        a second, without a keypress (TinyDB: the index files' sizes; PostgreSQL: LISTEN/NOTIFY)."""
        worker = get_current_worker()
        down = False
        while not worker.is_cancelled:
            try:
                changed = self.store.wait_for_change(self.LIVE_POLL)
            except StoreError as exc:  # the database cannot be reached: said once, and tried again
                changed = False
                if not down:
                    down = True
                    self._post(self._store_reachable, str(exc))
                worker.cancelled_event.wait(1.0)
                continue
            except Exception:  # noqa: BLE001 - live updates are a help: the screens still refresh as before
                changed = False
                worker.cancelled_event.wait(1.0)
            if down:  # heard from it again
                down = False
                self._post(self._store_reachable, None)
            if changed and not worker.is_cancelled:
                self.post_message(self.StoreChanged())

    @on(StoreChanged)
    def _store_changed(self) -> None:
        # The screen in view, and the list (its count is in the header); screens below look again when
        # they are shown.
        for screen in self.screen_stack:
            if screen is not self.screen and not isinstance(screen, HomeScreen):
                continue
            hook = getattr(screen, "store_changed", None)
            if callable(hook):
                hook()

    def _open_home(self, *, replacing: Screen | None = None) -> None:
        """The case list; then who is using ophamp (first start) or the offer to carry on."""
        home = HomeScreen(self.store)
        if replacing is None:
            self.push_screen(home)
        else:
            while self.screen is not replacing and len(self.screen_stack) > 1:
                self.pop_screen()  # help or a too-small notice, opened while the list was being made
            self.switch_screen(home)
            if too_small(self.size.width, self.size.height):
                self.push_screen(TooSmallScreen())
        self.call_after_refresh(self._freeze_startup_heap)
        if self.user is None:
            self.push_screen(IdentityScreen(None, first_start=True), self._identity_chosen)
        else:
            self.call_after_refresh(self._carry_on)

    @on(RebuildingScreen.Done)
    def _rebuilt(self, message: RebuildingScreen.Done) -> None:
        self._open_home(replacing=message.rebuilding)
        if message.problem:
            self._store_problem(message.problem)

    @work(thread=True, group="store-check", exit_on_error=False)
    def _check_store(self) -> None:
        """The index was there: check it against the case files anyway (names and sizes, quick), so cases
        changed behind the store's back are listed as they are now; then bring the list up to date."""
        try:
            self.store.rebuild()
        except StoreError as exc:
            self.call_from_thread(self._store_problem, str(exc))
        except OSError as exc:
            self.call_from_thread(
                self._store_problem, f"The case list could not be checked: {exc.strerror or type(exc).__name__}."
            )
        else:
            self.call_from_thread(self._store_checked)

    def _store_checked(self) -> None:
        home = self._home()
        if home is not None and home.cases is not None:
            home.reload()

    def _store_problem(self, problem: str) -> None:
        self.notify(problem, title="The case list", severity="error", markup=False, timeout=30)

    def _freeze_startup_heap(self) -> None:
        """The store's index and the case list, made at start, live as long as the app: out of Python's
        full garbage collections, which walked them all (100-200 ms a time at 10,000 cases, several
        times in a new case and two steps). No collection first: that would be such a pause here.
        Frozen objects are still freed when nothing refers to them any more. Once a process (tests make
        many apps in one: the garbage of earlier ones is not frozen with it)."""
        global _heap_frozen
        if not _heap_frozen:
            _heap_frozen = True
            gc.freeze()

    def on_resize(self, event) -> None:
        """Below a usable size, say so instead of showing a squashed screen; carry on when it grows."""

        small = too_small(event.size.width, event.size.height)
        showing = isinstance(self.screen, TooSmallScreen)
        if small and not showing:
            self.push_screen(TooSmallScreen())
        elif small and showing:
            cast(TooSmallScreen, self.screen).show_size(event.size.width, event.size.height)
        elif showing:
            self.pop_screen()

    def on_unmount(self) -> None:
        self.store.unregister_session()

    def _tell_about_store(self) -> None:
        """What the store found on opening: read-only, a remade store.json, an index file it cannot use."""
        for notice in self.store.notices:
            self.notify(notice, title="About this store", severity="warning", markup=False, timeout=30)

    def _tell_about_others(self) -> None:
        """A second ophamp on the same store is told plainly what that means."""
        others = self.store.other_sessions()
        if others:
            names = "; ".join(presence.describe(o) for o in others)
            self.notify(
                f"This store is also open by: {names}. You can both work: every field is saved as you leave "
                "it, and if you both change the same field the second person is told and shown the new value.",
                title="Someone else has this store open",
                severity="warning",
                markup=False,
                timeout=20,
            )

    # --- who is using it --------------------------------------------------------------------------

    def _show_user(self) -> None:
        who = self.user.short() if self.user else "Who are you?"
        parts = [who]
        if self.overdue and not self.hiding_answers:
            parts.append(f"{self.overdue} overdue")
        if self.store_unreachable:
            held = self.waiting_saves
            parts.append("database down" + (f": {held} held" if held else ""))  # fits at 80 columns
        elif self.waiting_saves:
            parts.append(f"{self.waiting_saves} waiting: store busy")
        self.sub_title = " · ".join(parts)

    def _store_reachable(self, problem: str | None) -> None:
        """The store cannot be reached (``problem``: its one-line message), or can again (None); told by
        the saver and by the live-update watcher, whichever notices first."""
        if problem:
            if not self.store_unreachable:
                self.notify(
                    f"{problem} Your changes are held and saved when it is back: carry on (keep ophamp open).",
                    title="Database unreachable",
                    severity="error",
                    markup=False,
                    timeout=20,
                )
            self.store_unreachable = problem
            return
        if not self.store_unreachable:
            return
        self.store_unreachable = ""
        held = self.saver.waiting
        self.notify(
            "The database can be reached again"
            + (f": saving the {held} held change{'s' if held != 1 else ''} now." if held else "."),
            title="Database back",
            markup=False,
            timeout=8,
        )
        self.saver.retry_now()
        self.post_message(self.StoreChanged())  # what others saved meanwhile was not heard: look again

    def _saves_waiting(self, count: int) -> None:
        """Saves queued behind another ophamp's (see saver.py): shown until they are in the store."""
        if count and not self.waiting_saves and not self.store_unreachable:
            self.notify(
                "Another ophamp is saving to this store (e.g. ophamp seed). Your changes are kept and "
                "saved, in order, as soon as it finishes: carry on.",
                title="Waiting for the store",
                severity="warning",
                markup=False,
                timeout=8,
            )
        self.waiting_saves = count

    # --- quitting: save first ------------------------------------------------------------------------

    def save_everything(self) -> list[str]:
        """Save what every open screen holds (as Escape does); what could not be saved, in words."""
        problems: list[str] = []
        for screen in reversed(self.screen_stack):
            unsaved = getattr(screen, "unsaved", None)
            if callable(unsaved):
                problems += unsaved()
        return problems

    def after_typing(self, callback: Callable[[], object]) -> None:
        """Run ``callback`` once the keys already sent to the focused field are in it.

        Ctrl+Q (and a signal) are handled by the app at once, while the characters typed just before
        still wait in the field's queue: saving first would save half a word."""
        focused = self.focused
        if focused is not None and focused.is_attached:
            focused.call_later(callback)
        else:
            callback()

    async def action_quit(self) -> None:
        self.after_typing(self._quit)

    def _quit(self) -> None:
        problems = self.save_everything()
        if problems:
            question = ConfirmScreen(
                "Not saved: " + "; ".join(problems) + ". Quit anyway and lose it?",
                yes="Quit anyway",
                no="Stay and fix it",
            )
            self.push_screen(question, self._quit_confirmed)
            return
        self._quit_when_saved()

    def _quit_confirmed(self, quit_anyway: bool | None) -> None:
        if quit_anyway:
            self._quit_when_saved()

    def _quit_when_saved(self) -> None:
        held = self.saver.waiting
        if held and self.store_unreachable:  # waiting would not end: ask, never drop them unsaid
            question = ConfirmScreen(
                f"{held} change{'s are' if held != 1 else ' is'} held: the database cannot be reached. "
                "Quit anyway and lose them?",
                yes="Quit anyway",
                no="Stay until it is back",
            )
            self.push_screen(question, self._quit_losing_held)
            return
        if self.saver.waiting:
            self.notify(
                "Quitting as soon as your changes are saved (another ophamp is using the store).",
                title="Saving",
                markup=False,
            )
            self.run_worker(self._wait_then_exit, thread=True, exclusive=True, group="quit")
            return
        self.exit()

    def _quit_losing_held(self, quit_anyway: bool | None) -> None:
        if quit_anyway:
            self.exit()

    def _wait_then_exit(self) -> None:
        self.saver.wait_idle(120)
        self.call_from_thread(self.exit)

    def _stop_on_signal(self) -> None:
        """The window was closed (SIGHUP) or the system is stopping ophamp (SIGTERM): nobody can be asked."""
        self.after_typing(self._stop_now)
        self.set_timer(5, self._stop_now)  # whatever happens, stop

    def _stop_now(self) -> None:
        if self._stopping:
            return
        self._stopping = True
        try:
            self.not_saved_at_exit = self.save_everything()
        finally:
            self.saver.wait_idle(30)
            self.exit(return_code=0)

    def watch_user(self) -> None:
        self._show_user()

    def watch_overdue(self) -> None:
        self._show_user()

    def watch_waiting_saves(self) -> None:
        self._show_user()

    def watch_store_unreachable(self) -> None:
        self._show_user()

    def _identity_chosen(self, who: Actor | None) -> None:
        if who is None:
            return
        self.store.register_session(who, training=self.training)
        try:
            save_identity(self.config_dir, who)
        except OSError:
            self.notify(
                "Could not remember you on this workstation; you will be asked again next time.", severity="warning"
            )
        self.user = who  # the header follows
        self.notify(f"Working as {who.short()}", markup=False)
        self._carry_on()

    def action_toggle_contrast(self) -> None:
        self.theme = DEFAULT_THEME if self.theme == HIGH_CONTRAST.name else HIGH_CONTRAST.name
        save_theme(self.config_dir, self.theme)
        self.notify(
            "High contrast: on (F10 turns it off)."
            if self.theme == HIGH_CONTRAST.name
            else "High contrast: off (F10 turns it on).",
            markup=False,
        )

    def _carry_on(self) -> None:
        offer_to_carry_on(self, self._start_place)

    def _screen_changed(self, screen: Screen) -> None:
        if not self._leaving:  # closing down pops every screen: that is not the user moving
            remember_place(self, screen)

    def exit(self, *args, **kwargs) -> None:  # type: ignore[override]
        self._leaving = True
        super().exit(*args, **kwargs)

    def action_switch_user(self) -> None:
        self.push_screen(IdentityScreen(self.user), self._identity_chosen)

    def require_user(self) -> Actor | None:
        """The current user, or ask for one (and return None for now)."""
        if self.user is None:
            self.action_switch_user()
        return self.user

    # --- actions and commands --------------------------------------------------------------------

    @property
    def training_output(self) -> Path | None:
        """Where training writes exports and pictures without asking: its own folder. None when live."""
        return training_output_dir(self.config_dir) if self.training else None

    def action_screenshot_to(self) -> None:
        ask_for_folder(
            self,
            "a picture of this screen (SVG, and PNG where it can)",
            self.screenshot_dir,
            "Save picture",
            self._save_screenshot,
        )

    def _save_screenshot(self, folder: Path) -> None:
        """The picture can show a victim's name: 0600, in a folder only you can open (0700). The file name
        is plain ASCII (no title, so no "—" or "·"); a PNG is made beside it where a converter exists."""

        ours = folder in (self.training_output, self._own_screenshot_dir)
        path = folder / f"ophamp-{'training-' if self.training else ''}{datetime.now():%Y%m%d-%H%M%S-%f}.svg"
        svg = self.export_screenshot()
        try:
            private_folder(folder, ours=ours)
            atomic_write(path, svg.encode("utf-8"))
        except (WriteFailed, FolderNotPrivate) as exc:
            self.notify(f"Picture not saved: {exc}", severity="error", markup=False, timeout=15)
            return
        except OSError as exc:
            self.notify(
                f"Could not save the picture in {folder}: {exc.strerror or type(exc).__name__}.",
                severity="error",
                markup=False,
                timeout=15,
            )
            return
        self.screenshot_dir = folder
        if png_converter() is None:
            self.notify(f"Saved {path}", title="Screenshot", markup=False)
        else:
            self._save_png(path, svg)

    @work(thread=True, group="screenshot-png", exit_on_error=False)
    def _save_png(self, svg_path: Path, svg: str) -> None:
        png = svg_path.with_suffix(".png")
        try:
            atomic_write(png, svg_to_png(svg))
        except (OSError, ValueError, WriteFailed) as exc:
            said = f"Saved {svg_path} (no PNG: {exc})"
        else:
            said = f"Saved {svg_path} and {png.name}"
        self.call_from_thread(self.notify, said, title="Screenshot", markup=False)

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def _home(self) -> HomeScreen | None:
        for screen in self.screen_stack:
            if isinstance(screen, HomeScreen):
                return screen
        return None

    def action_new_case(self) -> None:
        home = self._home()
        if home is not None:
            while self.screen is not home:
                self.pop_screen()
            home.action_new_case()

    def action_find_case(self) -> None:
        home = self._home()
        if home is not None:
            while self.screen is not home:
                self.pop_screen()
            home.action_find()

    def action_dashboard(self) -> None:
        if not isinstance(self.screen, DashboardScreen):
            self.push_screen(DashboardScreen())

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "reveal":
            return self.training and self.learner_mode
        return True

    # --- the trainer's controls (training only) -----------------------------------------------------

    @property
    def hiding_answers(self) -> bool:
        """Learner mode and not revealed: screens leave out guidance, ▶ and overdue hints."""
        return self.training and self.learner_mode and not self.revealed

    def _refresh_answers(self) -> None:
        self.refresh_bindings()
        self._show_user()
        for screen in self.screen_stack:
            hook = getattr(screen, "answers_changed", None)
            if callable(hook):
                hook()

    def action_learner_mode(self) -> None:
        self.learner_mode = not self.learner_mode
        self.revealed = False
        self.guidance_shown = None
        self._refresh_answers()
        self.notify(
            "Learner mode: on. Guidance, the next step (▶) and overdue hints are hidden; Ctrl+O reveals them."
            if self.learner_mode
            else "Learner mode: off. Guidance and hints are shown.",
            title="Training",
            markup=False,
        )

    def action_reveal(self) -> None:
        if not (self.training and self.learner_mode):
            return
        self.revealed = not self.revealed
        self.guidance_shown = None
        self._refresh_answers()
        self.notify(
            "Answers shown (Ctrl+O hides them again)." if self.revealed else "Answers hidden (Ctrl+O shows them).",
            title="Learner mode",
            markup=False,
        )

    def action_pick_scenario(self) -> None:
        try:
            scenarios = [(s.case_id, s.title) for s in load_scenarios(self.clock())]
        except StoreError as exc:
            self._store_problem(str(exc))
            return
        self.push_screen(ScenarioPickerScreen(scenarios), self._scenario_picked)

    def _scenario_picked(self, case_id: str | None) -> None:
        home = self._home()
        if not case_id or home is None:
            return
        while self.screen is not home:
            self.pop_screen()
        home.open_case(case_id)

    def _open_case_id(self) -> str | None:
        """The case of the screen on view or under it (the case, a step, its history): None on the list."""
        for screen in reversed(self.screen_stack):
            case_id = getattr(screen, "case_id", None)
            if isinstance(case_id, str):
                return case_id
        return None

    def _others_warning(self) -> str:
        others = self.store.other_sessions()
        if not others:
            return ""
        names = "; ".join(presence.describe(o) for o in others)
        return (
            f"Also open by: {names}. Their screens change to the reset scenarios as they stand, "
            "and what they are typing there is lost."
        )

    def action_reset_scenario(self) -> None:
        case_id = self._open_case_id()
        found = scenario_for(case_id, self.clock()) if case_id else None
        if case_id is None or found is None:
            self.notify(
                "Open a scenario first (Ctrl+P, Open scenario): this resets the one on screen.",
                title="Reset this scenario",
                markup=False,
            )
            return
        question = ConfirmScreen(
            f"Put '{found[0]}' back as it was? Everything the class did to it goes; other cases are kept.",
            yes="Reset it",
            no="Keep it",
            detail=self._others_warning(),
        )
        self.push_screen(question, lambda yes: self._reset(case_id) if yes else None)

    def action_reset_all(self) -> None:
        question = ConfirmScreen(
            "Put every scenario back as it was? Every case the class changed or added goes.",
            yes="Reset all",
            no="Keep them",
            detail=self._others_warning(),
        )
        self.push_screen(question, lambda yes: self._reset(None) if yes else None)

    def _reset(self, case_id: str | None) -> None:
        """Back to the list (what is open is not saved over the reset), reset under the store's lock."""
        home = self._home()
        if home is None:
            return
        while self.screen is not home:
            self.pop_screen()
        try:
            if case_id is None:
                count = reset_all(self.store, self.clock())
                said = f"All {count} scenarios are back as they were."
            else:
                said = f"'{reset_scenario(self.store, case_id, self.clock())}' is back as it was."
        except StoreError as exc:
            self.notify(str(exc), title="Not reset", severity="error", markup=False, timeout=20)
            return
        home.reload()
        self.post_message(self.StoreChanged())
        self.notify(said, title="Training", markup=False)
        if case_id is not None:
            home.open_case(case_id)

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        if self.training:
            yield SystemCommand("Open scenario", "Training: pick a scenario by its title", self.action_pick_scenario)
            yield SystemCommand(
                "Reset this scenario", "Training: the scenario on screen back as it was", self.action_reset_scenario
            )
            yield SystemCommand("Reset all scenarios", "Training: every scenario back as it was", self.action_reset_all)
            yield SystemCommand(
                "Learner mode",
                "Training quiz: hide guidance, next step and overdue hints (Ctrl+O reveals); or back",
                self.action_learner_mode,
            )
        yield SystemCommand("New case", "Log a new assault on a colleague", self.action_new_case)
        yield SystemCommand("Find case", "Filter the case list by victim, offence or reference", self.action_find_case)
        yield SystemCommand("Dashboard", "Cases, outcomes, missed steps, RUI", self.action_dashboard)
        yield SystemCommand("Switch user", "Change who is recorded as making changes", self.action_switch_user)
        yield SystemCommand("Help", "The keys of this screen", self.action_help)
        yield SystemCommand(
            "High contrast", "A light, high-contrast theme for projectors (F10), or back", self.action_toggle_contrast
        )
        yield SystemCommand(
            "Screenshot", "Save a picture of this screen (SVG and PNG) for slides", self.action_screenshot_to
        )
        for command in super().get_system_commands(screen):
            if command.title != "Screenshot":  # Textual's own writes 0644 wherever it likes: ours only
                yield command
