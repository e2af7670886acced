"""Page kinds as types: each kind's spec carries a payload of the kind's own type, the
renderer builds each kind's variables from it, templates still find every field a page
had, fingerprints see every article a payload names, and a cache of the earlier layout
is set aside."""

from __future__ import annotations

import dataclasses
import hashlib
import marshal
import pickle
import types
import typing
from array import array

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import REPO, article, column, examples, run_cli, snapshot
from provarchive import __version__
from provarchive.cache import CACHE_FORMAT, load_plan, save_plan, state_file
from provarchive.codec import decode, encode
from provarchive.contexts import CONTEXT_BUILDERS
from provarchive.digest import page_fingerprint
from provarchive.pageplan import CHUNK, PagePlan
from provarchive.pages import PAYLOADS, PageKind, PageSpec, Payload
from test_codec import records
from test_render import example_plan

PAYLOAD_TYPES = typing.get_args(Payload)
ID_FIELDS = {"article", "earlier", "later", "listing", "related", "pinned", "photos", "sections"}
"""Payload fields that name articles the page shows."""
OTHER_FIELDS = {"column", "pager", "taxonomy", "term", "topic", "year", "month", "months"}
OTHER_FIELDS |= {"years", "terms", "links"}
"""Payload fields that name no article (columns, terms, counts, paths)."""


def test_every_kind_has_a_payload_type_and_a_context_builder_that_takes_it():
    assert set(PAYLOADS) == set(PageKind) == set(CONTEXT_BUILDERS)
    assert set(PAYLOADS.values()) == set(PAYLOAD_TYPES)
    for kind, builder in CONTEXT_BUILDERS.items():
        if builder is not None:
            assert typing.get_type_hints(builder)["payload"] is PAYLOADS[kind], kind


def test_each_page_of_the_example_site_carries_the_payload_of_its_kind(tmp_path):
    _, _, pages, _ = example_plan(REPO, tmp_path)
    assert {page.kind for page in pages} == set(PageKind)
    wrong = [page.path for page in pages if type(page.payload) is not PAYLOADS[page.kind]]
    assert wrong == []
    # as the cache keeps the plan: each spec comes back with its payload's type
    stored = marshal.loads(marshal.dumps([encode(page) for page in pages]))
    assert [decode(PageSpec, key) for key in stored] == pages


def test_every_payload_field_either_names_articles_or_not():
    """A new payload field must be sorted here, so that article_ids cannot miss it."""
    for cls in PAYLOAD_TYPES:
        for field in dataclasses.fields(cls):
            assert field.name in ID_FIELDS ^ OTHER_FIELDS, (cls.__name__, field.name)


def _named_ids(payload: Payload) -> set[str]:
    """Every article id in the id fields of ``payload``."""
    found: set[str] = set()
    for field in dataclasses.fields(payload):
        value = getattr(payload, field.name)
        if field.name not in ID_FIELDS or value is None:
            continue
        if isinstance(value, str):
            found.add(value)
        elif field.name == "sections":
            found.update(i for _, ids in value for i in ids)
        else:
            found.update(value)
    return found


class Digests(dict):
    """Article digests for any id: a hash of the id unless given."""

    def __missing__(self, article_id: str) -> bytes:
        return hashlib.blake2b(article_id.encode(), digest_size=16).digest()


@settings(max_examples=examples(200, deep=5000), deadline=None)
@given(records(PageSpec), records(PageSpec), st.data())
def test_a_page_fingerprint_covers_its_spec_and_the_articles_it_shows(page, other, data):
    ids = page.article_ids()
    assert set(ids) == _named_ids(page.payload)
    some = set(data.draw(st.lists(st.sampled_from(ids))) if ids else [])
    some |= set(data.draw(st.lists(st.text(max_size=2), max_size=2)))
    assert page.shows_any(some) == (not some.isdisjoint(ids))
    digests = Digests()
    mine = page_fingerprint(b"salt", page, digests)
    assert (mine == page_fingerprint(b"salt", other, digests)) == (page == other)
    if ids:
        changed = Digests({data.draw(st.sampled_from(ids)): b"\xff" * 16})
        assert page_fingerprint(b"salt", page, changed) != mine


