"""provarchive: a static site generator for Chinese-language news archives."""

__version__ = "0.1.0"
"""The release; written here (not read from the installed metadata, which costs a
noticeable share of a command's start-up) and read by pyproject.toml."""
