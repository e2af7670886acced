"""Images, attachments and pinned articles: units, and sites built through the real CLI."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from conftest import article, column, date_back, examples, run_cli, snapshot
from provarchive.attachments import attachment, format_size, is_attachment
from provarchive.images import ImageJob, image_key, picture_html, process_image


def png(width: int = 1200, height: int = 800, colour: str = "#a61b1b", mode: str = "RGB") -> bytes:
    """A drawn PNG of the given size."""
    image = Image.new(mode, (width, height), colour)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def jpeg(width: int = 1000, height: int = 600) -> bytes:
    image = Image.new("RGB", (width, height), "#2c5d7c")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()


def bomb() -> bytes:
    """An 80-megapixel PNG of a few kilobytes (a decompression bomb)."""
    out = io.BytesIO()
    Image.new("1", (10_000, 8_000)).save(out, "PNG", optimize=True)
    return out.getvalue()


def job(tmp_path: Path, name: str, data: bytes) -> ImageJob:
    source = tmp_path / name
    source.parent.mkdir(parents=True, exist_ok=True)
    source.write_bytes(data)
    return ImageJob(name, source, "")


# units


def test_sizes_read_as_readers_expect():
    assert format_size(512) == "512 B"
    assert format_size(236 * 1024 + 100) == "236 KB"
    assert format_size(int(1.25 * 1024 * 1024)) == "1.2 MB"
    assert is_attachment("a/实施细则.PDF") and is_attachment("x.ofd") and not is_attachment("a.md")
    assert attachment("a/实施细则.pdf", 2048).kind == "PDF"
    assert attachment("a/实施细则.pdf", 2048).name == "实施细则.pdf"


def test_an_image_is_made_in_widths_up_to_its_own_and_kept_by_content(tmp_path):
    cache = tmp_path / "cache"
    info = process_image(cache, job(tmp_path, "a.png", png(1200, 800)))
    assert not isinstance(info, str), info
    assert (info.width, info.height) == (1200, 800)
    assert [v.width for v in info.variants] == [480, 960, 1200]
    assert info.variants[0].height == 320 and info.fallback_type == "image/png"
    for variant in info.variants:
        with Image.open(cache / info.key / variant.webp) as made:
            assert made.format == "WEBP" and made.size == (variant.width, variant.height)
    assert info.key == image_key(tmp_path / "a.png")
    # made once: the entry answers even when the file is gone
    (tmp_path / "a.png").unlink()
    again = process_image(cache, ImageJob("a.png", tmp_path / "a.png", info.key))
    assert again == info


def test_photos_fall_back_to_jpeg_and_transparency_to_png(tmp_path):
    photo = process_image(tmp_path / "c", job(tmp_path, "p.jpg", jpeg(2000, 1000)))
    assert not isinstance(photo, str)
    assert [v.width for v in photo.variants] == [480, 960, 1440]
    assert photo.variants[-1].fallback.endswith(".jpg") and photo.fallback_type == "image/jpeg"
    clear = process_image(tmp_path / "c", job(tmp_path, "t.png", png(300, 200, mode="RGBA")))
    assert not isinstance(clear, str) and clear.fallback_type == "image/png"
    assert [v.width for v in clear.variants] == [300]


@pytest.mark.parametrize(
    "name,data,fault",
    [
        ("t.png", png()[:300], "damaged or truncated"),
        ("n.jpg", b"this is no picture at all" * 10, "not an image"),
        ("b.png", bomb(), "pixels"),
        ("w.jpg", png(), "is a PNG image but is named .jpg"),
    ],
)
def test_bad_images_are_named_faults_not_exceptions(tmp_path, name, data, fault):
    result = process_image(tmp_path / "cache", job(tmp_path, name, data))
    assert isinstance(result, str) and fault in result
    assert not list((tmp_path / "cache").glob("*/info.json")), "a fault is never cached"


def test_a_picture_has_webp_a_fallback_and_its_size(tmp_path):
    info = process_image(tmp_path / "c", job(tmp_path, "img/a.png", png(1200, 800)))
    assert not isinstance(info, str)
    html = str(picture_html(info, lambda p: "../" + p, "说<明>", lazy=True))
    assert '<source type="image/webp" srcset="../img/a.480w.webp 480w' in html
    assert 'src="../img/a.1200w.png"' in html and 'width="1200" height="800"' in html
    assert 'alt="说&lt;明&gt;"' in html and 'loading="lazy"' in html
    assert "loading" not in str(picture_html(info, str, "", lazy=False))


# sites

SITE = {
    "content/zhxx/_column.yaml": column("综合资讯"),
    "content/zhxx/images/cover.png": png(1200, 800),
    "content/zhxx/images/body.jpg": jpeg(1000, 600),
    "content/zhxx/files/实施细则.pdf": b"%PDF-1.4\n" + b"0" * 3000,
    "content/zhxx/files/申报表.xlsx": b"PK" + b"1" * 500,
}


def imgs(html: str) -> list[str]:
    return re.findall(r"<img [^>]*>", html)


def test_covers_responsive_bodies_and_og_image(make_site):
    site = make_site(
        {
            **SITE,
            "content/zhxx/a.md": article(
                "有封面", "2024-05-08", image="images/cover.png", image_caption="图注文字",
                body="正文。\n\n![正文图](images/body.jpg)",
            ),
            "content/zhxx/b.md": article(
                "正文首图", "2024-05-07", body="正文。\n\n![第一张](images/body.jpg)"
            ),
            "content/zhxx/c.md": article("无图", "2024-05-06"),
        }
    )  # fmt: skip
    result = run_cli("build", site)
    assert result.code == 0, result.err
    out = site / "public"
    page = (out / "zhxx/202405/a.html").read_text("utf-8")
    assert "<figcaption>图注文字</figcaption>" in page
    assert (
        'og:image" content="https://news.example.gov.cn/archive/zhxx/images/cover.1200w.png"'
        in page
    )
    found = imgs(page)
    assert len(found) == 2 and all('width="' in i and 'height="' in i for i in found)
    assert "loading" not in found[0] and 'loading="lazy"' in found[1], "the cover loads first"
    assert (out / "zhxx/images/body.960w.webp").is_file() and (
        out / "zhxx/images/body.jpg"
    ).is_file()
    second = (out / "zhxx/202405/b.html").read_text("utf-8")
    assert "article-cover" not in second, "a body image that is the cover is shown once"
    assert "loading" not in imgs(second)[0] and "og:image" in second
    assert "og:image" not in (out / "zhxx/202405/c.html").read_text("utf-8")
    for listing in ("index.html", "zhxx/index.html"):
        html = (out / listing).read_text("utf-8")
        block = html.split('class="photo-news"')[1].split("</section>")[0]
        assert block.index("有封面") < block.index("正文首图") and "无图" not in block
        assert all('width="' in i for i in imgs(html))
    assert 'loading="lazy"' in imgs((out / "zhxx/index.html").read_text("utf-8"))[-1]


def test_an_svg_keeps_its_tag_and_gains_its_size(make_site):
    svg = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 640 400"></svg>'
    site = make_site(
        {
            "content/zhxx/_column.yaml": column("综合"),
            "content/zhxx/images/a.svg": svg,
            "content/zhxx/a.md": article(
                body="正文。\n\n![图一](images/a.svg)\n\n![图二](images/a.svg)"
            ),
        }
    )
    assert run_cli("build", site).code == 0
    found = imgs((site / "public/zhxx/202405/a.html").read_text("utf-8"))
    assert "og:image" not in (site / "public/zhxx/202405/a.html").read_text("utf-8")
    assert found == [
        '<img src="../images/a.svg" alt="图一" width="640" height="400">',
        '<img src="../images/a.svg" alt="图二" width="640" height="400" loading="lazy">',
    ]


def test_an_archive_without_images_never_imports_pillow(make_site):
    site = make_site({"content/zhxx/_column.yaml": column("综合"), "content/zhxx/a.md": article()})
    code = (
        "import sys\nfrom pathlib import Path\nfrom provarchive.build import BuildOptions, build_site\n"
        f"build_site(BuildOptions(Path({str(site)!r})))\nprint('PIL' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


@pytest.mark.parametrize(
    "files,meta,expected",
    [
        ({"content/zhxx/images/x.png": png()[:300]}, {"image": "images/x.png"}, ("images/x.png: error: the image used by ", "content/zhxx/a.md is damaged")),
        ({"content/zhxx/images/x.jpg": b"<html></html>"}, {"image": "images/x.jpg"}, ("images/x.jpg: error: the image used by ", "content/zhxx/a.md is not an image")),
        ({"content/zhxx/images/x.png": bomb()}, {"image": "images/x.png"}, ("images/x.png: error: the image used by ", "content/zhxx/a.md has more than 40,000,000 pixels")),
        ({"content/zhxx/images/x.jpg": png()}, {"image": "images/x.jpg"}, ("x.jpg: error: the image used by ", "content/zhxx/a.md is a PNG image but is named .jpg")),
        ({}, {"image": "images/none.png"}, "content/zhxx/a.md: error: 'image' names content/zhxx/images/none.png, which does not exist"),
        ({}, {"image": "https://example.com/a.png"}, "content/zhxx/a.md:4: error: 'image' names a web address"),
        ({}, {"image": "../../x.png"}, "a.md:4: error: 'image' names a file outside content/"),
        ({}, {"image": "a.pdf"}, "a.md:4: error: 'image' 'a.pdf' is not an image file name"),
        ({}, {"image": "[a, b]"}, "a.md:4: error: 'image' must be text, not a list"),
        ({}, {"attachments": "[files/无.pdf]"}, "a.md: error: 'attachments' names content/zhxx/files/无.pdf, which does not exist"),
        ({}, {"attachments": "细则.pdf"}, "a.md:4: error: 'attachments' must be a list of files"),
        ({}, {"attachments": "[{url: ftp://old.example.cn/a.pdf}]"}, "a.md:4: error: each 'attachments' entry must be a file under content/ (细则.pdf) or a legacy address with its title"),
        ({}, {"attachments": "[{url: /a.pdf, title: 细则}]"}, "a.md:4: error: each 'attachments' entry must be a file under content/"),
        ({}, {"attachments": "[{href: 'https://old.example.cn/a.pdf'}]"}, "a.md:4: error: each 'attachments' entry must be a file under content/"),
        ({}, {"attachments": "[{url: 'https://old.example.cn/a.pdf', title: [a]}]"}, "not this mapping"),
        ({}, {"attachments": "[[a.pdf]]"}, "a.md:4: error: each 'attachments' entry must be a file under content/ (细则.pdf) or a legacy address with its title ({url: https://…/细则.pdf, title: 实施细则}), not a list"),
        ({}, {"pinned": "置顶"}, "a.md:4: error: 'pinned' must be true, false, home or a number"),
        ({}, {"pinned": "0"}, "a.md:4: error: 'pinned' must be true, false, home or a number"),
    ],
)  # fmt: skip
def test_bad_media_give_one_line_errors_and_keep_the_output(make_site, files, meta, expected):
    site = make_site({"content/zhxx/_column.yaml": column("综合"), "content/zhxx/a.md": article()})
    assert run_cli("build", site, "-q").code == 0
    before = snapshot(site / "public")
    for name, data in files.items():
        (site / name).parent.mkdir(parents=True, exist_ok=True)
        (site / name).write_bytes(data)
    (site / "content/zhxx/a.md").write_text(article(**meta), "utf-8")
    result = run_cli("build", site)
    assert result.code == 1
    for part in (expected,) if isinstance(expected, str) else expected:
        assert part in result.err, result.err
    assert len(result.err.splitlines()) == 1
    assert "Traceback" not in result.err
    assert snapshot(site / "public") == before


def test_attachments_are_listed_with_type_and_size(make_site):
    site = make_site(
        {
            **SITE,
            "content/zhxx/a.md": article(
                attachments="[files/申报表.xlsx]",
                body="请下载[实施细则](files/实施细则.pdf)。又见[细则](files/实施细则.pdf)。",
            ),
        }
    )
    result = run_cli("build", site)
    assert result.code == 0, result.err
    html = (site / "public/zhxx/202405/a.html").read_text("utf-8")
    listed = re.findall(r"<li><a href=\"([^\"]+)\" download>([^<]+)</a>（([^）]+)）</li>", html)
    assert listed == [
        ("../../zhxx/files/" + quote("申报表.xlsx"), "申报表.xlsx", "XLSX，502 B"),
        ("../../zhxx/files/" + quote("实施细则.pdf"), "实施细则.pdf", "PDF，3 KB"),
    ]
    assert "附件：" in html
    assert (site / "public/zhxx/files/实施细则.pdf").is_file()


def test_attachments_kept_at_their_legacy_address_are_listed_after_the_files(make_site):
    legacy = "https://old.example.gov.cn/xxgk/P0202405.pdf"
    script = "https://old.example.gov.cn/down.jsp?id=7&filename=9a.docx"
    site = make_site(
        {
            **SITE,
            "content/zhxx/a.md": article(
                attachments=f"[{{url: '{legacy}', title: 实施细则}}, files/申报表.xlsx, "
                f"{{url: '{script}'}}, {{url: 'https://old.example.gov.cn/list'}}]",
            ),
        }
    )
    result = run_cli("build", site)
    assert result.code == 0, result.err
    html = (site / "public/zhxx/202405/a.html").read_text("utf-8")
    items = re.findall(r"<li>(<a [^>]+>[^<]+</a>（[^）]+）)</li>", html)
    assert items == [
        f'<a href="../../zhxx/files/{quote("申报表.xlsx")}" download>申报表.xlsx</a>（XLSX，502 B）',
        f'<a href="{legacy}" rel="nofollow">实施细则</a>（PDF，原网站）',
        f'<a href="{script.replace("&", "&amp;")}" rel="nofollow">9a.docx</a>（DOCX，原网站）',
        '<a href="https://old.example.gov.cn/list" rel="nofollow">https://old.example.gov.cn/list</a>（原网站）',
    ]


def pinned_site(pins: dict[int, str]) -> dict[str, str]:
    files = {"content/zhxx/_column.yaml": column("综合资讯")}
    for n in range(8):
        meta = {"pinned": pins[n]} if n in pins else {}
        files[f"content/zhxx/a{n}.md"] = article(f"文章{n}", f"2024-05-{10 + n:02d}", **meta)
    return files


def test_pins_lead_the_first_page_and_leave_the_others_alone(make_site, tmp_path):
    site = make_site(pinned_site({1: "2", 0: "true", 2: "home"}))
    assert run_cli("build", site, "-q").code == 0
    first = (site / "public/zhxx/index.html").read_text("utf-8")
    titles = re.findall(
        r'class="item-title">(?:<span class="pin">置顶</span>)?<a[^>]*>([^<]+)', first
    )
    # pins by number (true and home count as 1; ties newest first), then page 1 without them
    assert titles[:3] == ["文章2", "文章0", "文章1"]
    assert titles[3:] == ["文章7", "文章6", "文章5"]
    assert first.count('<span class="pin">置顶</span>') == 3
    home = (site / "public/index.html").read_text("utf-8")
    assert home.count("置顶") == 1 and home.index("文章2") < home.index("文章7")
    for name in ("zhxx/index_2.html", "zhxx/index_3.html"):
        pinned_page = (site / "public" / name).read_text("utf-8")
        assert "置顶" not in pinned_page
    # unpinned, every page but the first is what it was
    for n in (0, 1, 2):
        (site / f"content/zhxx/a{n}.md").write_text(
            article(f"文章{n}", f"2024-05-{10 + n:02d}"), "utf-8"
        )
    assert run_cli("build", site, "-q", "-o", tmp_path / "plain").code == 0
    for name in ("zhxx/index_2.html", "zhxx/index_3.html"):
        assert (tmp_path / "plain" / name).read_bytes() == (site / "public" / name).read_bytes()


def aged(site: Path, seconds: int = 3600) -> None:
    """Date every file back, so that the next build trusts signatures as for real edits."""
    date_back(site, seconds, itself=False)


@pytest.mark.parametrize(
    "edit",
    ["image", "image size", "attachment", "pin", "unpin", "cover removed from body"],
)
def test_media_edits_rebuild_what_a_clean_build_writes(make_site, tmp_path, edit):
    site = make_site(
        {
            **SITE,
            "content/zhxx/a.md": article(
                "甲", "2024-05-08", image="images/cover.png", attachments="[files/实施细则.pdf]"
            ),
            "content/zhxx/b.md": article("乙", "2024-05-07", body="![图](images/body.jpg)"),
            **{f"content/zhxx/c{n}.md": article(f"丙{n}", f"2024-04-0{n + 1}") for n in range(5)},
        }
    )
    assert run_cli("build", site, "-q").code == 0
    aged(site)
    assert run_cli("build", site, "-q").code == 0  # trusted signatures from here on
    aged(site, 1800)
    content = site / "content/zhxx"
    if edit == "image":
        (content / "images/cover.png").write_bytes(png(1200, 800, "#1e8449"))
    elif edit == "image size":
        (content / "images/body.jpg").write_bytes(jpeg(700, 700))
    elif edit == "attachment":
        (content / "files/实施细则.pdf").write_bytes(b"%PDF-1.4\n" + b"0" * 300_000)
    elif edit == "pin":
        (content / "c0.md").write_text(article("丙0", "2024-04-01", pinned="home"), "utf-8")
    elif edit == "unpin":
        (content / "c0.md").write_text(article("丙0", "2024-04-01", pinned="true"), "utf-8")
        assert run_cli("build", site, "-q").code == 0
        aged(site, 900)
        (content / "c0.md").write_text(article("丙0", "2024-04-01"), "utf-8")
    else:
        (content / "b.md").write_text(article("乙", "2024-05-07", body="无图了。"), "utf-8")
    aged(site, 600)
    result = run_cli("build", site)
    assert result.code == 0, result.err
    clean = tmp_path / "clean"
    assert run_cli("build", site, "--no-cache", "-o", clean, "-q").code == 0
    assert snapshot(site / "public") == snapshot(clean)


TOPIC = "title: 专题甲\ndescription: 说明文字。\nbanner: banner.png\nweight: 2\n"


def topic_site(**extra: str) -> dict[str, str | bytes]:
    files: dict[str, str | bytes] = {
        "content/zhxx/_column.yaml": column("综合资讯"),
        "content/kjjy/_column.yaml": column("科技教育"),
        "topics/zhuanti-a/_topic.yaml": TOPIC,
        "topics/zhuanti-a/banner.png": png(1600, 400),
        "topics/zhuanti-b/_topic.yaml": "title: 专题乙\nweight: 1\n",
    }
    for n in range(5):
        folder = "zhxx" if n % 2 else "kjjy"
        files[f"content/{folder}/a{n}.md"] = article(
            f"文章{n}",
            f"2024-05-1{n}",
            topics="[zhuanti-a]" if n != 2 else "[zhuanti-a, zhuanti-b]",
        )
    files.update(extra)
    return files


def test_topics_have_pages_feeds_an_index_and_links_from_articles(make_site):
    site = make_site(topic_site())
    result = run_cli("build", site)
    assert result.code == 0, result.err
    out = site / "public/topics"
    first = (out / "zhuanti-a/index.html").read_text("utf-8")
    assert "专题甲" in first and "说明文字。" in first and 'class="topic-banner"' in first
    assert re.findall(r'class="item-title"><a[^>]*>([^<]+)', first) == ["文章4", "文章3", "文章2"]
    second = (out / "zhuanti-a/index_2.html").read_text("utf-8")
    assert re.findall(r'class="item-title"><a[^>]*>([^<]+)', second) == ["文章1", "文章0"]
    assert "topic-banner" not in second
    assert (out / "zhuanti-a/banner.png").is_file() and (
        out / "zhuanti-a/banner.960w.webp"
    ).is_file()
    index = (out / "index.html").read_text("utf-8")
    assert index.index("专题乙") < index.index("专题甲"), "ordered by weight"
    assert "5 篇文章" in index and "1 篇文章" in index
    feed = (out / "zhuanti-a/atom.xml").read_text("utf-8")
    assert feed.count("<entry>") == 5 and "专题：专题甲" in feed
    assert 'href="https://news.example.gov.cn/archive/topics/zhuanti-a/"' in feed
    page = (site / "public/kjjy/202405/a2.html").read_text("utf-8")
    assert 'href="../../topics/zhuanti-a/index.html">专题甲</a>' in page
    assert 'href="../../topics/zhuanti-b/index.html">专题乙</a>' in page
    assert "archive/topics/zhuanti-a/</loc>" in (site / "public/sitemap.xml").read_text("utf-8")


@pytest.mark.parametrize(
    "extra,expected",
    [
        ({"content/zhxx/x.md": article(topics="[wu]")}, "x.md: error: 'topics' names 'wu', which has no topics/wu/_topic.yaml"),
        ({"content/zhxx/x.md": article(topics="甲")}, "x.md:4: error: 'topics' must be a list of text"),
        ({"topics/zhuanti-b/_topic.yaml": "description: 无标题\n"}, "zhuanti-b/_topic.yaml:1: error: a topic needs a 'title'"),
        ({"topics/zhuanti-b/_topic.yaml": "title: 乙\nbanner: none.png\n"}, "zhuanti-b/_topic.yaml:2: error: 'banner' names topics/zhuanti-b/none.png, which does not exist"),
        ({"topics/zhuanti-b/_topic.yaml": "title: 乙\ncolour: red\n"}, "zhuanti-b/_topic.yaml:2: error: unknown key 'colour'"),
        ({"topics/zhuanti-a/banner.png": b"not a picture"}, "topics/zhuanti-a/banner.png: error: the image used by "),
    ],
)  # fmt: skip
def test_bad_topics_give_one_line_errors(make_site, extra, expected):
    site = make_site(topic_site(**extra))
    result = run_cli("build", site)
    assert result.code == 1 and expected in result.err, result.err
    assert "Traceback" not in result.err


@pytest.mark.parametrize("edit", ["topic title", "banner", "article joins", "topic removed"])
def test_topic_edits_rebuild_what_a_clean_build_writes(make_site, tmp_path, edit):
    site = make_site(topic_site())
    assert run_cli("build", site, "-q").code == 0
    aged(site)
    assert run_cli("build", site, "-q").code == 0
    aged(site, 1800)
    if edit == "topic title":
        (site / "topics/zhuanti-a/_topic.yaml").write_text(
            TOPIC.replace("专题甲", "新专题"), "utf-8"
        )
    elif edit == "banner":
        (site / "topics/zhuanti-a/banner.png").write_bytes(png(900, 300, "#1e8449"))
    elif edit == "article joins":
        (site / "content/zhxx/a1.md").write_text(
            article("文章1", "2024-05-11", topics="[zhuanti-b]"), "utf-8"
        )
    else:
        for path in (site / "topics/zhuanti-b").iterdir():
            path.unlink()
        (site / "topics/zhuanti-b").rmdir()
        (site / "content/kjjy/a2.md").write_text(
            article("文章2", "2024-05-12", topics="[zhuanti-a]"), "utf-8"
        )
    aged(site, 600)
    result = run_cli("build", site)
    assert result.code == 0, result.err
    clean = tmp_path / "clean"
    assert run_cli("build", site, "--no-cache", "-o", clean, "-q").code == 0
    assert snapshot(site / "public") == snapshot(clean)


def test_keep_going_builds_the_rest_when_a_cover_is_bad(make_site):
    site = make_site(
        {
            **SITE,
            "content/zhxx/images/bad.png": b"broken",
            "content/zhxx/a.md": article("坏封面", image="images/bad.png"),
            "content/zhxx/b.md": article("好封面", "2024-05-07", image="images/cover.png"),
        }
    )
    result = run_cli("build", site, "--keep-going")
    assert result.code == 1 and "bad.png: error:" in result.err
    home = (site / "public/index.html").read_text("utf-8")
    assert "坏封面" in home and "好封面" in home


def test_an_unchanged_image_is_processed_once(make_site, tmp_path):
    import json

    site = make_site({**SITE, "content/zhxx/a.md": article(image="images/cover.png")})
    assert run_cli("build", site, "-q").code == 0
    (entry,) = [p for p in (site / ".provarchive-cache/images").iterdir() if p.is_dir()]
    # mark the entry: a build that reuses it shows the mark, one that made it anew would not
    info = json.loads((entry / "info.json").read_text("utf-8"))
    info["variants"][-1][1] = 777  # the largest copy's height
    (entry / "info.json").write_text(json.dumps(info), "utf-8")
    assert run_cli("build", site, "-q", "--no-cache", "-o", tmp_path / "other").code == 0
    page = (tmp_path / "other/zhxx/202405/a.html").read_text("utf-8")
    assert 'width="1200" height="777"' in page
    (site / "content/zhxx/images/cover.png").write_bytes(png(640, 480))
    assert run_cli("build", site, "-q").code == 0
    (after,) = [p for p in (site / ".provarchive-cache/images").iterdir() if p.is_dir()]
    assert after.name != entry.name, "a changed image is made anew, the old copies go"
    (site / "content/zhxx/a.md").write_text(article(), "utf-8")
    assert run_cli("build", site, "-q").code == 0
    assert not [p for p in (site / ".provarchive-cache/images").iterdir() if p.is_dir()]


@settings(max_examples=examples(60, deep=2000), deadline=None)
@given(
    count=st.integers(0, 23),
    per_page=st.integers(1, 5),
    pins=st.dictionaries(
        st.integers(0, 22), st.one_of(st.just("home"), st.integers(1, 3)), max_size=6
    ),
)
def test_pins_never_move_older_pages(count, per_page, pins):
    import datetime as dt
    from dataclasses import replace

    from provarchive.graph import build_graph
    from provarchive.model import Article, Column, SiteConfig
    from provarchive.plan import plan_pages

    columns = {"a": Column("a", "甲"), "a/b": Column("a/b", "乙", parent="a")}
    plain = [
        Article(
            id=f"{'a/b' if n % 3 else 'a'}/x{n:02d}.md",
            source_path=f"content/x{n}.md",
            column="a/b" if n % 3 else "a",
            title=f"题{n}",
            date=dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc) + dt.timedelta(hours=n % 7),
            has_time=True,
            slug=f"x{n:02d}",
            url=f"x{n:02d}.html",
        )
        for n in range(count)
    ]
    pinned = [
        replace(a, pinned=1 if pins[n] == "home" else pins[n], pinned_home=pins[n] == "home")
        if n in pins
        else a
        for n, a in enumerate(plain)
    ]
    config = SiteConfig(title="t", base_url="https://x.example/", per_page=per_page)
    without = {p.path: p for p in plan_pages(build_graph(columns, plain), config)}
    graph = build_graph(columns, pinned)
    with_pins = {p.path: p for p in plan_pages(graph, config)}
    assert with_pins.keys() == without.keys()
    for path, spec in with_pins.items():
        page, before = spec.payload, without[path].payload
        pinned = getattr(page, "pinned", ())
        if spec.kind == "column" and page.pager.number == 1:
            ids = graph.listings[page.column]
            expected = [i for i in ids if graph.articles[i].pinned is not None]
            assert sorted(pinned) == sorted(expected)
            numbers = [graph.articles[i].pinned for i in pinned]
            assert numbers == sorted(numbers)
            assert page.listing == tuple(i for i in before.listing if i not in pinned)
        elif spec.kind == "home":
            assert all(graph.articles[i].pinned_home for i in pinned)
            assert set(page.listing) | set(pinned) >= set(before.listing)
        else:
            assert page == before and not pinned, path


def test_a_site_without_files_or_images_still_lists_attachments_kept_at_their_address(
    make_site,
):
    legacy = "https://old.example.gov.cn/xxgk/P0202406.pdf"
    site = make_site(
        {
            "content/zhxx/_column.yaml": SITE["content/zhxx/_column.yaml"],
            "content/zhxx/a.md": article(attachments=f"[{{url: '{legacy}', title: 细则}}]"),
        }
    )
    result = run_cli("build", site)
    assert result.code == 0, result.err
    html = (site / "public/zhxx/202405/a.html").read_text("utf-8")
    assert f'<a href="{legacy}" rel="nofollow">细则</a>（PDF，原网站）' in html