FIELDS = (
    "{{ page.kind }}|{{ page.column }}|{{ page.article }}|{{ page.listing | length }}|"
    "{{ page.pager.number if page.pager else '-' }}|{{ page.taxonomy }}|{{ page.term }}|"
    "{{ page.year }}|{{ page.month }}|{{ page.links | length }}|{{ page.earlier }}|"
    "{{ page.later }}|{{ page.related | length }}|{{ page.sections | length }}|"
    "{{ page.years }}|{{ page.terms | length }}|{{ page.pinned | length }}|"
    "{{ page.photos | length }}|{{ page.title }}\n"
)
"""A site template that prints every field a page spec had before payloads."""


def former_fields_site(make_site):
    files = {
        "content/zhxx/_column.yaml": column("综合资讯", 1),
        "content/zhxx/a.md": article("甲文", "2024-05-08", tags="[科技]", topics="[kj]"),
        "content/zhxx/b.md": article("乙文", "2024-04-02", aliases="[/old/b.html]", pinned="1"),
        "topics/kj/_topic.yaml": "title: 科技专题\n",
    }
    for name in ("base.html", "atom.xml", "redirect.html", "sitemap.xml", "_redirects"):
        files[f"templates/{name}"] = FIELDS
    return make_site(files)


FORMER_LINES = {
    "404.html": "notfound|None|None|0|-|None|None|None|None|0|None|None|0|0|()|0|0|0|页面未找到\n",
    "_redirects": "redirects|None|None|0|-|None|None|None|None|1|None|None|0|0|()|0|0|0|\n",
    "archives/2024/04/index.html": "archive|None|None|1|1|None|None|2024|4|0|None|None|0|0|()|0|0|0|2024年4月\n",
    "archives/2024/05/index.html": "archive|None|None|1|1|None|None|2024|5|0|None|None|0|0|()|0|0|0|2024年5月\n",
    "archives/2024/index.html": "archive|None|None|2|1|None|None|2024|None|0|None|None|0|0|((2024, 2, ((5, 1), (4, 1))),)|0|0|0|2024年\n",
    "archives/index.html": "archives|None|None|0|-|None|None|None|None|0|None|None|0|0|((2024, 2, ((5, 1), (4, 1))),)|0|0|0|日期归档\n",
    "atom.xml": "feed|None|None|2|-|None|None|None|None|0|None|None|0|0|()|0|0|0|\n",
    "authors/index.html": "terms|None|None|0|-|authors|None|None|None|0|None|None|0|0|()|0|0|0|记者索引\n",
    "index.html": "home|None|None|2|-|None|None|None|None|0|None|None|0|1|()|0|0|0|\n",
    "old/b.html": "redirect|None|zhxx/b.md|0|-|None|None|None|None|0|None|None|0|0|()|0|0|0|乙文\n",
    "search.html": "search|None|None|0|-|None|None|None|None|0|None|None|0|0|()|0|0|0|站内搜索\n",
    "sitemap.html": "sitemap_page|None|None|0|-|None|None|None|None|0|None|None|0|0|((2024, 2, ()),)|1|0|0|网站地图\n",
    "sitemap.xml": "sitemap|None|None|0|-|None|None|None|None|17|None|None|0|0|()|0|0|0|\n",
    "sources/index.html": "terms|None|None|0|-|sources|None|None|None|0|None|None|0|0|()|0|0|0|来源索引\n",
    "tags/index.html": "terms|None|None|0|-|tags|None|None|None|0|None|None|0|0|()|1|0|0|标签索引\n",
    "tags/ke-ji/index.html": "term|None|None|1|1|tags|科技|None|None|0|None|None|0|0|()|0|0|0|标签：科技\n",
    "topics/index.html": "topics|None|None|0|-|None|None|None|None|0|None|None|0|0|()|1|0|0|专题\n",
    "topics/kj/atom.xml": "feed|None|None|1|-|None|kj|None|None|0|None|None|0|0|()|0|0|0|科技专题\n",
    "topics/kj/index.html": "topic|None|None|1|1|None|kj|None|None|0|None|None|0|0|()|0|0|0|科技专题\n",
    "zhxx/202404/b.html": "article|zhxx|zhxx/b.md|0|-|None|None|None|None|0|None|zhxx/a.md|1|0|()|0|0|0|乙文\n",
    "zhxx/202405/a.html": "article|zhxx|zhxx/a.md|0|-|None|None|None|None|0|zhxx/b.md|None|1|0|()|0|0|0|甲文\n",
    "zhxx/archives/2024/index.html": "archive|zhxx|None|2|1|None|None|2024|None|0|None|None|0|0|()|0|0|0|2024年\n",
    "zhxx/archives/index.html": "archives|zhxx|None|0|-|None|None|None|None|0|None|None|0|0|((2024, 2, ((5, 1), (4, 1))),)|0|0|0|综合资讯归档\n",
    "zhxx/atom.xml": "feed|zhxx|None|2|-|None|None|None|None|0|None|None|0|0|()|0|0|0|综合资讯\n",
    "zhxx/index.html": "column|zhxx|None|1|1|None|None|None|None|0|None|None|0|0|()|0|1|0|综合资讯\n",
}
"""What :data:`FIELDS` printed on each page before payloads (the same lines as the code
of the one flat page record wrote)."""


