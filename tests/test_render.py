"""Page rendering: ``memo()`` is an optimisation only, and macros are memoised by name."""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import re
from dataclasses import replace
from itertools import pairwise
from pathlib import Path

import markupsafe
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import REPO, article, column, examples, run_cli
from provarchive.config import load_config
from provarchive.contexts import CONTEXT_BUILDERS
from provarchive.errors import TemplateError
from provarchive.extras import read_extras
from provarchive.graph import build_graph
from provarchive.pages import ArticlePayload, ColumnPayload, LinksPayload, PageKind, Pager
from provarchive.pagewriter import PlacedResults
from provarchive.plan import plan_pages
from provarchive.reading import read_content
from provarchive.render import (
    PageRenderer,
    escape_output,
    make_environment,
    memoisable_macros,
    template_dirs,
)
from provarchive.renderorder import newest_candidates, render_order
from provarchive.topicplan import plan_topics
from provarchive.topics import scan_topics
from provarchive.walk import scan_content


def example_plan(site: Path, cache: Path):
    """The graph, plan, media and topics of ``site``, made by the build's own stages."""
    config = load_config(site)
    scan = scan_content(site)
    tree = read_content(site, config, scan, drafts=False, jobs=1)
    extras, errors = read_extras(site, scan_topics(site), tree.articles, scan.assets, cache, 1)
    assert not errors
    graph = build_graph(tree.columns, tree.articles.values())
    pages = plan_pages(graph, config, plan_topics(graph, config, extras.topics))
    return config, graph, pages, extras


def render_all(site: Path, cache: Path, memo: bool) -> dict[str, bytes]:
    """Every page of ``site``, rendered in this process with ``memo()`` on or off."""
    config, graph, pages, extras = example_plan(site, cache)
    env = make_environment(template_dirs(site))
    renderer = PageRenderer(env, graph, config, extras.media, extras.topics, memo=memo)
    return {page.path: renderer.render(page) for page in pages}


def test_memo_changes_no_byte_of_any_page_of_the_example_site(tmp_path):
    memoised = render_all(REPO, tmp_path, memo=True)
    plain = render_all(REPO, tmp_path, memo=False)
    assert memoised.keys() == plain.keys() and len(plain) > 200
    different = [path for path in plain if memoised[path] != plain[path]]
    assert different == []


def test_memo_bounded_to_two_entries_changes_no_byte_and_keeps_two(tmp_path):
    """memo() keeps the most recently used outputs only: forced to drop almost all of
    them, it renders each page of the example site as an unbounded one does."""
    config, graph, pages, extras = example_plan(REPO, tmp_path)
    renderers = {
        entries: PageRenderer(
            make_environment(template_dirs(REPO)),
            graph,
            config,
            extras.media,
            extras.topics,
            memo_entries=entries,
        )
        for entries in (2, 100_000)
    }
    bounded, unbounded = renderers[2], renderers[100_000]
    for page in pages:
        assert bounded.render(page) == unbounded.render(page), page.path
    assert bounded.memo_counts.kept == 2 < unbounded.memo_counts.kept
    assert bounded.memo_counts.misses > unbounded.memo_counts.misses > 0
    assert bounded.memo_counts.hits > 0


