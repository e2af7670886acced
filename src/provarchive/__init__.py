"""provarchive: a static site generator for Chinese-language news archives."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("provarchive")
except PackageNotFoundError:  # running from a source tree without an install
    __version__ = "0.0.0"
