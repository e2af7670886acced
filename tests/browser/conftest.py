"""Fixtures of the browser tests: the example archive built once, served twice, and Chromium.

- ``site``: the example archive built into ``<tmp>/www/archive`` (once per session).
- ``root_server`` serves it from ``/``; ``sub_server`` serves ``<tmp>/www``, so the site
  lives at ``/archive/`` (the path of the example's ``base_url``). Both answer missing
  files with the site's ``404.html``, as static hosts do.
- ``browser``: headless Chromium, one per test module; ``open_tab(width)`` opens a page in
  a fresh context and records console errors, script errors and failed requests.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from browser.support import (
    CHROMIUM_ARGS,
    MOUNT,
    SiteServer,
    chromium_path,
    missing,
    serve,
)
from conftest import REPO, run_cli

_SHOTS = pytest.StashKey[Path]()


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Path:
    """The example archive, built into a ``www/archive`` folder.

    Built from a copy of its sources, so that a build of the repository running at the
    same time (``make site``) neither blocks this one nor sees its cache.
    """
    work = tmp_path_factory.mktemp("browser")
    source = work / "example"
    source.mkdir()
    shutil.copy2(REPO / "site.yaml", source / "site.yaml")
    for folder in ("content", "templates", "topics"):
        shutil.copytree(REPO / folder, source / folder)
    out = work / "www" / MOUNT.strip("/")
    result = run_cli("build", source, "-o", out)
    assert result.code == 0, f"the example archive did not build:\n{result.err}"
    return out


@pytest.fixture(scope="session")
def root_server(site) -> Iterator[SiteServer]:
    """The site served from the root of a local HTTP server."""
    server = serve("root", site, site, "/")
    yield server
    server.close()


@pytest.fixture(scope="session")
def sub_server(site) -> Iterator[SiteServer]:
    """The site served from the subfolder ``/archive/`` of a local HTTP server."""
    server = serve("subfolder", site.parent, site, MOUNT)
    yield server
    server.close()


@pytest.fixture(params=["root", "subfolder"])
def server(request) -> SiteServer:
    """Each of the two servers in turn."""
    return request.getfixturevalue(
        {"root": "root_server", "subfolder": "sub_server"}[request.param]
    )


@pytest.fixture(scope="module")
def browser():
    """Headless Debian Chromium driven by Playwright (no downloaded browser)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing("the playwright Python package is not installed (pip install playwright)")
    executable = chromium_path()
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


class Tab:
    """A page in its own browser context, with what went wrong while it was used."""

    def __init__(self, browser, width: int, height: int):
        self.context = browser.new_context(
            viewport={"width": width, "height": height}, locale="zh-CN"
        )
        self.context.set_default_timeout(10_000)
        self.page = self.context.new_page()
        self.problems: list[str] = []
        self.expected_missing: set[str] = set()
        self.page.on("pageerror", lambda error: self.problems.append(f"script error: {error}"))
        self.page.on("console", self._console)
        self.page.on("response", self._response)
        self.page.on("requestfailed", self._failed)

    def _console(self, message) -> None:
        if message.type == "error" and "status of 404" not in message.text:
            self.problems.append(f"console error on {self.page.url}: {message.text}")

    def _response(self, response) -> None:
        if response.status >= 400 and response.url not in self.expected_missing:
            self.problems.append(f"HTTP {response.status} for {response.url}")

    def _failed(self, request) -> None:
        if request.failure != "net::ERR_ABORTED":  # cut short by the next navigation
            self.problems.append(f"request failed: {request.url} ({request.failure})")

    def goto(self, url: str, status: int = 200):
        """Open ``url`` and check the HTTP status of the document."""
        if status == 404:
            self.expected_missing.add(url)
        response = self.page.goto(url, wait_until="load")
        assert response is not None, f"no response for {url}"
        assert response.status == status, f"{url}: HTTP {response.status}, expected {status}"
        return response

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def open_tab(browser) -> Iterator[Callable[..., Tab]]:
    """``open_tab(width=1280, height=900)`` opens a fresh page; closed after the test."""
    tabs: list[Tab] = []

    def open_(width: int = 1280, height: int = 900) -> Tab:
        tabs.append(Tab(browser, width, height))
        return tabs[-1]

    yield open_
    for tab in tabs:
        tab.close()


@pytest.fixture(scope="session")
def screenshot_dir(request) -> Path:
    """Where screenshots go: ``$PROVARCHIVE_ARTIFACTS/screenshots`` or
    ``test-artifacts/screenshots`` at the repository root (git-ignored)."""
    base = Path(os.environ.get("PROVARCHIVE_ARTIFACTS") or REPO / "test-artifacts")
    folder = base / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    request.config.stash[_SHOTS] = folder
    return folder


def pytest_terminal_summary(terminalreporter, config):
    folder = config.stash.get(_SHOTS, None)
    if folder is not None:
        terminalreporter.write_line(f"browser screenshots: {folder}")
