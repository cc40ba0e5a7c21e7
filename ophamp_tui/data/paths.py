"""Where things live: the store and the workstation's user settings."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_config_path, user_data_path

APP_NAME = "ophamp"


def default_store() -> Path:
    return user_data_path(APP_NAME, appauthor=False) / "store"


def resolve_store(flag: str | None) -> Path:
    """``--store`` wins, then ``OPHAMP_STORE``, then the platform's user data directory."""
    if flag:
        return Path(flag).expanduser()
    env = os.environ.get("OPHAMP_STORE")
    if env:
        return Path(env).expanduser()
    return default_store()


def config_dir() -> Path:
    env = os.environ.get("OPHAMP_CONFIG")
    if env:
        return Path(env).expanduser()
    return user_config_path(APP_NAME, appauthor=False)


def demo_store() -> Path:
    """Training mode's own store: never the live one."""
    return user_data_path(APP_NAME, appauthor=False) / "training-store"
