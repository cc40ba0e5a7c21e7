"""User text is stored and shown literally: no terminal control codes, no bidi tricks."""

from __future__ import annotations

import pytest

from ophamp_tui.data.models import Actor, Victim
from ophamp_tui.data.text import clean_text, normalise_number, same_number, same_victim


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        # CSI: colours, cursor movement, clear screen.
        ("\x1b[31mred\x1b[0m text", "red text"),
        ("a\x1b[2J\x1b[Hb", "ab"),
        ("x\x1b[1;31;40my", "xy"),
        ("up\x1b[10Adown", "updown"),
        ("\x1b[?25lhidden cursor", "hidden cursor"),
        # 8-bit CSI.
        ("a\x9b31mb", "ab"),
        # OSC: window title (BEL and ST terminated), hyperlinks.
        ("\x1b]0;pwned\x07Smith", "Smith"),
        ("\x1b]2;title\x1b\\Jones", "Jones"),
        ("\x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\", "click"),
        # DCS and other escapes.
        ("a\x1bP1$r\x1b\\b", "ab"),
        ("a\x1bcb", "ab"),  # RIS: full terminal reset
        ("a\x1b7b\x1b8c", "abc"),  # save/restore cursor
        ("a\x1b#8b", "ab"),  # DECALN: fill the screen with E
        ("a\x1b(0b", "ab"),  # line-drawing character set
        ("a\x1b=b\x1b>", "ab"),  # keypad modes
        # A lone ESC.
        ("a\x1b\u00e9", "a\u00e9"),
        ("end\x1b", "end"),
    ],
)
def test_clean_text_strips_escape_sequences(raw, clean):
    assert clean_text(raw) == clean


# ESC (0x1B) and 0x9B (8-bit CSI) start sequences that take the next characters with them: cases above.
@pytest.mark.parametrize(
    "ch",
    [
        chr(c)
        for c in (*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F, *range(0x80, 0xA0))
        if c not in (0x1B, 0x9B)
    ],
)
def test_clean_text_strips_c0_c1_controls_and_del(ch):
    assert clean_text(f"ab{ch}cd") == "abcd"
    assert clean_text(f"ab{ch}cd", multiline=True) == "abcd"


def test_clean_text_strips_nul():
    assert clean_text("PC\x00 1234\x00") == "PC 1234"


@pytest.mark.parametrize(
    "ch",
    [
        "\u202a",
        "\u202b",
        "\u202c",
        "\u202d",
        "\u202e",
        "\u2066",
        "\u2067",
        "\u2068",
        "\u2069",
        "\u200e",
        "\u200f",
        "\u061c",
    ],
)
def test_clean_text_strips_bidi_controls(ch):
    assert clean_text(f"invoice{ch}fdp.exe") == "invoicefdp.exe"


def test_clean_text_right_to_left_override_cannot_reverse_a_name():
    assert clean_text("Smith \u202enhoJ\u202c") == "Smith nhoJ"
    assert clean_text("\u2066\u2067\u2068\u2069") == ""


def test_clean_text_strips_lone_surrogates():
    assert clean_text("a\ud800b") == "ab"


@pytest.mark.parametrize(
    "kept",
    [
        "👮‍♀️ PC O'Brien 🚓",  # emoji with a zero-width joiner and variation selector
        "[/] O'Brien [b",
        "[bold red]not markup[/bold red]",
        "[link=https://example.com]x[/link]",
        "${HOME} $(rm -rf /) `id` %s {0}",
        "<script>alert(1)</script>",
        "Zoë Ní Bhriain – Łódź – 東京 – مرحبا",
        "100% \\ back\\slash",
    ],
)
def test_clean_text_keeps_ordinary_text_literally(kept):
    assert clean_text(kept) == kept


def test_clean_text_single_line_turns_newlines_and_tabs_into_spaces():
    assert clean_text("one\ntwo\r\nthree\rfour\tfive") == "one two three four five"


def test_clean_text_multiline_keeps_newlines_and_tabs():
    assert clean_text("one\ntwo\r\nthree\rfour\tfive", multiline=True) == "one\ntwo\nthree\nfour\tfive"


def test_clean_text_multiline_still_strips_controls():
    assert clean_text("line 1\n\x1b[31mline 2\x07\n\u202eline 3", multiline=True) == "line 1\nline 2\nline 3"


def test_clean_text_trims_and_limits_length():
    assert clean_text("   padded   ") == "padded"
    assert clean_text("x" * 50, max_len=10) == "x" * 10
    assert len(clean_text("y" * 30_000)) == 20_000


def test_clean_text_non_strings_become_text():
    assert clean_text(1234) == "1234"


def test_models_clean_what_they_are_given():
    who = Actor(name="\x1b]0;x\x07PS \u202eDana", number="PS\x00 4521")
    assert who.name == "PS Dana"
    assert who.number == "PS 4521"
    assert Victim(name="Sam\nOkafor", number="1234").name == "Sam Okafor"


@pytest.mark.parametrize(
    ("raw", "number"),
    [
        ("1234", "1234"),
        ("PC 1234", "PC1234"),
        ("pc1234", "PC1234"),
        ("Pc-1234", "PC1234"),
        (" 1234 ", "1234"),
        ("PCSO 5678", "PCSO5678"),  # the rank is kept: a PCSO 5678 is not a PC 5678
        ("DC 42", "DC42"),
        ("PS 4521", "PS4521"),
        ("Sgt 4521", "PS4521"),  # one rank, two spellings
        ("SC 77", "SC77"),
        ("Insp 9", "INSP9"),
        ("e1234", "E1234"),
        ("AB 12 cd", "AB12CD"),
        ("PC\x1b[31m1234", "PC1234"),
        ("", ""),
        (None, ""),
    ],
)
def test_normalise_number(raw, number):
    assert normalise_number(raw) == number


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("PC 1234", "pc1234", True),
        ("PC 1234", "1234", True),  # typed without the rank: cannot be told apart, so treated as maybe the same
        ("1234", "PCSO 1234", True),
        ("PCSO 7716", "PC 7716", False),  # different ranks are different people (DOMAIN.md, repeat victims)
        ("PS 4521", "Sgt 4521", True),
        ("PC 1234", "PC 12345", False),
        ("", "1234", False),
        (None, None, False),
    ],
)
def test_same_number(a, b, same):
    assert same_number(a, b) is same
    assert same_number(b, a) is same


def test_a_warrant_number_decides_when_both_cases_have_one():
    """A warrant/staff number is unique in the force: it outranks collar numbers that look alike."""
    assert same_victim("PC 1234", "W100", "PC 1234", "W200") is False
    assert same_victim("PC 1234", "W100", "PCSO 9999", "w100") is True
    assert same_victim("PC 1234", "", "PC 1234", "W200") is True  # only one has it: the collar numbers decide


def test_normalise_number_rank_words_alone_are_not_stripped():
    # "PC" with no digits after it is not a rank prefix in front of a number.
    assert normalise_number("PC") == "PC"
    assert normalise_number("PCSO") == "PCSO"
