"""ophamp_tui: a terminal guide through Operation Hampshire for police supervisors."""

__version__ = "0.1.0"
