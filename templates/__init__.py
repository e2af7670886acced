"""The default theme: this folder ships inside the package as ``provarchive.templates``."""
