"""The Textual application: who is using it, the store, and the screens."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from .data import presence
from .data.clock import now_utc
from .data.identity import load_identity, save_identity
from .data.models import Actor
from .data.paths import config_dir as default_config_dir
from .data.store import Store
from .screens.help import HelpScreen
from .screens.home import HomeScreen
from .screens.identity import IdentityScreen


class OpHampApp(App[None]):
    TITLE = "Op Hampshire"
    CSS_PATH = "app.tcss"
    ENABLE_COMMAND_PALETTE = True
    BINDINGS = [
        Binding("f1", "help", "Help", id="help", tooltip="List the keys of this screen"),
        Binding("question_mark", "help", "Help", show=False, id="help-alt", tooltip="List the keys of this screen"),
        Binding("ctrl+q", "quit", "Quit", id="quit", tooltip="Quit: everything entered is already saved"),
        Binding("f12", "screenshot_to", "Screenshot", show=False, id="screenshot",
                tooltip="Save a picture (SVG) of this screen into a folder you choose, e.g. for slides"),
    ]
    TRAINING_BANNER = "TRAINING — FICTIONAL DATA"

    def __init__(
        self,
        store: Store,
        *,
        config_dir: Path | None = None,
        clock: Callable[[], datetime] = now_utc,
        training: bool = False,
    ) -> None:
        super().__init__()
        self.store = store
        self.training = training
        self.screenshot_dir = Path.home() / "ophamp-screenshots"
        if training:
            self.title = f"{self.TRAINING_BANNER} · Op Hampshire"
        self.config_dir = config_dir or default_config_dir()
        self.clock = clock
        self.user: Actor | None = load_identity(self.config_dir)
        self.overdue = 0  # overdue items across all cases, shown in the header

    def _fatal_error(self) -> None:
        """Crash without Textual's report of local variables: they would hold personal data."""
        import sys

        from rich.text import Text

        from .crash import safe_report, user_message, write_report

        exc_type, _exc, tb = sys.exc_info()
        self.bell()
        path = write_report(safe_report(exc_type, tb))
        self._exit_renderables.append(Text(user_message(exc_type, path)))
        self._close_messages_no_wait()

    def on_mount(self) -> None:
        self.set_class(self.training, "-training")
        self.push_screen(HomeScreen(self.store))
        if self.user is None:
            self.push_screen(IdentityScreen(None, first_start=True), self._identity_chosen)
        self._show_user()
        self._tell_about_others()
        presence.register(self.store.root, self.user, training=self.training)

    def on_resize(self, event) -> None:
        """Below a usable size, say so instead of showing a squashed screen; carry on when it grows."""
        from .screens.too_small import TooSmallScreen, too_small

        small = too_small(event.size.width, event.size.height)
        showing = isinstance(self.screen, TooSmallScreen)
        if small and not showing:
            self.push_screen(TooSmallScreen())
        elif small and showing:
            self.screen.show_size(event.size.width, event.size.height)
        elif showing:
            self.pop_screen()

    def on_unmount(self) -> None:
        presence.unregister(self.store.root)

    def _tell_about_others(self) -> None:
        """A second ophamp on the same store is told plainly what that means."""
        others = presence.others(self.store.root)
        if others:
            names = "; ".join(presence.describe(o) for o in others)
            self.notify(
                f"This store is also open by: {names}. You can both work: every field is saved as you leave "
                "it, and if you both change the same field the second person is told and shown the new value.",
                title="Someone else has this store open", severity="warning", markup=False, timeout=20,
            )

    # --- who is using it --------------------------------------------------------------------------

    def _show_user(self) -> None:
        who = self.user.short() if self.user else "Who are you?"
        self.sub_title = f"{who} · {self.overdue} overdue" if self.overdue else who

    def show_overdue(self, count: int) -> None:
        self.overdue = count
        self._show_user()

    def _identity_chosen(self, who: Actor | None) -> None:
        if who is None:
            return
        self.user = who
        presence.register(self.store.root, who, training=self.training)
        try:
            save_identity(self.config_dir, who)
        except OSError:
            self.notify("Could not remember you on this workstation; you will be asked again next time.",
                        severity="warning")
        self._show_user()
        self.notify(f"Working as {who.short()}", markup=False)

    def action_switch_user(self) -> None:
        self.push_screen(IdentityScreen(self.user), self._identity_chosen)

    def require_user(self) -> Actor | None:
        """The current user, or ask for one (and return None for now)."""
        if self.user is None:
            self.action_switch_user()
        return self.user

    # --- actions and commands --------------------------------------------------------------------

    def action_screenshot_to(self) -> None:
        from textual.content import Content

        from .screens.reason import ReasonScreen

        ask = ReasonScreen(Content("Save a picture of this screen (SVG) into which folder?"),
                           reason=str(self.screenshot_dir), button="Save picture",
                           too_short="Enter a folder.", min_len=1)
        self.push_screen(ask, self._screenshot_chosen)

    def _screenshot_chosen(self, folder: str | None) -> None:
        if folder:
            # After the dialog has gone, so the picture shows the screen and not the question.
            self.call_after_refresh(self._save_screenshot, Path(folder).expanduser())

    def _save_screenshot(self, folder: Path) -> None:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            saved = self.save_screenshot(path=str(folder))
        except OSError as exc:
            self.notify(f"Could not save the picture in {folder}: {exc.strerror}.", severity="error", markup=False)
            return
        self.screenshot_dir = folder
        self.notify(f"Saved {saved}", title="Screenshot", markup=False)

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

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield SystemCommand("New case", "Log a new assault on a colleague", self.action_new_case)
        yield SystemCommand("Find case", "Filter the case list by victim, offence or reference", self.action_find_case)
        yield SystemCommand("Switch user", "Change who is recorded as making changes", self.action_switch_user)
        yield SystemCommand("Help", "The keys of this screen", self.action_help)
        yield SystemCommand("Screenshot", "Save a picture of this screen (SVG) for slides", self.action_screenshot_to)
        yield from super().get_system_commands(screen)
