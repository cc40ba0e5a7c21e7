"""Who is using this workstation: remembered in the user config directory."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import ValidationError

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
