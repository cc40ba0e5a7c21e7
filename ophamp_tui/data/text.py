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


_RANK_PREFIX = re.compile(r"^(?:PCSO|PC|DC|PS|DS|SGT|INSP|DI|CI|DCI|SC|SPC)(?=\d)")


def normalise_number(value: str | None) -> str:
    """Collar or staff number in a form that compares reliably.

    ``"pc 1234"``, ``"PC1234"`` and ``"1234"`` all become ``"1234"``: people
    type the rank in front of a collar number, and the rule "the victim cannot
    investigate their own assault" must not be dodged by a prefix.
    """
    if not value:
        return ""
    compact = re.sub(r"[^0-9A-Za-z]", "", clean_text(value)).upper()
    return _RANK_PREFIX.sub("", compact)
