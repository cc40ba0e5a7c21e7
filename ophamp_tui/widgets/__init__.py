"""Pieces used by more than one screen."""
