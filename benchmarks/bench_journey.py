#!/usr/bin/env python3
"""The 4-minute bar: a trained sergeant logs a new assault and completes steps 1 and 2.

Drives the real ``ophamp`` on an 80x24 pseudo-terminal with the keys a trained user presses (below),
one at a time, waiting after each until the screen has settled, and reports:

(a) the keystrokes that are not free text (Tab, Enter, F2, arrows, space, and letters that pick from a
    menu), and all keystrokes;
(b) the number of screens the user goes through;
(c) the total time the app took to respond: for each key, from writing it to the terminal to the last
    byte the app drew in answer (the screen then stays still for 0.25 s);
(d) a keystroke-level estimate (KLM) of a trained user's time: 0.28 s a key plus 1.35 s to think before
    each field or decision.

It does this with an empty store and with 10,000 fictional cases in it. Run from the repository root::

    .venv/bin/python benchmarks/bench_journey.py              # 0 and 10,000 cases
    .venv/bin/python benchmarks/bench_journey.py --sizes 0    # quicker

Exits 1 if the journey did not end with the case saved as typed.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ophamp_tui.data.identity import save_identity  # noqa: E402
from ophamp_tui.data.models import Actor  # noqa: E402
from ophamp_tui.data.seed import fictional_cases  # noqa: E402
from ophamp_tui.data.store import Store  # noqa: E402
from tests.pty_terminal import OPHAMP, Terminal, ophamp_env  # noqa: E402

TAB, ENTER, DOWN, F2, CTRL_S, CTRL_Q = "\t", "\r", "\x1b[B", "\x1bOQ", "\x13", "\x11"
KLM_KEY, KLM_THINK = 0.28, 1.35
USER = Actor(name="PS Sam Taylor", number="PS 4521", role="sergeant")


@dataclass
class Step:
    """Keys pressed for one field or decision: ``text`` is free text typed, ``keys`` the rest."""

    what: str
    keys: list[str] = field(default_factory=list)
    text: str = ""
    wait_for: str = ""  # what must be on screen before the first key (a new screen)
    think: bool = True  # a KLM mental step before it


def journey() -> list[Step]:
    def menu(what: str, letters: str) -> Step:  # type to pick with the menu closed, Enter to go on
        return Step(what, [*letters, ENTER])

    return [
        Step("open a new case", ["n"], wait_for="n New case"),
        Step("victim's name", [TAB], "PC Alex Morgan", wait_for="New case: an assault"),
        Step("victim's number", [TAB], "PC 7788"),
        Step("role: police officer (the default)", [TAB]),
        Step("when it happened", [TAB], "now"),
        Step("where", [TAB], "Custody, Northgate"),
        menu("type of place", "c"),
        menu("what was happening", "c"),
        Step("offence: AEW s1 (the default)", [TAB]),
        Step("method: spit", [DOWN, DOWN, DOWN, " ", TAB]),
        menu("injury: none", "n"),
        menu("medical care: first aid", "f"),
        Step("impact: psychological", [DOWN, " ", TAB]),
        Step("impact notes: later", [TAB]),
        menu("suspect: arrested", "a"),
        Step("create the case", [CTRL_S]),
        Step("open the next step (1)", [ENTER], wait_for="0/10 steps"),
        Step("supervisor: you (filled in)", [TAB, TAB], wait_for="Step 1 of 10"),
        Step("when you learned of it", [ENTER], "now"),
        Step("mark done: shows the H&S report is needed", [F2]),
        Step("health & safety report", [F2], "HS-2231"),
        Step("when you contacted the victim", [ENTER], "now", wait_for="Step 2 of 10"),
        menu("how: phone", "p"),
        Step("how are they?", [], "Shaken but OK; wants to finish the shift."),
        Step("mark done", [F2]),
    ]


@dataclass
class Result:
    cases: int
    screens: int = 0
    other_keys: int = 0
    text_keys: int = 0
    thinks: int = 0
    responses: list[float] = field(default_factory=list)
    by_step: dict[str, float] = field(default_factory=dict)  # response time per field or decision
    keys: list[tuple[float, str, str]] = field(default_factory=list)  # (response, field or decision, key)
    ok: bool = False

    @property
    def klm(self) -> float:
        return (self.other_keys + self.text_keys) * KLM_KEY + self.thinks * KLM_THINK


def press(term: Terminal, key: str, result: Result, what: str) -> None:
    sent = time.monotonic()
    term.send(key, pause=0)
    last = term.settle(since=sent)
    result.responses.append(max(0.0, last - sent))
    result.keys.append((result.responses[-1], what, key))


def run(cases: int, work: Path) -> Result:
    root = work / f"store-{cases}"
    store = Store(root)
    made = fictional_cases(cases, seed=7) if cases else []
    for start in range(0, len(made), 500):
        store.create_many(made[start : start + 500])
    env = ophamp_env(work, config=f"config-{cases}")
    save_identity(work / f"config-{cases}", USER)
    result = Result(cases)
    with Terminal([*OPHAMP, "--store", str(root)], env) as term:
        term.wait_for("Op Hampshire", timeout=120)
        term.settle(quiet=1.0, timeout=120)
        for step in journey():
            if step.wait_for:
                term.wait_for(step.wait_for, timeout=60)
                result.screens += 1
            result.thinks += step.think
            before = len(result.responses)
            for char in step.text:
                press(term, char, result, step.what)
                result.text_keys += 1
            for key in step.keys:
                press(term, key, result, step.what)
                result.other_keys += 1
            result.by_step[step.what] = sum(result.responses[before:])
        term.wait_for("Step 3 of 10", timeout=30)
        result.screens += 1
        term.send(CTRL_Q, pause=0)
        term.wait_exit(30)
    after = Store(root)
    new = [s for s in after.summaries() if not s.fictional]
    if len(new) == 1:
        case = after.load(new[0].id)
        step1, step2 = case.steps["supervisor_aware"], case.steps["welfare_contact"]
        result.ok = (
            case.victim.number == "PC 7788"
            and case.incident.methods == ["spit"]
            and step1.status == "done"
            and step1.fields.get("hs_report") == "HS-2231"
            and step1.fields.get("supervisor_number") == "PS 4521"
            and step2.status == "done"
        )
    return result


def report(results: list[Result]) -> None:
    print(
        f"{'cases':>7} {'screens':>7} {'keys':>5} {'not text':>8} {'fields':>6} {'KLM est.':>9} "
        f"{'app total':>9} {'median/key':>10} {'max/key':>8} ok"
    )
    for r in results:
        keys = r.other_keys + r.text_keys
        print(
            f"{r.cases:>7,} {r.screens:>7} {keys:>5} {r.other_keys:>8} {r.thinks:>6} {r.klm:>8.1f}s "
            f"{sum(r.responses):>8.2f}s {statistics.median(r.responses) * 1000:>8.0f}ms "
            f"{max(r.responses) * 1000:>6.0f}ms {'yes' if r.ok else 'NO'}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[0, 10_000], help="store sizes (cases)")
    parser.add_argument("--steps", action="store_true", help="also the response time of each step")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        results = [run(n, Path(tmp)) for n in args.sizes]
    report(results)
    if args.steps:
        for r in results:
            print(f"\n{r.cases:,} cases, response per field or decision:")
            for what, seconds in r.by_step.items():
                print(f"  {seconds * 1000:7.0f} ms  {what}")
            print(f"\n{r.cases:,} cases, the 12 slowest keys:")
            for seconds, what, key in sorted(r.keys, reverse=True)[:12]:
                print(f"  {seconds * 1000:7.0f} ms  {key!r:8} in {what}")
    return 0 if all(r.ok for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
