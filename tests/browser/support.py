"""Helpers of the browser and standards tests: tools, local HTTP servers, the example content.

Tools a user may lack are looked up here; each lookup skips the test with the reason
when the tool is missing, or fails it when ``PROVARCHIVE_REQUIRE_ALL=1`` (CI).

Where the tools are found:

- Chromium: ``$PROVARCHIVE_CHROMIUM``, else ``chromium`` on the PATH (Debian's package);
  driven by the Python ``playwright`` package, which never downloads a browser here.
- axe-core: ``$PROVARCHIVE_AXE_JS``, else ``tests/browser/node_modules/axe-core/axe.min.js``
  (``npm ci --ignore-scripts`` in ``tests/browser/`` installs it from ``package.json``).
- The Nu HTML Checker: ``$PROVARCHIVE_VNU_JAR``, else
  ``tests/browser/node_modules/vnu-jar/build/dist/vnu.jar`` (same npm install; a recent
  checker, which knows CSS such as ``:has()``), run with ``java`` (17 or newer).
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar, NoReturn
from urllib.parse import quote

import pytest
import yaml

from conftest import REPO, require_all

HERE = Path(__file__).resolve().parent
NODE_MODULES = HERE / "node_modules"
MOUNT = "/archive/"
"""Where the subfolder server shows the site: the path of the example's ``base_url``."""

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def missing(reason: str) -> NoReturn:
    """Skip the test for a missing tool, or fail it when every tool is required (CI)."""
    if require_all():
        pytest.fail(f"{reason} (PROVARCHIVE_REQUIRE_ALL=1: a missing tool is a failure)")
    pytest.skip(reason)


def chromium_path() -> str:
    """The Chromium executable to drive."""
    found = os.environ.get("PROVARCHIVE_CHROMIUM") or shutil.which("chromium")
    if not found or not Path(found).is_file():
        missing("Chromium is not installed (apt-get install chromium, or set PROVARCHIVE_CHROMIUM)")
    return found


def axe_path() -> Path:
    """axe-core's ``axe.min.js``."""
    found = Path(os.environ.get("PROVARCHIVE_AXE_JS") or NODE_MODULES / "axe-core" / "axe.min.js")
    if not found.is_file():
        missing(
            f"axe-core not found at {found} (run `npm ci --ignore-scripts` in tests/browser, "
            "or set PROVARCHIVE_AXE_JS to axe.min.js)"
        )
    return found


def vnu_command() -> list[str]:
    """The command that runs the Nu HTML Checker."""
    java = shutil.which("java")
    if java is None:
        missing("Java is not installed: the Nu HTML Checker (vnu.jar) needs Java 17 or newer")
    jar = Path(
        os.environ.get("PROVARCHIVE_VNU_JAR")
        or NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
    )
    if not jar.is_file():
        missing(
            f"vnu.jar not found at {jar} (run `npm ci --ignore-scripts` in tests/browser, "
            "or set PROVARCHIVE_VNU_JAR)"
        )
    return [java, "-jar", str(jar)]


# ---- local HTTP servers ----------------------------------------------------------------


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Serves files as a static host does: 404.html for anything missing."""

    extensions_map: ClassVar[dict[str, str]] = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".html": "text/html; charset=utf-8",
        ".htm": "text/html; charset=utf-8",
        ".shtml": "text/html; charset=utf-8",
        ".js": "text/javascript; charset=utf-8",
        ".css": "text/css; charset=utf-8",
        ".svg": "image/svg+xml",
        ".xml": "application/xml",
    }

    def __init__(self, *args, not_found: Path, **kwargs):
        self.not_found = not_found
        super().__init__(*args, **kwargs)

    def send_error(self, code, message=None, explain=None):
        if code != 404 or not self.not_found.is_file():
            super().send_error(code, message, explain)
            return
        body = self.not_found.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, format, *args):  # quiet
        pass


@dataclass
class SiteServer:
    """A built site served over HTTP on 127.0.0.1, the site's root at ``mount``."""

    name: str
    site: Path
    mount: str
    origin: str
    server: http.server.ThreadingHTTPServer

    def url(self, path: str = "") -> str:
        """The URL of the site path ``path`` ("" for the site's root folder)."""
        return self.origin + quote(self.mount + path.lstrip("/"), safe="/%?=&#")

    def site_path(self, url: str) -> str | None:
        """The site path a URL of this server names, or None when it is outside the site."""
        prefix = self.origin + self.mount
        if not url.startswith(prefix):
            return None
        return url[len(prefix) :].split("#")[0].split("?")[0]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def serve(name: str, folder: Path, site: Path, mount: str) -> SiteServer:
    """Serve ``folder`` (which holds ``site`` at URL path ``mount``) on a free port."""
    handler = functools.partial(_Handler, directory=str(folder), not_found=site / "404.html")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name=f"http-{name}", daemon=True).start()
    origin = f"http://127.0.0.1:{server.server_address[1]}"
    return SiteServer(name, site, mount, origin, server)


# ---- the example content ---------------------------------------------------------------


@dataclass(frozen=True)
class ExampleArticle:
    """What the tests need of one article of the example archive."""

    source: str
    """The Markdown file, relative to ``content/``."""
    title: str
    column: str
    slug: str
    aliases: tuple[str, ...]

    def page(self, site: Path) -> str:
        """The built page's site path (found by slug under the article's column)."""
        found = [
            p.relative_to(site).as_posix() for p in (site / self.column).glob(f"*/{self.slug}.html")
        ]
        assert len(found) == 1, f"{self.source}: expected one built page, found {found}"
        return found[0]


def _front_matter(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8").split("---", 2)[1])


@functools.cache
def example_articles() -> tuple[ExampleArticle, ...]:
    """Every published article of the example archive, by file name."""
    content = REPO / "content"
    found = []
    for path in sorted(content.rglob("*.md")):
        meta = _front_matter(path)
        if meta.get("draft"):
            continue
        found.append(
            ExampleArticle(
                source=path.relative_to(content).as_posix(),
                title=str(meta["title"]),
                column=path.parent.relative_to(content).as_posix(),
                slug=str(meta.get("slug") or path.stem),
                aliases=tuple(meta.get("aliases") or ()),
            )
        )
    return tuple(found)


def column_title(column: str) -> str:
    """The title of the column at ``content/COLUMN``."""
    return str(_yaml(REPO / "content" / column / "_column.yaml")["title"])


def _yaml(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def site_config() -> dict:
    """The example archive's ``site.yaml``."""
    return _yaml(REPO / "site.yaml")


def paged_column(site: Path) -> str:
    """A top-level column whose list has a second page."""
    found = sorted(p.parent.name for p in site.glob("*/index_2.html"))
    assert found, "the example archive should have a top-level column with a page 2"
    return found[0]


def top_columns() -> list[str]:
    """The top-level columns' folders."""
    return sorted(p.parent.name for p in (REPO / "content").glob("*/_column.yaml"))


def is_cjk(text: str) -> bool:
    return all("\u4e00" <= ch <= "\u9fff" for ch in text)


def search_target() -> tuple[ExampleArticle, str]:
    """An article and a two-character word that appears in its title and no other."""
    articles = example_articles()
    for candidate in articles:
        title = candidate.title
        for word in (title[i : i + 2] for i in range(len(title) - 1)):
            if is_cjk(word) and sum(word in other.title for other in articles) == 1:
                return candidate, word
    raise AssertionError("no article title has a two-character word of its own")


def article_with_image(site: Path) -> ExampleArticle:
    """An article whose page shows an image."""
    return next(
        item for item in example_articles() if "<img" in (site / item.page(site)).read_text("utf-8")
    )
