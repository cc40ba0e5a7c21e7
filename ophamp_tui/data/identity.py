"""Who is using this workstation: remembered in the user config directory."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel, ValidationError

from . import atomic
from .models import Actor

FILE_NAME = "identity.json"


def load_identity(directory: Path) -> Actor | None:
    path = directory / FILE_NAME
    try:
        return Actor.model_validate(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, ValidationError):
        return None


def save_identity(directory: Path, who: Actor) -> None:
    atomic.make_private_dir(directory)
    atomic.atomic_write(directory / FILE_NAME, who.model_dump_json().encode("utf-8"))


# --- where the user was: offered again on the next start ------------------------------------------

PLACE_FILE = "place.json"


class Place(BaseModel):
    """The case (and step) the user was on when ophamp last closed."""

    case_id: str
    step: str = ""


def load_place(directory: Path) -> Place | None:
    try:
        return Place.model_validate(json.loads((directory / PLACE_FILE).read_text(encoding="utf-8")))
    except (OSError, ValueError, ValidationError):
        return None


def save_place(directory: Path, place: Place | None) -> None:
    """Remember ``place`` (None: nowhere in particular). Never stops the app: it is only a convenience."""
    path = directory / PLACE_FILE
    try:
        if place is None:
            path.unlink(missing_ok=True)
            return
        atomic.make_private_dir(directory)
        atomic.atomic_write(path, place.model_dump_json().encode("utf-8"), durable=False)
    except OSError:
        pass


# --- the theme chosen on this workstation ----------------------------------------------------------

THEME_FILE = "theme.txt"


def load_theme(directory: Path) -> str:
    try:
        return (directory / THEME_FILE).read_text(encoding="utf-8").strip()[:60]
    except OSError:
        return ""


def save_theme(directory: Path, theme: str) -> None:
    try:
        atomic.make_private_dir(directory)
        atomic.atomic_write(directory / THEME_FILE, theme.encode("utf-8"), durable=False)
    except OSError:
        pass  # a convenience: the next start uses the default
