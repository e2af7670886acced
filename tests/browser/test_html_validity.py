"""Every HTML page of the example archive passes the Nu HTML Checker (vnu) with no error.

vnu runs once over every page (legacy redirect pages ending in .shtml or .htm included:
they are passed by name and read as HTML), and once over the theme's stylesheets.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from browser.support import vnu_command
from sitecheck import is_html


def run_vnu(options: list[str], files: list[Path], site: Path) -> list[dict]:
    """Run vnu over ``files``; return its messages (site paths in ``url``)."""
    result = subprocess.run(
        [*vnu_command(), *options, "--format", "json", "--stdout", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.stdout.strip(), (
        f"vnu printed nothing (exit {result.returncode}):\n{result.stderr}"
    )
    messages = json.loads(result.stdout)["messages"]
    for message in messages:
        url = message.get("url", "")
        if "/" + site.name + "/" in url:
            message["url"] = url.split("/" + site.name + "/", 1)[1]
    return messages


def describe(message: dict) -> str:
    where = f"{message.get('url', '?')}:{message.get('lastLine', '?')}"
    extract = (message.get("extract") or "").strip().replace("\n", " ")
    return f"{where}: {message['type']}: {message['message']}" + (
        f"  [{extract[:100]}]" if extract else ""
    )


def errors_of(messages: list[dict]) -> list[str]:
    return [describe(m) for m in messages if m["type"] in ("error", "non-document-error")]


def test_every_html_page_passes_the_nu_html_checker(site):
    pages = sorted(p for p in site.rglob("*") if p.is_file() and is_html(p))
    legacy = [p for p in pages if p.suffix in (".shtml", ".htm")]
    assert len(pages) > 100 and legacy, "expected every page, legacy redirects included"
    messages = run_vnu(["--html"], pages, site)
    errors = errors_of(messages)
    assert errors == [], f"{len(errors)} vnu errors in {len(pages)} pages:\n" + "\n".join(errors)


def test_theme_stylesheets_pass_the_css_checker(site):
    sheets = sorted((site / "static").glob("*.css"))
    assert sheets, "the theme has stylesheets"
    errors = errors_of(run_vnu(["--css"], sheets, site))
    assert errors == [], "CSS errors:\n" + "\n".join(errors)
