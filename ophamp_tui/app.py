"""The Textual application: who is using it, the store, and the screens."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

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
        Binding("question_mark", "help", "Help", show=False, id="help-alt"),
        Binding("ctrl+q", "quit", "Quit", id="quit", tooltip="Quit: everything entered is already saved"),
    ]

    def __init__(
        self,
        store: Store,
        *,
        config_dir: Path | None = None,
        clock: Callable[[], datetime] = now_utc,
    ) -> None:
        super().__init__()
        self.store = store
        self.config_dir = config_dir or default_config_dir()
        self.clock = clock
        self.user: Actor | None = load_identity(self.config_dir)
        self.overdue = 0  # overdue items across all cases, shown in the header

    def on_mount(self) -> None:
        self.push_screen(HomeScreen(self.store))
        if self.user is None:
            self.push_screen(IdentityScreen(None, first_start=True), self._identity_chosen)
        self._show_user()

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
        yield from super().get_system_commands(screen)
