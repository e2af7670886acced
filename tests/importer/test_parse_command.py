"""The ``parse`` command as a user runs it: files, folders, and files that are no pages."""

from __future__ import annotations

import json
import shutil

from conftest import REPO, run_cli

PAGES = REPO / "tests" / "fixtures" / "import_sites"


def test_parse_takes_folders_recursively(tmp_path):
    nested = tmp_path / "pages" / "2023" / "07"
    nested.mkdir(parents=True)
    shutil.copy(PAGES / "yywl_full.txt", nested / "a.txt")
    shutil.copy(PAGES / "county_news.html", tmp_path / "pages" / "b.html")
    (tmp_path / "pages" / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0")
    (tmp_path / "pages" / ".hidden.html").write_text("<html></html>", "utf-8")
    result = run_cli("parse", "--json", tmp_path / "pages")
    assert result.code == 0, result.err
    files = [json.loads(line)["file"] for line in result.out.splitlines()]
    assert files == [str(nested / "a.txt"), str(tmp_path / "pages" / "b.html")]


def test_parse_names_a_missing_file_and_goes_on(tmp_path):
    result = run_cli("parse", tmp_path / "nothing.html", PAGES / "yywl_full.txt")
    assert result.code == 1
    assert result.err == f"{tmp_path / 'nothing.html'}: error: no such file or folder\n"
    assert "凝心聚力推动岚山高质量发展" in result.out


def test_parse_refuses_binary_files_in_one_line(tmp_path):
    image = tmp_path / "photo.html"
    image.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    packed = tmp_path / "packed.txt"  # no NUL byte, but control characters throughout
    packed.write_bytes(bytes(b for b in range(1, 128) if b not in b"\t\n\r\x0b\x0c") * 20)
    result = run_cli("parse", image, packed)
    assert result.code == 1 and result.out == ""
    lines = result.err.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(f"{image}: error: not a text file (it holds NUL bytes)")
    assert lines[1].startswith(f"{packed}: error: not a text file (")


def test_utf16_pages_are_text_not_binary(tmp_path):
    page = tmp_path / "wide.txt"
    text = (PAGES / "yywl_full.txt").read_text("utf-8")
    page.write_bytes(text.encode("utf-16"))
    result = run_cli("parse", "--json", page)
    assert result.code == 0, result.err
    assert json.loads(result.out)["title"] == "凝心聚力推动岚山高质量发展"


def test_import_refuses_a_binary_page_by_name(make_site, tmp_path):
    site = make_site({})
    bad = tmp_path / "in" / "t20230709_1.html"
    bad.parent.mkdir()
    bad.write_bytes(b"GIF89a\x01\x00\x01\x00\x00\x00\x00")
    result = run_cli("import", bad.parent, "--site", site)
    assert result.code == 1
    assert f"{bad}: error: not a text file" in result.err
