"""A deterministic synthetic archive of Chinese news articles, for benchmarks.

``python bench/corpus.py OUT N`` writes a provarchive site with N articles to OUT:
12 columns (4 top-level, each with 2 sub-columns), tags, reporters, sources,
aliases, and plausible Chinese text built from a fixed vocabulary. The same N
always gives the same files. ``corpus.write_hugo`` and ``corpus.write_pelican``
write the same articles in those generators' formats.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

COLUMNS = {
    "zhxx": ("综合资讯", {"yywl": "要闻要论", "szdt": "市县动态"}),
    "zwgk": ("政务公开", {"tzgg": "通知公告", "zcjd": "政策解读"}),
    "kjjy": ("科技教育", {"kjcx": "科技创新", "jyfz": "教育发展"}),
    "mssh": ("民生服务", {"shbz": "社会保障", "jtcx": "交通出行"}),
}
TAGS = ["科技创新", "乡村振兴", "营商环境", "生态保护", "交通建设", "民生保障", "教育",
        "医疗卫生", "文化旅游", "数字政府", "安全生产", "就业", "养老服务", "高质量发展",
        "产业升级", "城市更新", "开放合作", "农业农村", "人才发展", "社会保障"]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = "明华建国海燕晓文静丽军强伟芳敏杰涛磊洋勇艳娜超秀英平刚桂兰志红霞玉梅思远嘉宁雨桐"
SOURCES = ["岚山日报", "岚山新闻网", "省政府办公厅", "青峰日报", "白河晚报", "省科技厅",
           "省教育厅", "新华社"]
PLACES = ["青峰市", "白河市", "松原县", "岚江新区", "丰禾县", "柳塘县", "望川市", "鹿鸣县"]
SUBJECTS = ["全省", "我省", "省发展改革委", "省科技厅", "各地", "省交通运输厅", "省教育厅",
            "省人力资源社会保障厅", "省生态环境厅", "省农业农村厅"]
VERBS = ["加快推进", "深入实施", "全面落实", "持续推动", "扎实开展", "着力提升", "稳步推进",
         "统筹抓好", "积极探索", "大力发展"]
OBJECTS = ["高质量发展", "科技成果转化", "乡村振兴战略", "营商环境优化", "生态环境保护",
           "交通基础设施建设", "基本公共服务均等化", "数字政府建设", "就业优先政策",
           "养老服务体系建设", "产业链供应链升级", "城市更新行动", "职业教育改革"]
TAILS = ["取得明显成效", "迈出坚实步伐", "呈现良好态势", "形成一批可复制经验", "惠及广大群众",
         "为全省发展注入新动能", "跑出加速度", "实现稳中有进"]


@dataclass(frozen=True)
class Item:
    """One synthetic article."""

    column: str
    slug: str
    title: str
    kicker: str | None
    date: dt.datetime
    source: str
    authors: tuple[str, ...]
    tags: tuple[str, ...]
    aliases: tuple[str, ...]
    body: str


def sentence(rng: random.Random) -> str:
    number = rng.randint(2, 980)
    return (f"{rng.choice(SUBJECTS)}{rng.choice(VERBS)}{rng.choice(OBJECTS)}，"
            f"{rng.choice(PLACES)}新增项目{number}个，{rng.choice(TAILS)}。")


def items(count: int, seed: int = 2026) -> Iterator[Item]:
    """Yield ``count`` articles, the same ones for the same arguments."""
    rng = random.Random(seed)
    leaves = [f"{top}/{sub}" for top, (_, subs) in COLUMNS.items() for sub in subs]
    reporters = [s + g1 + g2 for s in SURNAMES[:20] for g1, g2 in zip(GIVEN[::2], GIVEN[1::2], strict=True)][:300]
    start = dt.datetime(2015, 1, 1, 8, 0)
    for index in range(count):
        date = start + dt.timedelta(minutes=index * (60 * 24 * 3650 // max(count, 1)))
        column = leaves[index % len(leaves)]
        paragraphs = []
        for _ in range(rng.randint(5, 9)):
            paragraphs.append("".join(sentence(rng) for _ in range(rng.randint(3, 5))))
        if rng.random() < 0.5:
            paragraphs.insert(2, f"## {rng.choice(VERBS)}{rng.choice(OBJECTS)}")
        title = f"{rng.choice(PLACES)}{rng.choice(VERBS)}{rng.choice(OBJECTS)}"
        yield Item(
            column=column,
            slug=f"t{date:%Y%m%d}_{index:06d}",
            title=title,
            kicker=f"{rng.choice(SUBJECTS)}{rng.choice(TAILS)}" if rng.random() < 0.4 else None,
            date=date,
            source=rng.choice(SOURCES),
            authors=tuple(rng.sample(reporters, rng.randint(1, 3))),
            tags=tuple(rng.sample(TAGS, rng.randint(1, 3))),
            aliases=(f"/{column}/{date:%Y%m}/t{date:%Y%m%d}_{index + 100000}.shtml",)
            if rng.random() < 0.3 else (),
            body="\n\n".join(paragraphs),
        )


def _list(values: tuple[str, ...]) -> str:
    return "[" + ", ".join(values) + "]"


def write_provarchive(out: Path, count: int) -> None:
    """Write a provarchive site with ``count`` articles to ``out``."""
    (out / "content").mkdir(parents=True, exist_ok=True)
    (out / "site.yaml").write_text(
        "title: 基准测试档案\nbase_url: https://bench.example.gov.cn/\nper_page: 20\n",
        encoding="utf-8",
    )
    for top, (title, subs) in COLUMNS.items():
        (out / "content" / top).mkdir(exist_ok=True)
        (out / "content" / top / "_column.yaml").write_text(f"title: {title}\n", "utf-8")
        for sub, sub_title in subs.items():
            (out / "content" / top / sub).mkdir(exist_ok=True)
            (out / "content" / top / sub / "_column.yaml").write_text(
                f"title: {sub_title}\n", "utf-8")
    for item in items(count):
        _write_article(out, item, f"{item.date:%Y-%m-%d %H:%M}")


def _write_article(out: Path, item: Item, date: str, *extra: str) -> None:
    """Write ``item`` as ``content/COLUMN/SLUG.md``, its date spelled ``date``."""
    lines = ["---", f"title: {item.title}", f"date: {date}"]
    if item.kicker:
        lines.append(f"kicker: {item.kicker}")
    lines += [f"source: {item.source}", *extra, f"authors: {_list(item.authors)}",
              f"tags: {_list(item.tags)}"]
    if item.aliases:
        lines.append(f"aliases: {_list(item.aliases)}")
    lines += ["---", "", item.body, ""]
    (out / "content" / item.column / f"{item.slug}.md").write_text("\n".join(lines), "utf-8")


def write_hugo(out: Path, count: int) -> None:
    """Write the same archive as a Hugo site (sections, tags, authors taxonomies)."""
    (out / "content").mkdir(parents=True, exist_ok=True)
    (out / "hugo.toml").write_text(
        'baseURL = "https://bench.example.gov.cn/"\nlanguageCode = "zh-cn"\ntitle = "基准测试档案"\n'
        "hasCJKLanguage = true\n[pagination]\npagerSize = 20\n"
        '[taxonomies]\ntag = "tags"\nauthor = "authors"\nsource = "sources"\n'
        "[outputs]\nsection = ['HTML', 'RSS']\nhome = ['HTML', 'RSS']\n",
        encoding="utf-8",
    )
    layouts = out / "layouts" / "_default"
    layouts.mkdir(parents=True, exist_ok=True)
    (layouts / "baseof.html").write_text(
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>{{ .Title }}</title>'
        "</head><body><nav>{{ range .Site.Sections }}<a href=\"{{ .RelPermalink }}\">{{ .Title }}</a>"
        "{{ end }}</nav>{{ block \"main\" . }}{{ end }}</body></html>", "utf-8")
    (layouts / "single.html").write_text(
        '{{ define "main" }}<article><p>{{ .Params.kicker }}</p><h1>{{ .Title }}</h1>'
        "<p>{{ .Date.Format \"2006-01-02\" }} {{ .Params.source }} {{ delimit .Params.authors \" \" }}</p>"
        "{{ .Content }}{{ with .PrevInSection }}<a href=\"{{ .RelPermalink }}\">{{ .Title }}</a>{{ end }}"
        "{{ with .NextInSection }}<a href=\"{{ .RelPermalink }}\">{{ .Title }}</a>{{ end }}"
        "</article>{{ end }}", "utf-8")
    (layouts / "list.html").write_text(
        '{{ define "main" }}<h1>{{ .Title }}</h1><ul>{{ range .Paginator.Pages }}<li>'
        '<a href="{{ .RelPermalink }}">{{ .Title }}</a> {{ .Date.Format "2006-01-02" }} {{ .Summary }}'
        "</li>{{ end }}</ul>{{ template \"_internal/pagination.html\" . }}{{ end }}", "utf-8")
    for top, (title, subs) in COLUMNS.items():
        (out / "content" / top).mkdir(exist_ok=True)
        (out / "content" / top / "_index.md").write_text(f"---\ntitle: {title}\n---\n", "utf-8")
        for sub, sub_title in subs.items():
            (out / "content" / top / sub).mkdir(exist_ok=True)
            (out / "content" / top / sub / "_index.md").write_text(
                f"---\ntitle: {sub_title}\n---\n", "utf-8")
    for item in items(count):
        # Hugo's taxonomies are lists: the source is given as one as well
        _write_article(out, item, f"{item.date:%Y-%m-%dT%H:%M:00+08:00}",
                       f"sources: [{item.source}]")


def write_pelican(out: Path, count: int) -> None:
    """Write the same archive as a Pelican project (categories for columns, tags, authors)."""
    content = out / "content"
    content.mkdir(parents=True, exist_ok=True)
    (out / "pelicanconf.py").write_text(
        "AUTHOR = '基准'\nSITENAME = '基准测试档案'\nSITEURL = ''\nPATH = 'content'\n"
        "TIMEZONE = 'Asia/Shanghai'\nDEFAULT_LANG = 'zh'\nDEFAULT_PAGINATION = 20\n"
        "FEED_ALL_ATOM = 'feeds/all.atom.xml'\nCATEGORY_FEED_ATOM = 'feeds/{slug}.atom.xml'\n"
        "RELATIVE_URLS = True\nARTICLE_URL = '{category}/{slug}.html'\n"
        "ARTICLE_SAVE_AS = '{category}/{slug}.html'\nCACHE_CONTENT = False\n"
        "LOAD_CONTENT_CACHE = False\n", "utf-8")
    for item in items(count):
        top, sub = item.column.split("/")
        folder = content / top / sub
        folder.mkdir(parents=True, exist_ok=True)
        lines = [f"Title: {item.title}", f"Date: {item.date:%Y-%m-%d %H:%M}",
                 f"Category: {COLUMNS[top][1][sub]}", f"Tags: {', '.join(item.tags)}",
                 f"Authors: {', '.join(item.authors)}", f"Slug: {item.slug}", "", item.body, ""]
        (folder / f"{item.slug}.md").write_text("\n".join(lines), "utf-8")


if __name__ == "__main__":
    target, number = Path(sys.argv[1]), int(sys.argv[2])
    write_provarchive(target, number)
    print(f"wrote {number} articles to {target}")
