"""The walk of ``content/``: which files it finds, by which paths, with which signatures."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

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


RESCANNED = (
    "zhxx/a.md",
    "zhxx/new.md",
    "zhxx/_column.yaml",
    "zhxx/yywl/b.md",
    "zhxx/yywl/images/field.png",
    "zcwj/d.md",
    "zcwj/notice.pdf",
    "tp/photo.jpg",
    "tp/caption.md",
    "zhxx/.draft.md",
    "zhxx/a.md~",
    "_hold/e.md",
)
"""Files a rescan looks at: articles, column files, other files, hidden and editor
files, a file in a folder the walk leaves out, in columns and in ``tp/``, a folder of
pictures only until an article is saved in it."""


def rescan_site(root: Path) -> Path:
    """A site for rescans: columns two levels deep and a folder of pictures only."""
    for path, text in {
        "zhxx/_column.yaml": column("综合资讯", 1),
        "zhxx/a.md": article("春耕生产全面铺开", "2024-03-02"),
        "zhxx/yywl/b.md": article("高标准农田建设提速", "2024-03-20"),
        "zhxx/yywl/images/field.png": "not really a picture",
        "zcwj/d.md": article("关于做好春季防火工作的通知", "2024-04-01"),
        "tp/photo.jpg": "not really a photo",
    }.items():
        (root / "content" / path).parent.mkdir(parents=True, exist_ok=True)
        (root / "content" / path).write_text(text, "utf-8")
    return root


@given(
    st.lists(
        st.tuples(st.sampled_from(("write", "grow", "remove")), st.sampled_from(RESCANNED)),
        min_size=1,
        max_size=6,
    )
)
def test_a_rescan_of_the_files_saved_finds_what_a_walk_finds(changes):
    with tempfile.TemporaryDirectory(prefix="provarchive-rescan-") as folder:
        site = rescan_site(Path(folder))
        before, reported = scan_content(site), set()
        for number, (change, path) in enumerate(changes):
            file = site / "content" / path
            if not file.parent.exists():  # _hold/: the watcher reports the folder made
                reported.add(str(file.parent))
            if change == "remove":
                file.unlink(missing_ok=True)
            else:
                file.parent.mkdir(exist_ok=True)
                with file.open("a" if change == "grow" else "w", encoding="utf-8") as out:
                    out.write(article(f"第{number}次保存", "2024-05-01"))
            reported.add(str(file))
        rescanned, walked = walk.rescan(before, site, reported), scan_content(site)
        assert rescanned is not None
        for part in ("folders", "markdown", "assets", "column_files", "errors", "linked"):
            assert _in_order(getattr(rescanned, part)) == _in_order(getattr(walked, part)), part
        assert rescanned.listed == before.listed
        assert before.started_ns < rescanned.started_ns <= walked.started_ns
        # only the articles it looked at may differ from the walk it started from
        assert rescanned.rescanned is not None and rescanned.rescanned.markdown is before.markdown
        paths = before.markdown.keys() | walked.markdown.keys()
        differ = {p for p in paths if before.markdown.get(p) != walked.markdown.get(p)}
        assert differ <= rescanned.rescanned.looked_at <= paths
        assert walked.rescanned is None


def _in_order(found: object) -> object:
    """Values as compared: dicts with their order, as a walk's files are kept."""
    return list(found.items()) if isinstance(found, dict) else found


@pytest.mark.parametrize(
    "change",
    ["new folder", "removed folder", "renamed folder", "link", "pipe", "too many"],
)
def test_a_rescan_leaves_folders_links_and_odd_files_to_a_whole_walk(tmp_path, change):
    site = rescan_site(tmp_path)
    content = site / "content"
    before = scan_content(site)
    reported = [str(content / "zhxx/a.md")]  # with a plain save, each case
    if change == "new folder":
        (content / "zhxx/xxgk").mkdir()
        (content / "zhxx/xxgk/f.md").write_text(article("新栏目", "2024-06-01"), "utf-8")
        reported += [str(content / "zhxx/xxgk"), str(content / "zhxx/xxgk/f.md")]
    elif change == "removed folder":
        shutil.rmtree(content / "zhxx/yywl")
        reported += [str(content / "zhxx/yywl"), str(content / "zhxx/yywl/b.md")]
    elif change == "renamed folder":  # its files are not reported, only the folder
        (content / "zcwj").rename(content / "zcwj2")
        reported += [str(content / "zcwj"), str(content / "zcwj2")]
    elif change == "link":
        os.symlink("../zhxx/a.md", content / "zcwj/linked.md")
        reported.append(str(content / "zcwj/linked.md"))
    elif change == "pipe":
        os.mkfifo(content / "zcwj/pipe.md")
        reported.append(str(content / "zcwj/pipe.md"))
    else:
        reported += [str(content / f"zhxx/{n}.md") for n in range(walk.RESCAN_MOST)]
    assert walk.rescan(before, site, reported) is None
    assert walk.rescan(before, site, reported[:1]) is not None, "a plain save is rescanned"


def test_a_walk_that_met_a_link_or_an_error_is_never_rescanned(tmp_path):
    site = rescan_site(tmp_path)
    os.symlink("../zhxx/a.md", site / "content/zcwj/linked.md")
    linked = scan_content(site)
    assert linked.linked and not linked.errors
    assert walk.rescan(linked, site, [str(site / "content/zhxx/a.md")]) is None
    (site / "content/zcwj/linked.md").unlink()
    os.mkfifo(site / "content/zcwj/pipe.md")
    erred = scan_content(site)
    assert erred.errors and not erred.linked
    assert walk.rescan(erred, site, [str(site / "content/zhxx/a.md")]) is None
    (site / "content/zcwj/pipe.md").unlink()
    os.symlink("../zhxx/_column.yaml", site / "content/zcwj/_column.yaml")
    assert scan_content(site).linked, "a column file that is a link: a link met"