def test_site_templates_find_every_field_a_page_had_before_payloads(make_site):
    site = former_fields_site(make_site)
    assert run_cli("build", site, "-q").code == 0
    printed = {path: (site / "public" / path).read_text("utf-8") for path in FORMER_LINES}
    assert printed == FORMER_LINES


def test_a_cache_of_the_earlier_page_layout_is_set_aside(make_site, tmp_path):
    """A state of the format before payloads, with its plan of flat page records, makes
    the next build a clean one: no traceback, the output a clean build writes."""
    site = former_fields_site(make_site)
    assert run_cli("build", site, "-q").code == 0
    out, cache = site / "public", site / ".provarchive-cache"
    state_path = state_file(cache, out)
    state, tables = pickle.loads(state_path.read_bytes())
    state.version = f"{__version__}/{CACHE_FORMAT - 1}"
    state_path.write_bytes(pickle.dumps((state, tables)))
    plan_path = state_path.with_name(f"{state_path.stem}.plan.pickle")
    structure, graph, (_, data, _, ends, _), docs = pickle.loads(plan_path.read_bytes())
    keys, start = [], 0
    for end in array("Q", ends):
        keys += marshal.loads(data[start:end])
        start = end
    flat = [(key[0], key[1], key[2], key[4], *[None] * 17, key[5]) for key in keys]
    plan_path.write_bytes(pickle.dumps((structure, graph, marshal.dumps(flat), docs)))
    assert_an_edit_builds_what_a_clean_build_does(site, tmp_path, "改过的正文。")


def test_a_saved_plan_with_a_damaged_block_is_set_aside(make_site, tmp_path):
    """Blocks of the saved plan are decoded while pages render: one damaged on disk is
    found when the plan is loaded, and the next build makes its plan anew."""
    site = former_fields_site(make_site)
    assert run_cli("build", site, "-q").code == 0
    out, cache = site / "public", site / ".provarchive-cache"
    plan_path = state_file(cache, out).with_name(f"{state_file(cache, out).stem}.plan.pickle")
    structure, graph, (paths, data, check, ends, showing), docs = pickle.loads(
        plan_path.read_bytes()
    )
    damaged = data[:10] + bytes([data[10] ^ 0xFF]) + data[11:]  # a type code of block 0
    stored = (paths, damaged, check, ends, showing)
    plan_path.write_bytes(pickle.dumps((structure, graph, stored, docs)))
    assert_an_edit_builds_what_a_clean_build_does(site, tmp_path, "又改过的正文。")


@pytest.mark.parametrize(
    "index",
    [
        {"zhxx/a.md": b"\x00\x00\x00\x00"},  # the format before: positions by article
        (("zhxx/a.md",), b"\x01\x00\x00\x00", b"\x00\x00\x00\x00"),  # one page, not all
        (("zhxx/a.md",), b"\x01\x00", b""),  # not whole numbers
    ],
)
def test_a_saved_plan_whose_index_of_pages_does_not_fit_is_set_aside(make_site, tmp_path, index):
    """The index of the pages showing each article is read when the plan is loaded: one
    of another format, or of other pages, makes the next build plan anew."""
    site = former_fields_site(make_site)
    assert run_cli("build", site, "-q").code == 0
    out, cache = site / "public", site / ".provarchive-cache"
    plan_path = state_file(cache, out).with_name(f"{state_file(cache, out).stem}.plan.pickle")
    structure, graph, (paths, data, check, ends, _), docs = pickle.loads(plan_path.read_bytes())
    assert len(paths) > 1
    plan_path.write_bytes(pickle.dumps((structure, graph, (paths, data, check, ends, index), docs)))
    assert load_plan(cache, out, structure) is None
    assert_an_edit_builds_what_a_clean_build_does(site, tmp_path, "再改过的正文。")


