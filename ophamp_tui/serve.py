"""``ophamp serve``: ophamp in a web browser, for projecting in a classroom (textual-serve).

Each browser tab opens a websocket and each websocket runs its own ophamp process. A web page is a
client we do not control, so on top of textual-serve's server this:

- accepts a websocket only from ophamp's own page (its ``Origin``): any other page open in the
  trainer's browser is refused (HTTP 403), which is the only thing stopping it from driving the app;
- runs at most ``--max-sessions`` tabs at once and tells the next one why it was refused;
- keeps terminal sizes within 400x200, and ends a session on a malformed message;
- logs one plain line per event: never a traceback, local variables, or anything typed;
- in training, gives each tab its own folder (its identity, exports and pictures), never the live ones,
  its own copy of the scenarios (removed when the tab closes; ``--shared``: one store for every tab)
  and its own name ("Learner 3", changed with ``u``);
- serves its own page: fonts from this computer (no outside font host), the terminal focused on load,
  text at ``--font-size``.
"""

from __future__ import annotations

import argparse
import asyncio
import errno
import ipaddress
import json
import logging
import os
import re
import shlex
import signal
import socket
import sys
from datetime import datetime
from pathlib import Path
from typing import cast

import aiohttp_jinja2
import textual_serve
from aiohttp import WSCloseCode, WSMsgType, web
from textual_serve.app_service import AppService
from textual_serve.server import Server
from yarl import URL

from .data.clock import now_utc
from .data.errors import StoreError
from .data.paths import demo_store, end_training_session, new_session_name, remove_stale_session_stores
from .data.scenarios import install_training

log = logging.getLogger("ophamp.serve")

MAX_WIDTH, MAX_HEIGHT = 400, 200
LOCAL_NAMES = frozenset({"localhost", "127.0.0.1", "[::1]"})
EVERY_ADDRESS = frozenset({"", "0.0.0.0", "::"})
PAGE_DIR = Path(__file__).parent / "serve_page"  # ophamp's page: local fonts, focus on load
STATIC_DIR = Path(textual_serve.__file__).parent / "static"  # textual-serve's script and its Roboto Mono files
FONT_SIZES = (8, 64)
FULL_WAIT = 60.0  # seconds a refused tab keeps its message on screen before "Session ended"
_HOST_HEADER = re.compile(r"[A-Za-z0-9.\-]+(:[0-9]{1,5})?|\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?")


class ServeError(Exception):
    """Why ``ophamp serve`` cannot start, in one line for whoever typed the command."""


class Malformed(ValueError):
    """A websocket message that ophamp's own page would never send."""


# --- where it listens, and which pages may connect ------------------------------------------------------


def url_host(host: str) -> str:
    """``host`` as it appears in a URL: IPv6 addresses in brackets."""
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


def is_local(host: str, port: int) -> bool:
    """True if ``host`` means this computer only (every address it resolves to is a loopback one)."""
    if host in EVERY_ADDRESS:
        return False
    try:
        infos = socket.getaddrinfo(host.strip("[]"), port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise ServeError(
            f"unknown host name {host!r}: use localhost, an address of this computer, or leave out --host."
        ) from None
    return all(ipaddress.ip_address(str(info[4][0]).split("%")[0]).is_loopback for info in infos)


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name.strip("[]"))
    except ValueError:
        return False
    return True


def clamp_size(width: int, height: int) -> tuple[int, int]:
    return max(1, min(width, MAX_WIDTH)), max(1, min(height, MAX_HEIGHT))


def _to_int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def parse_message(text: str) -> tuple[str, object]:
    """One message from the browser as (kind, data); ``Malformed`` if ophamp's page would never send it."""
    try:
        envelope = json.loads(text)
    except (ValueError, RecursionError):
        raise Malformed("not JSON") from None
    if not isinstance(envelope, list) or not envelope or not isinstance(envelope[0], str):
        raise Malformed("not a message")
    kind, data = envelope[0], (envelope[1] if len(envelope) > 1 else None)
    if kind == "stdin":
        if not isinstance(data, str):
            raise Malformed("stdin")
    elif kind == "resize":
        width = data.get("width") if isinstance(data, dict) else None
        height = data.get("height") if isinstance(data, dict) else None
        if type(width) is not int or type(height) is not int:
            raise Malformed("resize")
        data = clamp_size(width, height)
    elif kind == "ping":
        if not isinstance(data, str) or len(data) > 32:
            raise Malformed("ping")
    return kind, data


