"""Ways into the archive: date archives, tags, sources, reporters, related articles, 404."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import article, column, examples, run_cli
from provarchive.model import Article
from provarchive.taxonomy import _RELATED_WINDOW, related_articles, unique_slugs
from sitecheck import crawl, read_page


def taxonomy_site(make_site):
    return make_site(
        {
            "content/zhxx/_column.yaml": column("综合资讯", 1),
            "content/zhxx/a.md": article(
                "春耕生产全面铺开",
                "2024-03-02",
                source="岚山日报",
                authors="[王明, 汪明]",
                tags="[乡村振兴, 农业]",
            ),
            "content/zhxx/b.md": article(
                "高标准农田建设提速",
                "2024-03-20",
                source="岚山日报",
                authors="[王明]",
                tags="[乡村振兴]",
            ),
            "content/zhxx/c.md": article(
                "重庆客商来访", "2024-04-01", source="新华社", authors="[李华]", tags="[开放合作]"
            ),
            "content/zhxx/d.md": article(
                "去年经济运行回顾", "2023-12-30", source="岚山日报", authors="[李华]", tags="[农业]"
            ),
        }
    )


def test_slugs_are_pinyin_unique_and_stable():
    slugs = unique_slugs(["王明", "汪明", "重庆", "！！"])
    assert slugs["王明"] != slugs["汪明"]
    assert {slugs["王明"], slugs["汪明"]} >= {"wang-ming"}
    other = next(s for n, s in slugs.items() if n in ("王明", "汪明") and s != "wang-ming")
    assert other.startswith("wang-ming-") and len(other) == len("wang-ming-") + 4
    assert slugs["重庆"] == "chong-qing"
    assert slugs["！！"].startswith("x-")
    assert unique_slugs(["汪明", "王明", "张三"]) == {
        **unique_slugs(["王明", "汪明"]),
        "张三": "zhang-san",
    }


def test_term_pages_list_their_articles(make_site):
    site = taxonomy_site(make_site)
    assert run_cli("build", site).code == 0
    public = site / "public"
    tags = read_page(public / "tags/index.html").text
    assert "乡村振兴（2）" in tags.replace(" ", "") and "农业（2）" in tags.replace(" ", "")
    village = read_page(public / "tags/xiang-cun-zhen-xing/index.html").text
    assert village.index("高标准农田建设提速") < village.index("春耕生产全面铺开")
    assert "重庆客商来访" not in village
    paper = read_page(public / "sources/lan-shan-ri-bao/index.html").text
    assert "去年经济运行回顾" in paper and "重庆客商来访" not in paper
    authors = sorted(p.parent.name for p in (public / "authors").glob("*/index.html"))
    assert "wang-ming" in authors and "li-hua" in authors and len(authors) == 3
    assert crawl(public).broken == []


def test_every_list_page_shows_title_date_column_and_summary(make_site):
    site = taxonomy_site(make_site)
    assert run_cli("build", site).code == 0
    for page in (
        "tags/nong-ye/index.html",
        "archives/2024/index.html",
        "zhxx/index.html",
        "sources/lan-shan-ri-bao/index.html",
    ):
        html = (site / "public" / page).read_text("utf-8")
        item = html[html.index('<li class="item">') :]
        item = item[: item.index("</li>")]
        assert 'class="item-title"' in item and "<time" in item
        assert ">综合资讯</a>" in item and 'class="item-summary">正文内容。' in item


def test_date_archives_by_year_and_month(make_site):
    site = taxonomy_site(make_site)
    assert run_cli("build", site).code == 0
    public = site / "public"
    years = read_page(public / "archives/index.html").text
    assert years.index("2024年") < years.index("2023年")
    year = read_page(public / "archives/2024/index.html").text
    assert year.index("重庆客商来访") < year.index("高标准农田建设提速")
    assert "去年经济运行回顾" not in year
    march = read_page(public / "archives/2024/03/index.html").text
    assert "春耕生产全面铺开" in march and "重庆客商来访" not in march
    assert (public / "zhxx/archives/2023/index.html").is_file()
    assert "去年经济运行回顾" in read_page(public / "zhxx/archives/2023/index.html").text


def test_old_month_archives_do_not_shift_when_new_articles_arrive(make_site):
    site = taxonomy_site(make_site)
    assert run_cli("build", site).code == 0
    before = (site / "public/archives/2024/03/index.html").read_bytes()
    (site / "content/zhxx/e.md").write_text(article("新到的稿件", "2024-04-15"), "utf-8")
    assert run_cli("build", site).code == 0
    assert (site / "public/archives/2024/03/index.html").read_bytes() == before


def test_related_articles_prefer_shared_tags_then_column(make_site):
    site = make_site(
        {
            "content/a/x.md": article("甲", "2024-01-01", tags="[科技, 创新]"),
            "content/a/y.md": article("乙", "2024-01-02", tags="[科技, 创新]"),
            "content/b/z.md": article("丙", "2024-01-03", tags="[科技]"),
            "content/a/w.md": article("丁", "2024-01-04"),
            "content/c/v.md": article("戊", "2024-01-05"),
        }
    )
    assert run_cli("build", site).code == 0
    html = (site / "public/a/202401/x.html").read_text("utf-8")
    related = html[html.index('id="related-heading"') :]
    assert related.index("乙") < related.index("丙") < related.index("丁")
    assert "戊" not in related


def test_related_articles_are_the_five_with_most_shared_tags_nearest_first(make_site):
    """Of seven articles sharing tags, the five sharing most are shown, most shared
    first, and of those sharing as many the nearer in time first."""
    others = {
        "三近": ("2024-01-11", "[甲, 乙, 丙]"),
        "三远": ("2024-01-20", "[甲, 乙, 丙]"),
        "二近": ("2024-01-09", "[甲, 乙]"),
        "二远": ("2024-01-01", "[乙, 丙]"),
        "一近": ("2024-01-12", "[丙]"),
        "一中": ("2024-01-15", "[甲]"),
        "一远": ("2024-01-25", "[乙]"),
    }
    files = {
        f"content/b/o{n}.md": article(title, date, tags=tags)
        for n, (title, (date, tags)) in enumerate(others.items())
    }
    files["content/a/x.md"] = article("本篇", "2024-01-10", tags="[甲, 乙, 丙]")
    site = make_site(files)
    assert run_cli("build", site).code == 0
    html = (site / "public/a/202401/x.html").read_text("utf-8")
    related = html[html.index('id="related-heading"') :]
    shown = sorted((related.index(title), title) for title in others if title in related)
    assert [title for _, title in shown] == ["三近", "三远", "二近", "二远", "一近"]


def related_by_definition(articles, count, window):
    """Related articles as the docstring of :func:`related_articles` defines them, the
    slow way: list scans and string ids throughout."""
    ids = [a.id for a in articles]
    tagged = {tag: [a.id for a in articles if tag in a.tags] for a in articles for tag in a.tags}
    found = {}
    for here, a in enumerate(articles):
        shared = {}
        for tag in a.tags:
            place = tagged[tag].index(a.id)
            near = tagged[tag][max(0, place - window) : place] + tagged[tag][place + 1 :][:window]
            for other in near:
                shared[other] = shared.get(other, 0) + 1
        ranked = sorted(shared, key=lambda o: (-shared[o], abs(ids.index(o) - here), o))
        chosen = ranked[:count]
        siblings = [b.id for b in articles if b.column == a.column]
        place = siblings.index(a.id)
        near = siblings[max(0, place - 2 * count) : place] + siblings[place + 1 :][: 2 * count]
        for other in sorted(near, key=lambda o: (abs(ids.index(o) - here), o)):
            if len(chosen) < count and other not in chosen:
                chosen.append(other)
        found[a.id] = tuple(chosen)
    return found


@settings(max_examples=examples(100, deep=2000), deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["a", "b"]),
            st.lists(st.sampled_from("甲乙丙"), max_size=2, unique=True),
        ),
        min_size=10,
        max_size=70,  # tags of more than twice the window: windows cut short
    ),
    st.integers(1, 6),
)
def test_related_articles_follow_their_definition(shape, count):
    """Shared tags within the window of each tag, nearer first, then id; the rest from
    the same column, nearer first (the build computes it with numbers for places)."""
    when = dt.datetime(2024, 1, 1)
    articles = [
        Article(
            id=f"{column}/{number:02}.md",
            source_path=f"content/{column}/{number:02}.md",
            column=column,
            title=f"第{number}篇",
            date=when - dt.timedelta(hours=number),
            has_time=True,
            slug=f"{number:02}",
            url=f"{column}/{number:02}.html",
            tags=tuple(tags),
        )
        for number, (column, tags) in enumerate(shape)
    ]
    assert related_articles(articles, count) == related_by_definition(
        articles, count, _RELATED_WINDOW
    )


def test_not_found_page_has_navigation_and_search(make_site):
    site = taxonomy_site(make_site)
    assert run_cli("build", site).code == 0
    html = (site / "public/404.html").read_text("utf-8")
    assert "页面未找到" in html
    assert 'href="/archive/zhxx/index.html"' in html
    assert 'action="/archive/search.html"' in html
    assert 'href="/archive/static/style.css"' in html


def test_reading_time_counts_chinese_characters(make_site):
    site = make_site({"content/a/x.md": article("长文", body="字" * 1600)})
    assert run_cli("build", site).code == 0
    assert "阅读约 3 分钟" in (site / "public/a/202405/x.html").read_text("utf-8")
