"""``python -m provarchive``: the command line."""

from .cli import run

run()
