"""The walk of ``content/``: which files it finds, by which paths, with which signatures."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import article, column
from provarchive import walk
from provarchive.walk import scan_content


def nested_site(make_site) -> Path:
    """A site with columns two levels deep, pictures, hidden and editor files, a column
    file, a file linked from inside ``content/`` and a named pipe in a nested column."""
    site = make_site(
        {
            "content/zhxx/_column.yaml": column("综合资讯", 1),
            "content/zhxx/a.md": article("春耕生产全面铺开", "2024-03-02"),
            "content/zhxx/yywl/_column.yaml": column("要闻", 1),
            "content/zhxx/yywl/b.md": article("高标准农田建设提速", "2024-03-20"),
            "content/zhxx/yywl/images/field.png": "not really a picture",
            "content/zhxx/yywl/.hidden.md": article("不应出现", "2024-03-21"),
            "content/zhxx/yywl/c.md~": "an editor's backup",
            "content/zcwj/d.md": article("关于做好春季防火工作的通知", "2024-04-01"),
        }
    )
    os.symlink("../zhxx/a.md", site / "content/zcwj/linked.md")
    os.mkfifo(site / "content/zhxx/yywl/pipe.md")
    return site


def test_the_walk_finds_each_file_by_its_path_with_the_signature_of_its_stat(make_site):
    site = nested_site(make_site)
    scan = scan_content(site)
    content = site / "content"
    assert list(scan.markdown) == ["zcwj/d.md", "zcwj/linked.md", "zhxx/a.md", "zhxx/yywl/b.md"]
    assert list(scan.assets) == ["zhxx/yywl/images/field.png"]
    assert sorted(scan.column_files) == ["zhxx/_column.yaml", "zhxx/yywl/_column.yaml"]
    assert sorted(scan.folders) == ["zcwj", "zhxx", "zhxx/yywl"]
    for found in (scan.markdown, scan.assets, scan.column_files):
        for path, signature in found.items():
            # a linked file has the signature of the file it leads to, as a read sees it
            assert signature == walk.signature((content / path).stat()), path
    [error] = scan.errors  # the pipe, named by its path under the nested column
    assert "not a regular file" in str(error)
    assert error.path is not None and Path(error.path).name == "pipe.md"
    assert Path(error.path).parent.name == "yywl"


def test_a_system_that_cannot_list_folders_by_descriptor_walks_them_by_path(
    make_site, monkeypatch: pytest.MonkeyPatch
):
    """Listing by descriptor is what Linux and macOS offer; elsewhere the walk lists each
    folder by its path, and finds the same files with the same signatures."""
    site = nested_site(make_site)
    by_descriptor = scan_content(site)
    assert os.scandir in os.supports_fd
    monkeypatch.setattr(os, "supports_fd", os.supports_fd - {os.scandir})
    by_path = scan_content(site)
    assert by_path.markdown == by_descriptor.markdown
    assert by_path.assets == by_descriptor.assets
    assert by_path.column_files == by_descriptor.column_files
    assert by_path.folders == by_descriptor.folders
    assert [str(e) for e in by_path.errors] == [str(e) for e in by_descriptor.errors]
