"""`ophamp serve` for a class: each browser tab its own copy of the scenarios and its own name, never the
live identity; a page that needs nothing from outside this computer; keys a browser cannot give a page.

The browser test drives the system's Chromium headless through Playwright (no browser is downloaded);
it is skipped, saying why, where either is missing.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import time
import urllib.request
from urllib.parse import urlparse

import aiohttp
import pytest

from ophamp_tui.screens.log_entry import LogEntryScreen
from ophamp_tui.screens.step import StepScreen

from .test_serve_security import (
    TRAINEE,
    connect,
    env_for,
    free_port,
    live_identity,
    read_until,
    run_in_pty,
    serving,
)

SCENARIO_FILES = {"OH-TRAIN-BOTTLE.json", "OH-TRAIN-PCSO.json", "OH-TRAIN-PUNCH.json", "OH-TRAIN-SICK.json"}


def names(served) -> list[str]:
    return sorted(json.loads((tab / "identity.json").read_text(encoding="utf-8"))["name"] for tab in served.sessions())


def wait_for(check, limit: float = 8.0) -> bool:
    deadline = time.monotonic() + limit
    while not check() and time.monotonic() < deadline:
        time.sleep(0.1)
    return check()


# --- training never writes the live identity -----------------------------------------------------------------
# identity.json is written in one place, data/identity.py save_identity, called by the app when someone says
# who they are (first start, or u: its config_dir, a training session's folder in training, refused if it is
# the live one) and by `ophamp demo --serve-session --learner N` (the session's folder).


def test_demo_first_start_remembers_the_trainee_in_training_only(tmp_path):
    before = live_identity(tmp_path)
    keys = [TRAINEE[0].encode(), b"\r", TRAINEE[1].encode(), b"\r", b"\x11"]  # the first-start prompt, Ctrl+Q
    out, status = run_in_pty([sys.executable, "-m", "ophamp_tui", "demo"], env_for(tmp_path), keys)
    assert status == 0, out[-2000:]
    assert b"Who is using ophamp" in out
    assert (tmp_path / "live-config" / "identity.json").read_bytes() == before
    demo = tmp_path / "data" / "ophamp" / "training" / "demo"
    saved = json.loads((demo / "identity.json").read_text(encoding="utf-8"))
    assert (saved["name"], saved["number"]) == TRAINEE
    assert stat.S_IMODE((demo / "identity.json").stat().st_mode) == 0o600


# --- each tab its own copy of the scenarios and its own name ------------------------------------------------


async def test_each_tab_has_its_own_copy_of_the_scenarios_and_its_own_name(tmp_path):
    before = live_identity(tmp_path)
    with serving(tmp_path) as served:
        async with aiohttp.ClientSession() as session:
            async with connect(session, served, origin=served.origin) as one:
                assert b"Learner 1" in await read_until(one, want=b"Learner 1")
                async with connect(session, served, origin=served.origin) as two:
                    assert b"Learner 2" in await read_until(two, want=b"Learner 2")
                    assert names(served) == ["Learner 1", "Learner 2"]
                    for tab in served.sessions():
                        store = tab / "store"
                        assert (store / "TRAINING").exists()
                        cases = {p.name for p in store.rglob("OH-TRAIN-*.json")}
                        assert SCENARIO_FILES <= cases
                        for case in store.rglob("OH-TRAIN-*.json"):
                            assert stat.S_IMODE(case.stat().st_mode) == 0o600, case
                        assert stat.S_IMODE(store.stat().st_mode) == 0o700
                    # Nobody is on the class's one shared store (that is `ophamp demo`'s, or `serve --shared`).
                    assert not (served.data / "ophamp" / "training-store").exists()
                # The second tab has gone: its copy goes with it (nothing was written for slides).
                await asyncio.to_thread(wait_for, lambda: len(served.sessions()) == 1)
                assert names(served) == ["Learner 1"]
            # The next tab takes the first free name.
            async with connect(session, served, origin=served.origin) as again:
                assert b"Learner" in await read_until(again, want=b"Learner")
                assert set(names(served)) <= {"Learner 1", "Learner 2"}
    # The server stopped (Ctrl+C, or a signal): no tab's copy is left behind.
    assert [tab for tab in served.sessions() if (tab / "store").exists()] == []
    assert (tmp_path / "live-config" / "identity.json").read_bytes() == before


async def test_shared_puts_every_tab_on_the_one_training_store(tmp_path):
    before = live_identity(tmp_path)
    with serving(tmp_path, "--shared") as served:
        assert "one shared store for every tab" in served.log()
        async with aiohttp.ClientSession() as session:
            async with connect(session, served, origin=served.origin) as one:
                assert b"Learner 1" in await read_until(one, want=b"Learner 1")
                [tab] = served.sessions()
                assert not (tab / "store").exists()
                assert (served.data / "ophamp" / "training-store" / "TRAINING").exists()
    assert (tmp_path / "live-config" / "identity.json").read_bytes() == before


# --- the page: large text, fonts from this computer, never ws://0.0.0.0 ----------------------------------------


def page(served, host_header: str | None = None) -> str:
    request = urllib.request.Request(served.url + "/", headers={"Host": host_header} if host_header else {})
    with urllib.request.urlopen(request, timeout=5) as response:
        return response.read().decode("utf-8")


def test_the_page_has_the_chosen_text_size_and_asks_nothing_of_another_host(tmp_path):
    with serving(tmp_path, "--font-size", "24") as served:
        body = page(served)
        assert 'data-font-size="24"' in body
        assert f'data-session-websocket-url="ws://127.0.0.1:{served.port}/ws"' in body
        # Every address the page loads from is this server's: no font host, no script from elsewhere.
        loaded = re.findall(r'(?:src|href)="([^"]+)"', body) + re.findall(r'url\("([^"]+)"\)', body)
        assert loaded and all(u.startswith(f"http://127.0.0.1:{served.port}/static/") for u in loaded), loaded
        with urllib.request.urlopen(f"{served.url}/static/fonts/RobotoMono-VariableFont_wght.ttf", timeout=5) as font:
            assert font.status == 200 and len(font.read()) > 10_000


def test_bound_to_every_address_the_page_never_says_0_0_0_0(tmp_path):
    with serving(tmp_path, host="0.0.0.0") as served:
        assert "0.0.0.0" not in page(served, f"0.0.0.0:{served.port}")
        assert f"ws://127.0.0.1:{served.port}/ws" in page(served)


@pytest.mark.parametrize("size", ["7", "65"])
def test_a_font_size_out_of_range_is_one_line(tmp_path, size):
    done = subprocess.run(
        [sys.executable, "-m", "ophamp_tui", "serve", "--port", str(free_port()), "--font-size", size],
        capture_output=True,
        text=True,
        env=env_for(tmp_path),
        timeout=30,
    )
    assert done.returncode == 2
    assert done.stderr == "ophamp: --font-size must be between 8 and 64 (pixels).\n"


# --- keys a browser keeps for itself ----------------------------------------------------------------------------


async def test_alt_n_adds_a_log_entry_where_a_browser_keeps_ctrl_n(tmp_path):
    from ophamp_tui.data.seed import fictional_cases

    from .ui_helpers import make_app

    app = make_app(tmp_path)
    [case] = fictional_cases(1, seed=5)
    app.store.create_many([case])
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        app.push_screen(StepScreen(app.store, case.id, "longer_term"))
        await pilot.pause()
        await pilot.press("alt+n")
        await pilot.pause()
        assert isinstance(app.screen, LogEntryScreen)
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("alt+r")
        await pilot.pause()
        assert isinstance(app.screen, LogEntryScreen)


# --- a real browser: two tabs, two copies, nothing from outside ---------------------------------------------


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        if found := shutil.which(name):
            return found
    return None


SEEN = """
window.__seen = "";
const decoder = new TextDecoder();
const NativeSocket = window.WebSocket;
window.WebSocket = class extends NativeSocket {
  constructor(...args) {
    super(...args);
    this.addEventListener("message", (event) => {
      if (typeof event.data !== "string") window.__seen += decoder.decode(event.data, {stream: true});
    });
  }
};
"""
FONT_LOADED = """document.fonts.ready.then(
  () => [...document.fonts].some((f) => f.family.includes("Roboto Mono") && f.status === "loaded"))"""
_ESCAPES = re.compile(r"\x1b\[[0-9;?<>=$]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[=>()][0-9A-B]?")


class Tab:
    """One browser tab on ophamp serve, and what its terminal was sent (control sequences taken out)."""

    def __init__(self, page) -> None:
        self.page = page

    def seen(self) -> str:
        return _ESCAPES.sub("", self.page.evaluate("window.__seen"))

    def wait_for(self, text: str, *, after: int = 0, limit: float = 10.0) -> str:
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            seen = self.seen()[after:]
            if text in seen:
                return seen
            self.page.wait_for_timeout(100)
        raise AssertionError(f"{text!r} not shown; last: {self.seen()[-600:]!r}")

    def keys(self, *keys: str) -> None:
        for key in keys:
            self.page.keyboard.press(key)
            self.page.wait_for_timeout(150)


def test_two_browser_tabs_change_the_same_scenario_without_seeing_each_other(tmp_path):
    chromium = _chromium()
    if chromium is None:
        pytest.skip("no Chromium installed (apt-get install chromium): the browser test needs one")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install playwright)")
    before = live_identity(tmp_path)
    outside: list[str] = []

    def only_this_computer(route) -> None:
        if urlparse(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:  # the network to other hosts is blocked: the page must not need it
            outside.append(route.request.url)
            route.abort()

    with serving(tmp_path) as served, sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        try:
            context = browser.new_context(viewport={"width": 1000, "height": 640})
            context.route("**/*", only_this_computer)
            context.add_init_script(SEEN)
            tabs = []
            for learner in ("Learner 1", "Learner 2"):
                page = context.new_page()
                page.goto(served.url + "/", wait_until="load")
                tab = Tab(page)
                tab.wait_for(learner)
                tabs.append(tab)
            one, two = tabs
            # The page drew the app, with its own font, though nothing outside this computer answers.
            for tab in tabs:
                assert tab.page.evaluate("document.body.classList.contains('-first-byte')")
                assert tab.page.evaluate(FONT_LOADED)
            assert outside == []
            assert "\u25ca" in one.seen() and "\u2b58" not in one.seen()  # a header icon the font has
            # Typed with no click first: the terminal has the focus from the start.
            for tab, word in ((one, "Zebraman"), (two, "Yakwoman")):
                tab.keys("Enter", "1")  # the first scenario, step 1: its supervisor's name has the cursor
                tab.wait_for("Step 1 of 10")
                tab.page.keyboard.type(word, delay=20)
                tab.wait_for(word)
                tab.keys("Escape")  # back to the case: saved
            for tab, mine, theirs in ((one, "Zebraman", "Yakwoman"), (two, "Yakwoman", "Zebraman")):
                mark = len(tab.seen())
                tab.keys("1")
                tab.wait_for("Step 1 of 10", after=mark)
                tab.wait_for(mine, after=mark)
                assert theirs not in tab.seen()
                assert "also open" not in tab.seen().lower()
            held = {
                json.loads((tab / "identity.json").read_text(encoding="utf-8"))["name"]: " ".join(
                    p.read_text(encoding="utf-8") for p in (tab / "store").rglob("OH-TRAIN-*.json")
                )
                for tab in served.sessions()
            }
        finally:
            browser.close()
    assert "Zebraman" in held["Learner 1"] and "Yakwoman" not in held["Learner 1"]
    assert "Yakwoman" in held["Learner 2"] and "Zebraman" not in held["Learner 2"]
    assert (tmp_path / "live-config" / "identity.json").read_bytes() == before


def test_copies_a_killed_server_left_are_removed_a_day_later(tmp_path, monkeypatch):
    from ophamp_tui.data.paths import (
        STALE_SESSION_SECONDS,
        prepare_training_session,
        remove_stale_session_stores,
        training_output_dir,
        training_session_store,
    )

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    now = time.time()
    old, recent, pictured = "20261101-090000-0000000a", "20261123-090000-0000000b", "20261101-090000-0000000c"
    for session in (old, recent, pictured):
        store = training_session_store(prepare_training_session(session))
        store.mkdir()
        (store / "case.json").write_text("{}")
    (training_output_dir(prepare_training_session(pictured)) / "slide.svg").write_text("<svg/>")
    for session in (old, pictured):
        store = training_session_store(prepare_training_session(session))
        for path in (store / "case.json", store):
            os.utime(path, (now - STALE_SESSION_SECONDS - 60,) * 2)
    assert remove_stale_session_stores(now) == 2
    serve = tmp_path / "data" / "ophamp" / "training" / "serve"
    assert sorted(p.name for p in serve.iterdir()) == [pictured, recent]  # the picture a learner made stays
    assert (serve / recent / "store" / "case.json").exists()
    assert not (serve / pictured / "store").exists() and (serve / pictured / "output" / "slide.svg").exists()