def assert_an_edit_builds_what_a_clean_build_does(site, tmp_path, body: str) -> None:
    """Edit the body of one article of :func:`former_fields_site` (the structure stays),
    build, and compare the output with a clean build's: no traceback on the way."""
    edited = article("甲文", "2024-05-08", tags="[科技]", topics="[kj]", body=body)
    (site / "content/zhxx/a.md").write_text(edited, "utf-8")
    result = run_cli("build", site, "-q")
    assert result.code == 0 and "Traceback" not in result.err, result.err
    assert run_cli("build", site, "--no-cache", "-q", "-o", tmp_path / "clean").code == 0
    built, clean = snapshot(site / "public"), snapshot(tmp_path / "clean")
    assert built.keys() - {".provarchive-output"} == clean.keys() - {".provarchive-output"}
    assert all(built[path] == clean[path] for path in clean if path != ".provarchive-output")


PLAN_SHAPE = "8a80d07b94003641"
"""The digest of :func:`plan_shape` at the current cache format."""


def plan_shape() -> str:
    """A digest of the shape of the records a cached plan is made of: their names, and
    their fields' names and types."""
    parts, todo, seen = [], [PageSpec], set()
    while todo:
        cls = todo.pop(0)
        if cls in seen:
            continue
        seen.add(cls)
        hints = typing.get_type_hints(cls)
        fields = [(f.name, _type_name(hints[f.name], todo)) for f in dataclasses.fields(cls)]
        parts.append((cls.__name__, fields))
    return hashlib.blake2b(repr(parts).encode(), digest_size=8).hexdigest()


def _type_name(hint, records: list[type]) -> str:
    """``hint`` written the same on every Python version; records it names go to ``records``."""
    if dataclasses.is_dataclass(hint):
        records.append(hint)
        return hint.__name__
    args = typing.get_args(hint)
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        return " | ".join(_type_name(arg, records) for arg in args)
    if args:
        inner = ", ".join("..." if a is Ellipsis else _type_name(a, records) for a in args)
        return f"{typing.get_origin(hint).__name__}[{inner}]"
    return getattr(hint, "__name__", repr(hint))


def test_the_cache_format_changes_with_the_shape_of_the_plan():
    """A cache of another plan shape must be set aside: its format key must differ."""
    assert plan_shape() == PLAN_SHAPE, (
        "the records of a page plan changed shape: bump cache.CACHE_FORMAT (so that a "
        "cache of the old shape is set aside) and put the new shape in PLAN_SHAPE"
    )


def test_a_reloaded_plan_is_the_plan_and_knows_which_pages_show_each_article(tmp_path):
    """The example site's plan, kept in the cache by a build and loaded as the next build
    loads it: the same specs in the same order, and ``showing`` names exactly the pages
    whose payload shows the article (what the next edit renders again)."""
    _, graph, pages, _ = example_plan(REPO, tmp_path / "media")
    cache, out = tmp_path / "cache", tmp_path / "public"
    made = PagePlan.of(pages)
    save_plan(cache, out, b"structure", graph, made, [])
    saved = load_plan(cache, out, b"structure")
    assert saved is not None and len(saved.pages) == len(pages) > 2 * CHUNK  # blocks
    assert saved.pages.paths == tuple(page.path for page in pages)
    for article_id in graph.articles:
        showing = {i for i, page in enumerate(pages) if page.shows_any({article_id})}
        assert saved.pages.showing([article_id]) == showing == made.showing([article_id])
    every = {i for i, page in enumerate(pages) if page.article_ids()}
    assert saved.pages.showing(graph.articles) == every == made.showing(list(graph.articles))
    assert saved.pages.showing(["no/such/article.md"]) == set()
    assert list(saved.pages) == pages
    assert saved.pages.at(pages[-1].path) == pages[-1]
    assert load_plan(cache, out, b"another structure") is None