def _printable(text: str, limit: int = 80) -> str:
    """A header value fit for one log line: printable ASCII only, cut short."""
    return "".join(c for c in text if " " <= c <= "~")[:limit] or "none"


class OneLineFormatter(logging.Formatter):
    """One plain line per event: the message and, for an error, only its type.

    Never a traceback, local variables, or an exception's text (it can quote what someone typed).
    """

    def format(self, record: logging.LogRecord) -> str:
        text = " ".join(record.getMessage().split())
        if record.exc_info and record.exc_info[0] is not None:
            text += f" ({record.exc_info[0].__name__})"
        return f"ophamp serve: {_printable(text, 300)}"


def refused_full_text(max_sessions: int) -> str:
    return (
        f"ophamp: this server already has {max_sessions} sessions open, the most it allows. "
        "Close a tab you no longer need, then reload this page."
    )


class OphampServer(Server):
    """textual-serve's server, with the Origin check, the session cap and the size cap."""

    def __init__(
        self,
        *,
        host: str,
        port: int,
        local: bool,
        live: bool,
        store: str | None,
        max_sessions: int,
        shared: bool = False,
        font_size: int = 16,
    ) -> None:
        public_url = f"http://{url_host(host)}" + ("" if port == 80 else f":{port}")
        super().__init__(
            "ophamp",
            host=host,
            port=port,
            title="Op Hampshire",
            public_url=public_url,
            statics_path=STATIC_DIR,
            templates_path=PAGE_DIR,
        )
        self.local = local
        self.live = live
        self.store = store
        self.max_sessions = max_sessions
        self.shared = shared
        self.font_size = font_size
        self.sessions = 0
        self.learners: set[int] = set()  # the numbers of the "Learner N" names in use
        self.every_address = host in EVERY_ADDRESS
        names = {url_host(host).lower()} | (LOCAL_NAMES if local else set())
        self.allowed_hosts = frozenset(names)
        self.own_names = frozenset(n.lower() for n in {socket.gethostname(), socket.getfqdn()} if n)

    # --- logging: plain lines, no locals ----------------------------------------------------------------

    def initialize_logging(self) -> None:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(OneLineFormatter())
        root = logging.getLogger()
        root.handlers[:] = [handler]
        root.setLevel(logging.INFO)

    async def on_startup(self, app: web.Application) -> None:
        """Say nothing here (textual-serve prints a banner): ``run`` says where it serves once it does."""

    # --- who may connect ----------------------------------------------------------------------------------

    def origin_allowed(self, request: web.Request) -> bool:
        """The websocket's Origin is ophamp's own page: this server, as the trainer reached it.

        Bound to one host: that host (and localhost, 127.0.0.1, [::1] when it is this computer only).
        Bound to every address (0.0.0.0): the page must be this server as the browser reached it
        (Origin and Host agree) by an address or this computer's own name, never another site's
        name (that is how DNS rebinding gets in).
        """
        origin_text = request.headers.get("Origin", "")
        try:
            origin = URL(origin_text)
        except ValueError:
            return False
        if origin.scheme != "http" or not origin.host or origin.path not in ("", "/") or origin.port != self.port:
            return False
        name = url_host(origin.host).lower()
        if name in self.allowed_hosts:
            return True
        if not self.every_address:
            return False
        return origin_text.lower() == f"http://{request.host.lower()}" and (
            _is_ip(name) or name in self.own_names or name in LOCAL_NAMES
        )

    def _page_url(self, request: web.Request) -> str:
        """Where the page tells the browser to connect back: the server as reached, if bound everywhere."""
        if self.every_address:
            # Never ws://0.0.0.0 in the page: the server as the browser reached it (or this computer).
            if _HOST_HEADER.fullmatch(request.host) and not request.host.startswith(("0.0.0.0", "[::]")):
                return f"http://{request.host}"
            return f"http://localhost:{self.port}"
        return self.public_url

    # --- the page and the websocket -----------------------------------------------------------------------

    async def handle_index(self, request: web.Request) -> web.StreamResponse:
        if self.sessions >= self.max_sessions:
            return web.Response(status=503, text=refused_full_text(self.max_sessions) + "\n")
        base = self._page_url(request)
        context = {
            "font_size": max(FONT_SIZES[0], min(_to_int(request.query.get("fontsize"), self.font_size), FONT_SIZES[1])),
            "app_websocket_url": "ws:" + base.split(":", 1)[1] + "/ws",
            "config": {"static": {"url": base + "/static/"}},
            "application": {"name": self.title},
        }
        return aiohttp_jinja2.render_template("app_index.html", request, context)

    def session_command(self, session: str | None = None, learner: int = 0) -> str:
        """The command for one browser tab: in training, with a folder, a store and a name of its own."""
        argv = [sys.executable, "-m", "ophamp_tui"]
        if self.live:
            argv += ["--store", self.store] if self.store else []
        else:
            argv += ["demo", "--serve-session", session or new_session_name(datetime.now())]
            argv += ["--learner", str(learner)] if learner else []
            argv += ["--shared-store"] if self.shared else []
        # exec: the shell textual-serve starts becomes ophamp, one process per tab rather than two.
        return ("exec " if os.name == "posix" else "") + shlex.join(argv)

    def _take_learner(self) -> int:
        number = next(n for n in range(1, self.max_sessions + 2) if n not in self.learners)
        self.learners.add(number)
        return number

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        if not self.origin_allowed(request):
            log.warning(
                "refused a connection from another web page (origin %s): only ophamp's own page may connect.",
                _printable(request.headers.get("Origin", "")),
            )
            raise web.HTTPForbidden(text="Only ophamp's own page may connect.\n")
        websocket = web.WebSocketResponse(heartbeat=15)
        if self.sessions >= self.max_sessions:
            log.warning("refused a browser tab: %d sessions are open, the most --max-sessions allows.", self.sessions)
            await self._refuse_full(request, websocket)
            return websocket
        self.sessions += 1  # counted before any await, so two tabs at once cannot both take the last place
        learner = 0 if self.live else self._take_learner()
        session = None if self.live else new_session_name(datetime.now())
        app_service: AppService | None = None
        try:
            await websocket.prepare(request)
            width, height = clamp_size(
                _to_int(request.query.get("width"), 80), _to_int(request.query.get("height"), 24)
            )
            app_service = AppService(
                self.session_command(session, learner),
                write_bytes=websocket.send_bytes,
                write_str=websocket.send_str,
                close=websocket.close,  # type: ignore[arg-type]  # its result (closed or not) is not needed
                download_manager=self.download_manager,
                debug=False,
            )
            await app_service.start(width, height)
            await self._process_messages(websocket, app_service)
        except asyncio.CancelledError:
            await websocket.close()
        except web.HTTPException:
            raise  # not a websocket request at all: aiohttp answers it
        except Exception as exc:  # noqa: BLE001 - one line, the type only: its text could quote user input
            log.error("a browser session ended on an unexpected problem (%s).", type(exc).__name__)
        finally:
            try:
                if app_service is not None:
                    await app_service.stop()
            finally:
                self.sessions -= 1
                self.learners.discard(learner)
                if session is not None and not self.shared:
                    # Its own copy of the scenarios goes with the tab (pictures it made for slides stay).
                    await asyncio.to_thread(end_training_session, session)
        return websocket

    async def _refuse_full(self, request: web.Request, websocket: web.WebSocketResponse) -> None:
        """Tell the tab in its terminal, and leave the message up a while (closing covers it)."""
        await websocket.prepare(request)
        text = refused_full_text(self.max_sessions)
        await websocket.send_bytes(f"\x1b[2J\x1b[H\r\n  {text}\r\n".encode())
        try:
            async with asyncio.timeout(FULL_WAIT):
                async for _message in websocket:
                    pass
        except TimeoutError:
            pass
        await websocket.close()

    async def _process_messages(self, websocket: web.WebSocketResponse, app_service: AppService) -> None:
        async for message in websocket:
            if message.type != WSMsgType.TEXT:
                continue
            try:
                kind, data = parse_message(message.data)
            except Malformed:
                log.warning("ended a browser session after a malformed message (not shown).")
                await websocket.close(code=WSCloseCode.UNSUPPORTED_DATA)
                return
            if kind == "stdin":
                await app_service.send_bytes(str(data).encode("utf-8"))
            elif kind == "resize":
                width, height = cast(tuple[int, int], data)  # checked and clamped by parse_message
                await app_service.set_terminal_size(width, height)
            elif kind == "ping":
                await websocket.send_json(["pong", data])
            elif kind == "blur":
                await app_service.blur()
            elif kind == "focus":
                await app_service.focus()

    # --- running ------------------------------------------------------------------------------------------

    def serve(self, debug: bool = False) -> None:
        self.initialize_logging()
        if not self.live and not self.shared:
            remove_stale_session_stores()  # left by a server that was killed, a day or more ago
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        for sig in (signal.SIGINT, signal.SIGTERM):
            try:
                loop.add_signal_handler(sig, self.request_exit)
            except NotImplementedError:
                pass
        mode = (
            "the LIVE store"
            if self.live
            else "training mode, fictional data, "
            + ("one shared store for every tab" if self.shared else "each tab its own copy of the scenarios")
        )
        said: list[bool] = []

        def started(*_args: object) -> None:  # aiohttp calls this once it is listening
            if not said:
                said.append(True)
                print(
                    f"Serving ophamp ({mode}) on {self.public_url} for up to {self.max_sessions} tabs. Ctrl+C to stop.",
                    flush=True,
                )

        web.run_app(
            self._make_app(),
            host=self.host or None,
            port=self.port,
            handle_signals=False,
            loop=loop,
            print=started,
            access_log=None,
        )


