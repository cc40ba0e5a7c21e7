"""Benchmark and reliability scripts. A package so tests can import the reusable loops."""
