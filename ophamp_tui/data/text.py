"""Cleaning text a user typed before it is stored or shown.

Terminal control characters (C0, C1, DEL), escape sequences and bidi
overrides are removed so nothing typed can move the cursor, change colours,
set the window title or reorder what a reader sees. Newlines and tabs survive
only in fields that allow several lines.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

# ESC-introduced sequences: CSI (ESC [ ... final), OSC (ESC ] ... BEL/ST), other two-byte escapes.
_ESCAPE_SEQ = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC
    r"|\x1b[PX^_][^\x1b]*(?:\x1b\\)?"  # DCS / SOS / PM / APC
    r"|\x1b[ -/]*[0-~]"  # other escapes: ESC c, ESC 7, ESC ( 0, ESC # 8 ...
    r"|\x9b[0-?]*[ -/]*[@-~]"  # 8-bit CSI
)

# Bidi embedding/override/isolate controls and other invisible format controls
# that can make text read differently from how it is stored.
_BIDI = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C)}


def _keep(ch: str, multiline: bool) -> bool:
    if multiline and ch in "\n\t":
        return True
    if ch in _BIDI:
        return False
    cat = unicodedata.category(ch)
    # Cc: C0/C1 controls and DEL; Cs: lone surrogates (cannot be written as UTF-8).
    return cat not in ("Cc", "Cs")


# Anything strip_controls would remove (or rewrite: CR). Checked first, so clean text costs one scan.
_SUSPECT = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def without_controls(value: Any) -> Any:
    """Every string inside ``value`` (dicts and lists too) with control codes removed; newlines kept."""
    if isinstance(value, str):
        return strip_controls(value, multiline=True) if _SUSPECT.search(value) else value
    if isinstance(value, dict):
        return {k: without_controls(v) for k, v in value.items()}
    if isinstance(value, list):
        return [without_controls(v) for v in value]
    return value


def strip_controls(value: str, *, multiline: bool = False) -> str:
    """Remove escape sequences and control characters, keeping everything else as typed."""
    value = _ESCAPE_SEQ.sub("", value)
    if not multiline:
        value = value.replace("\r\n", " ").replace("\n", " ").replace("\r", " ").replace("\t", " ")
    else:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    return "".join(ch for ch in value if _keep(ch, multiline))


def clean_text(value: str, *, multiline: bool = False, max_len: int | None = 20_000) -> str:
    """Return ``value`` with escape sequences and control characters removed.

    Single-line fields also lose newlines and tabs (replaced with a space).
    Leading and trailing white space is trimmed. Text longer than ``max_len``
    characters is cut there (and trimmed again, so cleaning what this returns
    gives it back unchanged: a name saved cut at a space reads back the same).
    """
    if not isinstance(value, str):
        value = str(value)
    text = strip_controls(value, multiline=multiline).strip()
    return text if max_len is None else text[:max_len].rstrip()


_LEADING_LETTERS = re.compile(r"^([A-Z]*)(.*)$")
_RANK_SYNONYMS = {"SGT": "PS"}


def normalise_number(value: str | None) -> str:
    """A collar or staff number in a form that compares reliably, rank kept.

    ``"pc 1234"``, ``"PC1234"`` and ``"Pc-1234"`` all become ``"PC1234"``; ``"PCSO 7716"``
    stays ``"PCSO7716"``: a PCSO 7716 and a PC 7716 are different people.
    """
    if not value:
        return ""
    if value.isascii() and value.isalnum() and len(value) <= 20_000:
        compact = value.upper()  # nothing to clean: the quick way for numbers as the summaries hold them
    else:
        compact = re.sub(r"[^0-9A-Za-z]", "", clean_text(value)).upper()
    prefix, rest = _split(compact)
    return _RANK_SYNONYMS.get(prefix, prefix) + rest if rest else compact


def _split(number: str) -> tuple[str, str]:
    """(the letters in front, the rest from the first digit): ``"PCSO7716"`` gives ``("PCSO", "7716")``."""
    match = _LEADING_LETTERS.match(number)
    assert match is not None  # the pattern matches any string
    return match.group(1), match.group(2)


def same_number(a: str | None, b: str | None) -> bool:
    """Could these be the same person's collar/staff number?

    The same number (rank and all), or the same digits where one of them was typed without a
    rank ("1234" and "PC 1234"): it cannot be told apart, and letting a victim investigate their
    own assault is worse than asking. Different ranks are different people ("PCSO 7716" is not
    "PC 7716").
    """
    na, nb = normalise_number(a), normalise_number(b)
    if not na or not nb:
        return False
    if na == nb:
        return True
    (pa, ra), (pb, rb) = _split(na), _split(nb)
    return bool(ra) and ra == rb and not (pa and pb)


def number_key(value: str | None) -> str:
    """What two numbers that may be the same person share: the number without its rank."""
    number = normalise_number(value)
    return _split(number)[1] or number


def same_victim(number_a: str, staff_a: str, number_b: str, staff_b: str) -> bool:
    """The same victim: by warrant/staff number where both cases have one (unique in the force), else
    by collar/staff number as entered (see ``same_number``)."""
    if staff_a and staff_b:
        return normalise_number(staff_a) == normalise_number(staff_b)
    return same_number(number_a, number_b)


def plural(count: int, word: str, many: str = "") -> str:
    """``1 case``, ``2 cases``, ``0 cases``."""
    return f"{count:,} {word if count == 1 else (many or word + 's')}"
