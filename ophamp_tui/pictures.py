"""Screenshots as PNG as well as SVG: with ``rsvg-convert`` (librsvg) or the cairosvg package, where present."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess

TIMEOUT = 30  # seconds: a screen's SVG converts in well under one


def png_converter() -> str | None:
    """ "rsvg-convert", "cairosvg", or None when neither is installed."""
    if shutil.which("rsvg-convert"):
        return "rsvg-convert"
    if importlib.util.find_spec("cairosvg") is not None:
        return "cairosvg"
    return None


def svg_to_png(svg: str) -> bytes:
    """The PNG of ``svg``; ValueError (in words) if it cannot be made."""
    data = svg.encode("utf-8")
    which = png_converter()
    if which == "rsvg-convert":
        try:
            done = subprocess.run(  # noqa: S603 - a fixed program, the picture on stdin
                ["rsvg-convert", "--format=png"], input=data, capture_output=True, timeout=TIMEOUT, check=False
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise ValueError(f"rsvg-convert did not run ({type(exc).__name__})") from None
        if done.returncode != 0 or not done.stdout.startswith(b"\x89PNG"):
            raise ValueError("rsvg-convert could not read the picture")
        return done.stdout
    if which == "cairosvg":
        import cairosvg  # type: ignore[import-not-found]  # noqa: PLC0415 - optional

        result = cairosvg.svg2png(bytestring=data)
        if not isinstance(result, bytes):
            raise ValueError("cairosvg made no picture")
        return result
    raise ValueError("neither rsvg-convert nor cairosvg is installed")
