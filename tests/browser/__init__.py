"""Browser and standards tests of the built example archive (real Chromium, vnu, axe-core).

A package, so that its ``conftest.py`` does not shadow ``tests/conftest.py`` and its
modules are imported as ``browser.*``.
"""
