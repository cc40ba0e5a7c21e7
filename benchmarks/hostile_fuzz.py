#!/usr/bin/env python3
"""Hostile text through the data layer: whatever is typed, no control code is stored.

Hypothesis makes strings from a hostile mix (Rich/Textual markup, ANSI CSI and
OSC sequences, 8-bit CSI, C0 and C1 controls including NUL, bidi overrides and
isolates, emoji, combining marks, lone surrogates, line and paragraph
separators, plain ``st.text()``, and now and then text up to about 100 KB).
Each example pushes one string through every text, longtext and number field
of every step and of the case form, each step's notes, the summary of a log
entry, the reasons given for "not applicable" and for closing early, and the
name/number/role of the ``Actor`` saving and the name/number of the ``Victim``:

    validation.parse_field  ->  Store.create / Store.update  ->  a fresh Store  ->  load

and checks that

- ``parse_field`` returned ``clean_text`` of the input, or a clear message
  (too long for the field, or the victim's own number), never both and never
  neither when there was text;
- the reloaded case holds exactly that value (names: ``clean_text(name,
  max_len=500)``), one-line values hold no newline or tab;
- text with nothing to clean is stored as typed (only outer white space trimmed);
- no stored string, and no byte of any file the store wrote (case, ``.bak``,
  index shard, ``store.json``), holds ESC, 0x9B, any other C0/C1 control or
  DEL (except newline and tab inside a string), a bidi control, or a lone
  surrogate, and every file is valid UTF-8 JSON.

Run from the repository root::

    .venv/bin/python benchmarks/hostile_fuzz.py                     # 10,000 examples (the recorded figures)
    .venv/bin/python benchmarks/hostile_fuzz.py --examples 300      # a quick run

Exits 1 on the first failing example (Hypothesis prints it, shrunk). ``run()``
is also used by tests/test_hostile_fuzz.py.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import hypothesis  # noqa: E402
from hypothesis import HealthCheck, example, given, settings  # noqa: E402
from hypothesis import seed as hypothesis_seed  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from ophamp_tui.data.checklist import CASE_FORM, LOGS, STEPS, FieldDef, field_path  # noqa: E402
from ophamp_tui.data.edits import log_entry, new_case  # noqa: E402
from ophamp_tui.data.models import Actor, Case, Incident, Victim  # noqa: E402
from ophamp_tui.data.store import Store  # noqa: E402
from ophamp_tui.data.text import clean_text, same_number  # noqa: E402
from ophamp_tui.data.validation import MAX_LONG_TEXT, MAX_SHORT_TEXT, parse_field  # noqa: E402

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
OCCURRED = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)

# --- what must never be stored (written out here, not taken from ophamp's own cleaner) ----------

C0 = {chr(c) for c in range(0x00, 0x20)}
C1 = {chr(c) for c in range(0x80, 0xA0)}
BIDI = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C)}
FORBIDDEN = C0 | C1 | BIDI | {"\x7f"}  # ESC is in C0, 0x9B in C1
MULTILINE_OK = {"\n", "\t"}


def is_surrogate(ch: str) -> bool:
    return 0xD800 <= ord(ch) <= 0xDFFF


def bad_chars(text: str, *, multiline: bool) -> list[str]:
    allowed = MULTILINE_OK if multiline else set()
    return sorted({repr(ch) for ch in text if (ch in FORBIDDEN and ch not in allowed) or is_surrogate(ch)})


def nothing_to_clean(text: str) -> bool:
    return not any(ch in FORBIDDEN or is_surrogate(ch) for ch in text)


# --- the hostile mix ------------------------------------------------------------------------------

MARKUP = [
    "[/]",
    "[b",
    "[b]",
    "[@click=app.quit]",
    "[@click=app.quit()]x[/]",
    "[bold red]",
    "[/bold red]",
    "[link=https://evil.example]click[/link]",
    "[reverse blink]",
    "\\[b]",
    "[",
    "]",
    "[[",
    "]]",
    "$name",
    "{0}",
    "{victim.name}",
    "%s",
    "%(x)s",
    "\\",
    "&lt;",
    "<script>",
]
ESCAPES = [
    "\x1b[31m",
    "\x1b[0m",
    "\x1b[2J",
    "\x1b[H",
    "\x1b[3J",
    "\x1b[?25l",
    "\x1b[?1049h",
    "\x1b[1;31;40m",
    "\x1b[10A",
    "\x1b[6n",
    "\x1b]0;title\x07",
    "\x1b]2;pwned\x1b\\",
    "\x1b]8;;https://evil.example\x1b\\",
    "\x1b]52;c;cm0gLXJmIH4=\x07",
    "\x1bP1$r\x1b\\",
    "\x1bX sos \x1b\\",
    "\x1b^ pm \x1b\\",
    "\x1b_ apc \x1b\\",
    "\x1bc",
    "\x1b7",
    "\x1b8",
    "\x1b(0",
    "\x1b#8",
    "\x1b=",
    "\x1b",
    "\x1b[",
    "\x1b]",
    "\x1b\x1b[31m",
    "\x9b31m",
    "\x9b2J",
    "\x9b",
    "\x90",
    "\x9d0;t\x9c",
]
CONTROLS = [chr(c) for c in (*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0))]
BIDI_MIX = sorted(BIDI) + ["\u202eevil\u202c", "\u2066x\u2069", "abc\u202edcba"]
EMOJI = ["🚓", "👍🏽", "👨‍👩‍👧", "🇬🇧", "❤️", "😀", "\U0001fae0"]
COMBINING = ["e\u0301", "\u0301", "Z\u0351\u0352\u0357\u0300\u0300", "\u0300" * 12, "\u20dd"]
OTHER = [
    "\ufeff",
    "\u200b",
    "\u200d",
    "\u2028",
    "\u2029",
    "\u00a0",
    "\u3000",
    "\ud800",
    "\udfff",
    "\r\n",
    "\r",
    "\n",
    "\t",
    " ",
    "  ",
    "Zoë Ní Bhriain",
    "O'Brien",
    "PC 1234",
    "pc1234",
    "4521",
    "日本語",
]
FIXED = MARKUP + ESCAPES + CONTROLS + BIDI_MIX + EMOJI + COMBINING + OTHER

piece = st.one_of(
    st.sampled_from(FIXED),
    st.sampled_from(ESCAPES + CONTROLS),
    st.text(max_size=12),
    st.characters(),
)
hostile = st.lists(piece, max_size=40).map("".join)


def _repeat(chunk: str, length: int) -> str:
    return (chunk * (length // max(1, len(chunk)) + 1))[:length] if chunk else ""


# Long text: a hostile chunk repeated, 400 characters to just over the 100,000 limit of a long field.
long_text = st.builds(
    _repeat,
    st.lists(piece, min_size=1, max_size=10).map("".join),
    st.one_of(st.integers(400, 600), st.integers(600, MAX_LONG_TEXT + 500)),
)
TEXT = st.integers(0, 99).flatmap(lambda k: long_text if k < 3 else st.text() if k < 25 else hostile)

HOSTILE = (
    "[/] O'Brien [b [@click=app.quit]x [bold red]$name{0}%s \x1b[31mred\x1b[0m \x1b]0;pwned\x07 "
    "\u202eevil\u202c \x00\x07\x9b2J 🚓"
)

# --- the fields ---------------------------------------------------------------------------------

TEXT_KINDS = ("text", "longtext", "number")
# A step's notes box, as the step screen defines it (screens/step.py NOTES): parsed like any long text.
NOTES = FieldDef("notes", "Notes", kind="longtext")
FIELDS: tuple[tuple[str, FieldDef], ...] = (
    *((field_path(s.key, f), f) for s in STEPS for f in s.fields if f.kind in TEXT_KINDS and not f.path),
    *((f"steps.{s.key}.notes", NOTES) for s in STEPS),
    *((f.key, f) for f in CASE_FORM if f.kind in TEXT_KINDS),
)
SUMMARY = next(f for f in LOGS["updates"].fields if f.key == "summary")
# Reasons typed in the reason dialog (not applicable, closing early): clean_text(..., max_len=500).
REASONS = ("steps.statement.na_reason", "closed_reason")


def stored(case: Case, path: str):
    return case.value_at(path)


@dataclass
class Stats:
    examples: int = 0
    values_stored: int = 0  # field values saved, reloaded and compared
    refused: int = 0  # values parse_field refused with a message (too long, victim's number)
    names_checked: int = 0
    files_scanned: int = 0
    bytes_scanned: int = 0
    bad_bytes: int = 0  # forbidden characters found on disk: must be 0 (the check fails at the first)
    longest: int = 0  # longest input, characters
    seconds: float = 0.0


def check_files(root: Path, stats: Stats) -> None:
    """Every file the store wrote: valid UTF-8 JSON; no forbidden character raw or inside any string."""
    for path in sorted(p for p in root.rglob("*") if p.is_file() and p.name != ".lock"):
        raw = path.read_bytes()
        stats.files_scanned += 1
        stats.bytes_scanned += len(raw)
        text = raw.decode("utf-8")  # raises on invalid UTF-8 (a lone surrogate cannot be encoded)
        if path.suffix == ".jsonl":  # JSON lines (the index): each line checked as a whole file is
            assert text.endswith("\n") or not text, f"{path.name} ends in a part line"
            for line in text.split("\n")[:-1]:
                check_document(path, line, stats)
        else:
            check_document(path, text, stats)


def check_document(path: Path, text: str, stats: Stats) -> None:
    """One JSON document: no forbidden character raw, or inside any string."""
    found = bad_chars(text, multiline=False)  # compact JSON: no raw newline or tab either
    if found:
        stats.bad_bytes += len(found)
        raise AssertionError(f"{path.name} holds {found} raw")

    def walk(node, where: str, path: Path = path) -> None:
        if isinstance(node, str):
            found = bad_chars(node, multiline=True)
            if found:
                stats.bad_bytes += len(found)
                raise AssertionError(f"{path.name} at {where} holds {found}")
        elif isinstance(node, dict):
            for k, v in node.items():
                walk(k, where + "/key")
                walk(v, f"{where}/{k}")
        elif isinstance(node, list):
            for i, v in enumerate(node):
                walk(v, f"{where}/{i}")

    walk(json.loads(text), path.name)


def expect_refusal(fdef: FieldDef, cleaned: str, case: Case, problem: str) -> None:
    """parse_field refused a value: say why, clearly, and only for a real reason."""
    assert isinstance(problem, str) and problem.strip(), problem
    assert not bad_chars(problem, multiline=False), problem  # the message is shown too
    too_long = len(cleaned) > (MAX_LONG_TEXT if fdef.kind == "longtext" else MAX_SHORT_TEXT)
    victims = fdef.kind == "number" and fdef.not_victim and same_number(cleaned, case.victim.number)
    if victims:
        assert "victim" in problem, problem
    else:
        assert too_long, (fdef.key, len(cleaned), problem)
        assert "too long" in problem and fdef.label in problem, problem


def check_example(base: Path, value: str, name: str, number: str, stats: Stats) -> None:
    stats.longest = max(stats.longest, len(value), len(name), len(number))
    root = base / f"store-{stats.examples}"
    try:
        store = Store(root, clock=lambda: NOW)
        who = Actor(name=name, number=number, role=name)
        case = new_case(
            victim=Victim(name=name, number=number),
            incident=Incident(occurred_at=OCCURRED),
            by=who,
            now=NOW,
            case_id="OH-FUZZ",
        )
        store.create(case)

        # Names: cleaned by the models, to at most 500 characters; the same after a reload.
        short_name, short_number = clean_text(name, max_len=500), clean_text(number, max_len=500)
        created = Store(root, clock=lambda: NOW).load(case.id)
        for got, want in (
            (created.victim.name, short_name),
            (created.victim.number, short_number),
            (created.created_by.name, short_name),
            (created.created_by.number, short_number),
            (created.created_by.role, short_name),
            (created.history[0].by.name, short_name),
        ):
            assert got == want, (got, want)
            assert "\n" not in got and "\t" not in got
            stats.names_checked += 1
        if nothing_to_clean(name) and len(name.strip()) <= 500:
            assert created.victim.name == name.strip()

        # Every text field, parsed as a form would, then saved in one update with a log entry.
        sets: dict[str, str] = {}
        for path, fdef in FIELDS:
            multiline = fdef.kind == "longtext"
            cleaned = clean_text(value, multiline=multiline, max_len=None)
            got, problem = parse_field(fdef, value, case, NOW)
            if problem is None:
                assert got == (cleaned or None), (path, got, cleaned)
                if nothing_to_clean(value):
                    assert got == (value.strip() or None), path  # nothing typed legitimately is lost
                if got is not None:
                    sets[path] = got
            else:
                assert got is None, path
                expect_refusal(fdef, cleaned, case, problem)
                stats.refused += 1
        reasons = {path: clean_text(value, max_len=500) for path in REASONS}
        sets.update({path: reason for path, reason in reasons.items() if reason})
        summary, problem = parse_field(SUMMARY, value, case, NOW)
        appends = None
        if problem is None and summary:
            appends = {"updates": log_entry({"at": OCCURRED, "method": "phone", "summary": summary}, who, NOW)}
        if sets or appends:
            store.update(case.id, who, sets=sets, appends=appends)

        # A fresh Store, as the next user would open it.
        fresh = Store(root, clock=lambda: NOW)
        loaded = fresh.load(case.id)
        for path, fdef in FIELDS:
            got = stored(loaded, path)
            if path in sets:
                assert got == sets[path], (path, got, sets[path])
                stats.values_stored += 1
            elif path.startswith("steps."):
                assert got == ("" if fdef is NOTES else None), path
            if isinstance(got, str) and fdef.kind != "longtext":
                assert "\n" not in got and "\t" not in got, path
        for path in REASONS:
            got = stored(loaded, path)
            assert got == reasons[path], (path, got, reasons[path])
            assert "\n" not in got and "\t" not in got, path
            stats.values_stored += bool(got)
        if appends:
            assert loaded.updates[-1].summary == summary
            assert loaded.updates[-1].by.name == short_name
            stats.values_stored += 1
        if sets or appends:
            assert {h.by.name for h in loaded.history} == {short_name}
        assert fresh.summary(case.id).victim_name == loaded.victim.name

        for text in _strings(loaded.model_dump(mode="json")):
            assert not bad_chars(text, multiline=True), bad_chars(text, multiline=True)
        check_files(root, stats)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _strings(node):
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for k, v in node.items():
            yield k
            yield from _strings(v)
    elif isinstance(node, list):
        for v in node:
            yield from _strings(v)


def run(examples: int, base: Path | str, seed: int | None = None) -> Stats:
    """Run ``examples`` Hypothesis examples; raises (Hypothesis' shrunk failure) if one fails."""
    base = Path(base)
    base.mkdir(parents=True, exist_ok=True)
    stats = Stats()

    @settings(max_examples=examples, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(value=TEXT, name=TEXT, number=TEXT)
    @example(value=HOSTILE, name=HOSTILE, number=HOSTILE + " 99")
    @example(value="x" * (MAX_SHORT_TEXT + 1), name="y" * 600, number="PC 1234")  # too long for one line
    @example(value="[b]" + "\x1b[31m" * 2 + "z" * MAX_LONG_TEXT, name="PC 1234", number="pc 1234")
    def fuzz(value: str, name: str, number: str) -> None:
        stats.examples += 1
        check_example(base, value, name, number, stats)

    if seed is not None:
        fuzz = hypothesis_seed(seed)(fuzz)
    started = time.perf_counter()
    fuzz()
    stats.seconds = time.perf_counter() - started
    return stats


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--examples", type=int, default=10_000, help="Hypothesis examples (default 10000)")
    ap.add_argument("--seed", type=int, default=None, help="Hypothesis seed (default: random, printed)")
    ap.add_argument("--dir", metavar="PATH", help="work in this directory (default: a temp dir, removed after)")
    args = ap.parse_args(argv)
    if args.examples < 1:
        ap.error("--examples must be at least 1")
    seed = args.seed if args.seed is not None else int.from_bytes(os.urandom(4), "big")

    print(
        f"hostile text fuzz: {args.examples:,} examples, seed {seed}, {len(FIELDS)} fields per example "
        f"+ a log summary + 2 reasons + Actor/Victim names"
    )
    print(
        f"machine: {platform.platform()}, nproc {os.cpu_count()}, Python {platform.python_version()}, "
        f"hypothesis {hypothesis.__version__}"
    )
    work = Path(tempfile.mkdtemp(prefix="ophamp-fuzz-", dir=args.dir))
    try:
        started = time.perf_counter()
        try:
            stats = run(args.examples, work, seed)
        except Exception:
            traceback.print_exc()
            print(f"FAIL after {time.perf_counter() - started:.1f} s (seed {seed})")
            return 1
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print()
    print(f"examples run                         {stats.examples:,}")
    print(f"field values stored and reloaded     {stats.values_stored:,}")
    print(f"values refused with a message        {stats.refused:,} (too long, or the victim's own number)")
    print(f"Actor/Victim names checked           {stats.names_checked:,}")
    print(f"longest input                        {stats.longest:,} characters")
    print(f"files scanned on disk                {stats.files_scanned:,} ({stats.bytes_scanned / 1e6:,.1f} MB)")
    print(f"escape/control/bidi chars on disk    {stats.bad_bytes}")
    print(f"time                                 {stats.seconds:.1f} s")
    print(f"PASS: {stats.examples:,} examples, 0 escape or control characters stored")
    return 0


if __name__ == "__main__":
    sys.exit(main())