def _fail(message: str) -> int:
    print(f"ophamp: {message}", file=sys.stderr)
    return 2


def _listen_error(exc: OSError, host: str, port: int) -> str:
    if isinstance(exc, socket.gaierror):
        return f"unknown host name {host!r}: use localhost, an address of this computer, or leave out --host."
    if exc.errno == errno.EADDRINUSE:
        return f"port {port} is already in use on {host}: choose another with --port, or stop what is using it."
    if isinstance(exc, PermissionError) or exc.errno in (errno.EACCES, errno.EPERM):
        low = (
            " (ports below 1024 need administrator rights): choose 1024 or above" if port < 1024 else ": choose another"
        )
        return f"not allowed to listen on port {port}{low} with --port."
    if exc.errno == errno.EADDRNOTAVAIL:
        return f"{host} is not an address of this computer: use localhost, one of its addresses, or leave out --host."
    return f"could not listen on {host} port {port}: {exc.strerror or type(exc).__name__}."


def run(args: argparse.Namespace) -> int:
    """``ophamp serve``: check the options, then serve until Ctrl+C. Every refusal is one line on stderr."""
    if not 0 < args.port < 65536:
        return _fail("--port must be between 1 and 65535.")
    if not 1 <= args.max_sessions <= 100:
        return _fail("--max-sessions must be between 1 and 100.")
    try:
        local = is_local(args.host, args.port)
    except ServeError as exc:
        return _fail(str(exc))
    if args.live and not local:
        return _fail("--live is served on localhost only: live cases are never served to other computers.")
    if not local:
        print(
            f"ophamp: warning: serving on {args.host or 'every address'}, not only this computer: anyone "
            f"who can reach port {args.port} on this network can open ophamp. Leave out --host to keep it "
            "on this computer.",
            file=sys.stderr,
            flush=True,
        )
    if not FONT_SIZES[0] <= args.font_size <= FONT_SIZES[1]:
        return _fail(f"--font-size must be between {FONT_SIZES[0]} and {FONT_SIZES[1]} (pixels).")
    if args.live and args.shared:
        return _fail("--shared is for training; --live already serves the one live store.")
    if args.reset:
        if args.live:
            return _fail("--reset is for training: the live store is never reset.")
        try:
            install_training(demo_store(), now_utc(), reset=True)  # under the store's lock
        except (StoreError, OSError) as exc:
            return _fail(str(exc))
        print("ophamp: every scenario of the shared training store is back at its starting point.", flush=True)
    server = OphampServer(
        host=args.host,
        port=args.port,
        local=local,
        live=args.live,
        store=args.store,
        max_sessions=args.max_sessions,
        shared=args.shared,
        font_size=args.font_size,
    )
    try:
        server.serve()
    except OSError as exc:
        return _fail(_listen_error(exc, args.host, args.port))
    return 0