@given(st.data())
def test_placed_results_put_fingerprints_in_the_plans_order(data):
    """However the chunks of results are cut and in whatever order they come in, each
    fingerprint lands at its page's place in the plan, and each template error at the
    page's place in the order the pages were rendered."""
    count = data.draw(st.integers(0, 150), label="pages")
    places = data.draw(st.permutations(range(count)), label="places")
    failed = data.draw(st.sets(st.integers(0, max(count - 1, 0))), label="failed") & set(
        range(count)
    )
    cuts = sorted(data.draw(st.sets(st.integers(1, max(count - 1, 1))), label="cuts"))
    chunks = list(pairwise([0, *[cut for cut in cuts if cut < count], count]))
    chunks = data.draw(st.permutations(chunks), label="arrival")

    def fingerprint(place):
        return hashlib.blake2b(str(place).encode(), digest_size=16).digest()

    errors = [TemplateError(f"page {n}", "article.html", n) for n in range(count)]
    results = [
        (errors[n], fingerprint(place)) if n in failed else fingerprint(place)
        for n, place in enumerate(places)
    ]
    placed = PlacedResults(places, fingerprinted=True)
    unfingerprinted = PlacedResults(places, fingerprinted=False)
    for start, stop in chunks:
        placed(start, results[start:stop])
        unfingerprinted(
            start, [(r[0], b"") if type(r) is tuple else b"" for r in results[start:stop]]
        )
    assert placed.fingerprints == [fingerprint(place) for place in range(count)]
    assert bytes(placed.joined) == b"".join(placed.fingerprints)
    expected = {n: errors[n] for n in failed}
    assert placed.failed == unfingerprinted.failed == expected
    assert unfingerprinted.fingerprints == [] and not unfingerprinted.joined


def test_placed_results_refuse_a_fingerprint_of_another_size():
    """The joined fingerprints are a fixed-size slot each: one of another size is an
    error, never a shifted buffer."""
    placed = PlacedResults([1, 0], fingerprinted=True)
    with pytest.raises(ValueError):
        placed(0, [b"short", bytes(16)])


def test_pages_are_rendered_newest_first_and_link_lists_apart(tmp_path):
    """Workers render pages by the newest article each shows (so that memo() still
    holds a list item when the next list shows it); sitemap.xml and the redirect files
    are rendered by the build's own process."""
    _, graph, pages, _ = example_plan(REPO, tmp_path)
    order = render_order(pages, graph)
    to_render, own = order.workers, order.own
    assert sorted(p.path for p in [*to_render, *own]) == sorted(p.path for p in pages)
    assert [pages[place].path for place in order.places] == [p.path for p in [*to_render, *own]]
    assert own and all(isinstance(page.payload, LinksPayload) for page in own)
    assert not any(isinstance(page.payload, LinksPayload) for page in to_render)

    def newest(page):
        payload = page.payload
        ids = (payload.article,) if isinstance(payload, ArticlePayload) else payload.article_ids()
        return max((graph.articles[i].date for i in ids), default=None)

    dates = [newest(page) for page in to_render]
    shown = [date for date in dates if date is not None]
    assert dates[: len(dates) - len(shown)] == [None] * (len(dates) - len(shown))
    assert shown == sorted(shown, reverse=True) and len(set(shown)) > 10


