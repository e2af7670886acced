"""附件 of legacy pages: read from the page, copied beside the article or kept as links,
and listed by the build. Pages are the invented fixtures ``tests/fixtures/import/a0*``,
saved into temporary folders as a crawler would (alone, or in a mirror of the site)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from conftest import REPO, run_cli
from provarchive.attachments import attachment_suffix, file_name
from provarchive.frontmatter import split_front_matter
from provarchive.importer.read.parse import parse_page

FIXTURES = REPO / "tests" / "fixtures" / "import"
TRS = FIXTURES / "a01_trs_attachment_file_names.html"
TABLE = FIXTURES / "a02_table_layout_titled_links_block.html"
SCRIPT = FIXTURES / "a03_download_script_repeated_link.html"
DOCUMENT = bytes(range(256)) * 12  # 3,072 bytes, not text: copied byte for byte
LISTED = re.compile(
    r"<li><a href=\"([^\"]+)\"( download| rel=\"nofollow\")>([^<]+)</a>（([^）]+)）</li>"
)


def save(folder: Path, files: dict[str, Path | bytes]) -> None:
    """Save pages (copied from fixtures) and documents (bytes) under ``folder``."""
    for name, data in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, Path):
            shutil.copyfile(data, path)
        else:
            path.write_bytes(data)


def imported(site: Path) -> tuple[Path, dict, str]:
    """The one article an import wrote: its file, front matter and body."""
    (path,) = sorted((site / "content").rglob("*.md"))
    split = split_front_matter(path.read_text("utf-8"), str(path))
    return path, dict(split.meta), split.body


def built(site: Path) -> list[tuple[str, str, str, str]]:
    """Build the site (it must succeed) and return the 附件 list of its one article page."""
    result = run_cli("build", site)
    assert result.code == 0, result.err
    pages = [p.read_text("utf-8") for p in (site / "public").rglob("*.html")]
    listed = [LISTED.findall(text) for text in pages if 'class="attachments"' in text]
    assert len(listed) <= 1
    return listed[0] if listed else []


@pytest.fixture
def site(make_site):
    return make_site({})


def test_a_saved_document_is_copied_and_a_missing_one_linked(site, tmp_path):
    mirror = tmp_path / "mirror"
    folder = "slj.songlan.gov.cn/zwgk/tzgg/202304/"
    save(
        mirror,
        {folder + "t20230418_4402.html": TRS, folder + "P020230418377190654321.pdf": DOCUMENT},
    )
    result = run_cli("import", mirror, "--site", site)
    assert result.code == 0, result.err
    path, meta, body = imported(site)
    files = f"{path.stem}.files"
    copied = path.parent / files / "汛前隐患排查表.pdf"
    assert copied.read_bytes() == DOCUMENT
    assert f"created content/{copied.relative_to(site / 'content').as_posix()}" in result.out
    legacy = "http://slj.songlan.gov.cn/zwgk/tzgg/202304/P020230418377190654322.docx"
    assert meta["attachments"] == [
        f"{files}/汛前隐患排查表.pdf",
        {"url": legacy, "title": "防汛值班安排表.docx"},
    ]
    assert f"[汛前隐患排查表.pdf]({files}/汛前隐患排查表.pdf)" in body
    assert f"[防汛值班安排表.docx]({legacy})" in body
    listed = built(site)
    assert [(name, shown) for _, _, name, shown in listed] == [
        ("汛前隐患排查表.pdf", "PDF，3 KB"),
        ("防汛值班安排表.docx", "DOCX，原网站"),
    ]
    assert listed[0][0].endswith(
        ".files/%E6%B1%9B%E5%89%8D%E9%9A%90%E6%82%A3%E6%8E%92%E6%9F%A5%E8%A1%A8.pdf"
    )
    assert listed[1][:2] == (legacy, ' rel="nofollow"')
    again = run_cli("import", mirror, "--site", site).out.splitlines()
    assert again[:2] == [
        f"unchanged content/{p.relative_to(site / 'content').as_posix()}" for p in (path, copied)
    ]


@pytest.mark.parametrize(
    "url", [None, "http://www.tongxi.gov.cn/zfxxgk/gsgg/202305/t20230506_77.html"]
)
def test_site_paths_are_found_in_a_mirror_under_its_host_folder(site, tmp_path, url):
    host = tmp_path / "mirror" / "www.tongxi.gov.cn"
    folder = "zfxxgk/gsgg/202305/"
    save(
        host,
        {
            folder + "t20230506_77.html": TABLE,
            folder + "P020230506610012345678.doc": DOCUMENT,
            folder + "P020230506610012345679.wps": DOCUMENT[:100],
        },
    )
    result = run_cli(
        "import", tmp_path / "mirror", "--site", site, *(["--url", url] if url else [])
    )
    assert result.code == 0, result.err
    path, meta, _ = imported(site)
    files = f"{path.stem}.files"
    expected = [f"{files}/桐溪县2023年农机购置补贴实施方案.doc", f"{files}/补贴机具分类分档表.wps"]
    if url:  # the third document is not saved: its address is known from --url
        ofd = "http://www.tongxi.gov.cn/zfxxgk/gsgg/202305/P020230506610012345680.ofd"
        expected.append({"url": ofd, "title": "申请补贴操作流程"})
        assert "warning" not in result.err
    else:
        assert (
            "attachment '申请补贴操作流程' (/zfxxgk/gsgg/202305/P020230506610012345680.ofd)"
            in result.err
        )
        assert "--url" in result.err
    assert meta["attachments"] == expected
    assert (path.parent / files / "补贴机具分类分档表.wps").read_bytes() == DOCUMENT[:100]
    shown = [shown for *_, shown in built(site)]
    assert shown == ["DOC，3 KB", "WPS，100 B", *(["OFD，原网站"] if url else [])]


def test_files_outside_the_folder_given_to_import_are_not_copied(site, tmp_path):
    host = tmp_path / "mirror" / "www.tongxi.gov.cn"
    folder = host / "zfxxgk/gsgg/202305"
    save(folder, {"t20230506_77.html": TABLE})
    save(host, {"zfxxgk/gsgg/202305/P020230506610012345678.doc": DOCUMENT})
    result = run_cli("import", folder / "t20230506_77.html", "--site", site)
    assert result.code == 0, result.err
    _, meta, _ = imported(site)
    assert "attachments" not in meta  # site paths, no address known, nothing saved beside
    assert result.err.count("attachment '") == 3
    assert not list((site / "content").rglob("*.doc"))


def test_a_page_saved_alone_keeps_its_links_by_address(site, tmp_path):
    save(tmp_path / "saved", {"art_1182_99031.html": SCRIPT})
    result = run_cli("import", tmp_path / "saved" / "art_1182_99031.html", "--site", site)
    assert result.code == 0, result.err
    _, meta, body = imported(site)
    script = (
        "https://jyj.hechuan.gov.cn/module/download/downfile.jsp?classid=0&filename=4fa2b8c1e0.xlsx"
        "&showname=第二批劳动教育实践基地名单.xlsx"
    )
    assert meta["attachments"] == [
        {"url": script, "title": "第二批劳动教育实践基地名单"},
        {"url": "https://jyj.hechuan.gov.cn/attach/0/kczyb.zip", "title": "课程资源包"},
    ]
    assert f"[此处]({script.replace('&', '&amp;')})" in body  # both links to it follow it
    assert [shown for *_, shown in built(site)] == ["XLSX，原网站", "ZIP，原网站"]


def test_a_different_file_already_there_is_never_replaced(site, tmp_path):
    mirror = tmp_path / "mirror"
    save(mirror, {"t20230418_4402.html": TRS, "P020230418377190654321.pdf": DOCUMENT})
    assert run_cli("import", mirror, "--site", site).code == 0
    path, _, _ = imported(site)
    first = path.parent / f"{path.stem}.files" / "汛前隐患排查表.pdf"
    first.write_bytes(b"edited by hand")
    (mirror / "P020230418377190654321.pdf").write_bytes(DOCUMENT[:10])
    result = run_cli("import", mirror, "--site", site)
    assert result.code == 0, result.err
    assert first.read_bytes() == b"edited by hand"
    assert (first.parent / "汛前隐患排查表_2.pdf").read_bytes() == DOCUMENT[:10]


def test_attachment_suffixes_and_file_names():
    assert attachment_suffix("./P0202304.PDF") == ".pdf"
    assert attachment_suffix("/down.jsp?id=3&filename=a%20b.docx") == ".docx"
    assert attachment_suffix("/a/b.html") is None and attachment_suffix("/a.pdf.html") is None
    assert file_name("/down.jsp?filename=9f.xls&showname=名单.xls") == "名单.xls"
    assert file_name("../fj/P0202304.ofd?v=2") == "P0202304.ofd"


def test_a_link_with_no_file_and_no_known_address_stays_as_text(site, tmp_path):
    page = re.sub(rb"<link rel=\"canonical\"[^>]*>", b"", TRS.read_bytes())
    save(tmp_path / "saved", {"t20230418_4402.html": page})
    result = run_cli("import", tmp_path / "saved", "--site", site)
    assert result.code == 0, result.err
    _, meta, body = imported(site)
    assert "attachments" not in meta
    assert "附件：1.汛前隐患排查表.pdf\n\n2.防汛值班安排表.docx" in body
    assert result.err.count("warning: attachment '") == 2, result.err
    assert built(site) == []


def test_a_bold_or_heading_link_to_a_document_stays_a_link():
    paragraph = "县里组织各乡镇认真学习有关规定，并结合实际制定了具体的落实办法和工作安排。"
    html = (
        "<html><head><title>某县发布工作安排</title></head><body><h1>某县发布工作安排</h1>"
        "<p>发布日期：2023-02-01</p><div class='text'>"
        f"<p>{paragraph}</p><p>{paragraph}</p>"
        "<p><strong><a href='fj/gzap.pdf'>工作安排</a></strong></p>"
        "<h3><a href='fj/bmb.et'>报名表</a></h3></div></body></html>"
    )
    page = parse_page(html.encode(), "x.html")
    assert [(link.title, link.href) for link in page.attachments] == [
        ("工作安排", "fj/gzap.pdf"),
        ("报名表", "fj/bmb.et"),
    ]
    assert page.body.endswith("[工作安排](fj/gzap.pdf)\n\n[报名表](fj/bmb.et)")
