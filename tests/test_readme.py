"""The README's walkthrough, run as a new user would type it, so that it cannot drift."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import REPO, require_all

README = REPO / "README.md"


def shell_block(heading: str) -> str:
    """Return the first ```sh block after the README heading ``heading``."""
    text = README.read_text("utf-8")
    section = text.split(f"\n## {heading}\n", 1)[1]
    match = re.search(r"^```sh\n(.*?)^```$", section, re.MULTILINE | re.DOTALL)
    assert match, f"no sh block under '## {heading}'"
    return match.group(1)


def test_start_a_site_of_your_own_walkthrough_works(tmp_path: Path):
    if shutil.which("make") is None:
        if require_all():
            pytest.fail("make is required (PROVARCHIVE_REQUIRE_ALL=1) to run the walkthrough")
        pytest.skip("make is not installed: the README walkthrough starts with make")
    block = shell_block("Start a site of your own")
    assert "/path/to/provarchive" in block
    script = block.replace("/path/to/provarchive", str(REPO))
    # The walkthrough's make step installs provarchive into the checkout's .venv, which
    # runs this test: bring it up to date first with this session's own PATH (make test
    # does the same), so that the bare PATH below never rebuilds it with another Python.
    subprocess.run(["make", "-C", str(REPO), ".venv/.installed"], check=True, capture_output=True)
    # a new terminal: provarchive is nowhere on PATH until the walkthrough puts it there
    path = ":".join(d for d in ("/usr/local/bin", "/usr/bin", "/bin") if Path(d).is_dir())
    result = subprocess.run(
        ["sh", "-eu", "-c", script],
        cwd=tmp_path,
        env={"PATH": path, "HOME": str(tmp_path), "LANG": "C.UTF-8"},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    public = tmp_path / "mysite" / "public"
    assert (public / "index.html").is_file()
    page = public / "zhxx/yywl/202405/t20240508_001.html"
    assert "全县春耕生产有序推进" in page.read_text("utf-8")
    assert "built 1 article" in result.stdout