def test_an_edits_few_pages_are_rendered_in_the_order_of_a_whole_build(tmp_path):
    """Any few of the pages (an edit's) come out in the order the whole build renders
    them: pages of the same newest article keep the plan's order."""
    _, graph, pages, _ = example_plan(REPO, tmp_path)
    whole = render_order(pages, graph).workers
    plan = {page.path: number for number, page in enumerate(pages)}
    place = {
        page.path: min(map(graph.order.index, page.payload.article_ids()), default=-1)
        for page in pages
    }
    ties = [(a, b) for a, b in pairwise(whole) if place[a.path] == place[b.path]]
    assert len(ties) > 20 and all(plan[a.path] < plan[b.path] for a, b in ties)
    # a few pages next to the articles (an edit's) are ordered by their articles' records
    few_enough = len(graph.order) // 8
    assert len(pages[::29]) > few_enough >= 5
    for step in (1, 2, 7, 13, 29, len(pages) // few_enough + 1, len(pages) // 3):
        for start in range(0, step, max(1, step // 5)):
            few = pages[start::step]
            chosen = {page.path for page in few}
            assert [page.path for page in render_order(few, graph).workers] == [
                page.path for page in whole if page.path in chosen
            ]


def test_the_newest_candidates_of_each_page_hold_its_newest_article(tmp_path):
    """render_order looks up only the first of a listing kept newest first: that must be
    the newest article the page shows, on every list page of the example site."""
    _, graph, pages, _ = example_plan(REPO, tmp_path)
    place = {article_id: number for number, article_id in enumerate(graph.order)}
    listed = [page for page in pages if len(page.payload.article_ids()) > 1]
    assert len(listed) > 50
    for page in listed:
        candidates = newest_candidates(page.payload)
        assert min(map(place.get, candidates)) == min(map(place.get, page.payload.article_ids()))
    assert any(len(newest_candidates(page.payload)) == 1 for page in listed)
    first_pages = [p.payload for p in listed if isinstance(p.payload, ColumnPayload)]
    assert any(payload.pinned and payload.photos for payload in first_pages)


def test_a_column_page_whose_newest_article_is_pinned_names_it_among_its_candidates():
    """Pins leave the listing of a column's first page: when the column's newest article
    is pinned, the listing's first is not the newest the page shows."""
    pager = Pager(number=1, count=2, folder="zx")
    payload = ColumnPayload("zx", ("second", "third"), pager, pinned=("newest",))
    assert "newest" in newest_candidates(payload)
    assert newest_candidates(replace(payload, pinned=())) == ("second",)


def test_the_theme_macros_are_memoised():
    env = make_environment(template_dirs(REPO))
    assert {"article_item", "site_header", "site_footer"} <= memoisable_macros(env)


@pytest.mark.parametrize("twice", [True, False])
def test_macros_of_one_name_in_two_templates_are_not_mixed_up(make_site, twice):
    """memo() keys macros by name: two definitions of one name are rendered at each call."""
    item = "{% macro item(a) %}<i class='{cls}'>{{ a.title }}</i>{% endmacro %}"
    files = {
        "content/a/_column.yaml": column("栏目"),
        "content/a/x.md": article("标题一", "2024-05-08"),
        "templates/article.html": (
            '{% extends "base.html" %}' + item.replace("{cls}", "art") + "{% block main %}"
            "{{ memo(item, article) }}{% endblock %}"
        ),
        "templates/column.html": (
            '{% extends "base.html" %}'
            + item.replace("{cls}", "col" if twice else "art")
            + "{% block main %}{% for a in articles %}{{ memo(item, a) }}{% endfor %}"
            "{% endblock %}"
        ),
    }
    site = make_site(files)
    assert run_cli("build", site, "-j", "1").code == 0
    column_page = (site / "public/a/index.html").read_text("utf-8")
    article_page = (site / "public/a/202405/x.html").read_text("utf-8")
    assert "<i class='art'>标题一</i>" in article_page
    expected = "col" if twice else "art"
    assert f"<i class='{expected}'>标题一</i>" in column_page


def test_every_kind_of_page_has_a_context_builder():
    assert set(CONTEXT_BUILDERS) == set(PageKind)


def test_the_plan_of_the_example_site_has_every_kind_but_none_unknown(tmp_path):
    _, _, pages, _ = example_plan(REPO, tmp_path)
    assert {page.kind for page in pages} == set(PageKind)


def test_memo_as_a_filter_renders_what_memo_and_the_macro_render(make_site):
    """``{{ macro | memo(args) }}`` (the theme's form: no Jinja call overhead) is ``memo()``."""
    files = {
        "content/a/_column.yaml": column("栏目"),
        "content/a/b/_column.yaml": column("子栏目"),
        "content/a/x.md": article("标题一", "2024-05-08"),
        "content/a/b/y.md": article("标题二", "2024-05-09"),
        "templates/column.html": (
            '{% extends "base.html" %}'
            "{% macro item(a, level=2) %}<h{{ level }}><a href='{{ a.url | url }}'>"
            "{{ a.title }}</a></h{{ level }}>{% endmacro %}"
            "{% block main %}{% for a in articles %}[{{ memo(item, a, level=3) }}|"
            "{{ item | memo(a, level=3) }}|{{ item(a, level=3) }}]{% endfor %}{% endblock %}"
        ),
    }
    site = make_site(files)
    assert run_cli("build", site, "-j", "1").code == 0
    for page, root in (("a/index.html", "../"), ("a/b/index.html", "../../")):
        text = (site / "public" / page).read_text("utf-8")
        items = re.findall(r"\[(.*?)\|(.*?)\|(.*?)\]", text)
        assert items, page
        for by_function, by_filter, plain in items:
            assert by_function == by_filter == plain
            assert f"<a href='{root}a/" in plain


def test_a_renamed_column_is_renamed_on_every_page(make_site):
    """The trail and navigation of a column are made once per build, never kept across."""
    files = {
        "content/a/_column.yaml": column("旧名栏目"),
        "content/a/b/_column.yaml": column("子栏目"),
        "content/a/b/y.md": article("标题二", "2024-05-09", tags="[科技]"),
        **{f"content/a/x{n}.md": article(f"标题{n}", f"2024-05-{n + 10}") for n in range(5)},
    }
    site = make_site(files)
    assert run_cli("build", site, "-j", "1").code == 0
    pages = sorted((site / "public").rglob("*.html"))
    before = {page: page.read_text("utf-8") for page in pages}
    assert all("旧名栏目" in text for text in before.values())
    (site / "content/a/_column.yaml").write_text(column("新名栏目"), encoding="utf-8")
    assert run_cli("build", site, "-j", "1").code == 0
    for page in pages:
        text = page.read_text("utf-8")
        assert "旧名栏目" not in text, page
        assert text == before[page].replace("旧名栏目", "新名栏目"), page


class _Html:
    """An object that gives its own HTML, as Jinja's ``Markup`` and others do."""

    def __html__(self) -> str:
        return "<b>safe</b>"


@settings(max_examples=examples(300), deadline=None)
@given(
    value=st.text()
    | st.text().map(markupsafe.Markup)
    | st.integers()
    | st.floats(allow_nan=False)
    | st.none()
    | st.just(_Html())
)
def test_output_is_escaped_as_markupsafe_escapes(value):
    assert escape_output(value) == str(markupsafe.escape(value))


def test_templates_escape_every_output_and_keep_markup_whole():
    env = make_environment(template_dirs(REPO))
    template = env.from_string(
        "{% macro m(x) %}<i>{{ x }}</i>{% endmacro %}{% set s %}<u>{{ t }}</u>{% endset %}"
        "{{ t }}|{{ m(t) }}|{{ s }}|{{ t | safe }}|{{ n }}|{% filter upper %}{{ t }}{% endfilter %}"
    )
    text = "<a href='x'>&\"</a>"
    escaped = "&lt;a href=&#39;x&#39;&gt;&amp;&#34;&lt;/a&gt;"
    assert template.render(t=text, n=7) == (
        f"{escaped}|<i>{escaped}</i>|<u>{escaped}</u>|{text}|7|{escaped.upper()}"
    )


def test_compiled_templates_are_cached_under_names_of_their_own(tmp_path):
    """Templates compiled by our code generator are never loaded by another one."""
    env = make_environment(template_dirs(REPO), tmp_path)
    env.get_template("redirect.html")
    names = [path.name for path in tmp_path.iterdir()]
    assert names and all(name.startswith("__provarchive_") for name in names)


def test_a_template_cache_that_cannot_be_written_costs_a_compile_only(tmp_path):
    """The folder of compiled templates gone while a build runs (removed by hand, or by
    a script cleaning up): pages render all the same, never a template error; the next
    build compiles them again."""
    cache = tmp_path / "templates"
    env = make_environment(template_dirs(REPO), cache)
    cache.rmdir()
    assert env.get_template("redirect.html").name == "redirect.html"  # compiled, not kept
    assert not cache.exists()


def test_memo_tells_apart_calls_whose_arguments_look_alike(make_site):
    """memo() keys a call by its arguments' count, kind and keywords: an article and a
    text equal to its id, a pair and two arguments, a pair and a keyword argument are
    each rendered for themselves, as the macro renders them."""
    calls = [
        ("a", "a.id"),
        ("(1, 2)", "1, 2"),
        ("1, ('second', 2)", "1, second=2"),
    ]
    pairs = "".join(
        f"[{{{{ show | memo({one}) }}}}|{{{{ show({one}) }}}}]"
        f"[{{{{ show | memo({other}) }}}}|{{{{ show({other}) }}}}]"
        for one, other in calls
    )
    files = {
        "content/a/_column.yaml": column("栏目"),
        "content/a/x.md": article("标题一", "2024-05-08"),
        "templates/column.html": (
            '{% extends "base.html" %}'
            "{% macro show(first, second=none) %}<s>"
            "{{ first.title if first.title is defined else first }}/{{ second }}</s>"
            "{% endmacro %}{% block main %}{% for a in articles %}" + pairs + "{% endfor %}"
            "{% endblock %}"
        ),
    }
    site = make_site(files)
    assert run_cli("build", site, "-j", "1").code == 0
    text = (site / "public/a/index.html").read_text("utf-8")
    found = re.findall(r"\[(<s>.*?</s>)\|(<s>.*?</s>)\]", text)
    assert len(found) == 2 * len(calls)
    for memoised, plain in found:
        assert memoised == plain
    for index in range(0, len(found), 2):  # the two calls of each pair differ
        assert found[index][1] != found[index + 1][1]


@settings(max_examples=examples(300), deadline=None)
@given(
    when=st.datetimes(timezones=st.just(dt.timezone(dt.timedelta(hours=8)))),
    fmt=st.sampled_from(["%Y-%m-%d", "%Y-%m-%d %H:%M", "%Y年%m月", "%d/%m/%Y"]),
)
def test_datefmt_writes_what_strftime_writes(when, fmt):
    env = make_environment(template_dirs(REPO))
    assert env.filters["datefmt"](when, fmt) == when.strftime(fmt)
    assert env.filters["datefmt"](when) == when.strftime("%Y-%m-%d")


def test_rendered_pages_leave_no_reference_cycles_behind(tmp_path):
    """A page's contexts are emptied once it is rendered: its macros and their context
    form a reference cycle, which would keep every page's variables until the cycle
    collector ran. Every page of the example site (those importing macros with context
    too) is freed as soon as it is rendered; but the site map, whose macro calls itself
    (a cycle of its own, which the collector frees)."""
    config, graph, pages, extras = example_plan(REPO, tmp_path)
    pages = [page for page in pages if page.kind is not PageKind.SITE_MAP]
    env = make_environment(template_dirs(REPO))
    renderer = PageRenderer(env, graph, config, extras.media, extras.topics)
    for page in pages:  # compiled and cached: what stays is not the pages' garbage
        renderer.render(page)
    enabled = gc.isenabled()
    gc.disable()
    try:
        gc.collect()
        rendered = {page.path: renderer.render(page) for page in pages}
        left = gc.collect()
    finally:
        if enabled:
            gc.enable()
    assert len(rendered) > 200
    assert left == 0


def test_a_module_kept_across_pages_keeps_what_it_imported_with_context(make_site):
    """A template imported without context is made once and kept for every page (by
    Jinja); a template it imports with context belongs to it, not to the page that
    happened to be rendered first, and is never emptied with that page."""
    files = {
        "content/a/_column.yaml": column("栏目"),
        **{f"content/a/x{n}.md": article(f"标题{n}", f"2024-05-1{n}") for n in range(3)},
        # the macro looks ``greeting`` up in the module's context: _inner.html sets it
        "templates/_greeter.html": "{% macro hi(x) %}{{ greeting }}:{{ x }}{% endmacro %}",
        "templates/_inner.html": "{% extends '_greeter.html' %}{% set greeting = '你好' %}",
        "templates/_outer.html": (
            '{% import "_inner.html" as inner with context %}'
            "{% macro wrap(x) %}[{{ inner.hi(x) }}]{% endmacro %}"
        ),
        "templates/article.html": (
            '{% extends "base.html" %}{% import "_outer.html" as outer %}'
            "{% block main %}{{ outer.wrap(article.title) }}{% endblock %}"
        ),
    }
    site = make_site(files)
    assert run_cli("build", site, "-j", "1").code == 0
    for n in range(3):
        text = (site / f"public/a/202405/x{n}.html").read_text("utf-8")
        assert f"[你好:标题{n}]" in text
