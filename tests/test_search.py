"""Chinese search: the real index read by the real static/search.js, in Node."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import random
import shutil
import subprocess
import unicodedata
from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import REPO, article, examples, require_all, run_cli
from provarchive.search import normalize, shard_of, token_codes, token_of, tokens

HARNESS = Path(__file__).parent / "js" / "query_index.js"
SEARCH_JS = REPO / "templates" / "static" / "search.js"


def node() -> str:
    found = shutil.which("node")
    if found is None:
        if require_all():
            pytest.fail("node is required (PROVARCHIVE_REQUIRE_ALL=1) to run the search index")
        pytest.skip("node is not installed: the search tests run the real search.js in Node")
    return found


def query(index_dir: Path, queries: list[str]) -> list[list[dict]]:
    """Run ``queries`` against the index in ``index_dir`` with search.js; results per query."""
    result = subprocess.run(
        [node(), str(HARNESS), str(SEARCH_JS), str(index_dir)],
        input=json.dumps(queries),
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_tokens_are_cjk_bigrams_and_words():
    assert list(tokens(normalize("高速公路 5G基站，ＡＢＣ"))) == [
        "高速",
        "速公",
        "公路",
        "5g",
        "g基",
        "基站",
        "ab",
        "bc",
    ]


_ANY_TEXT = st.text(
    st.sampled_from("高速公路质量𠀀𪚥abz059 ，。,\n\x00-ａＢ１") | st.characters(), max_size=60
)


@settings(max_examples=examples(300), deadline=None)
@given(text=_ANY_TEXT)
def test_token_codes_are_the_tokens_as_numbers(text):
    normalized = normalize(text)
    assert {token_of(code) for code in token_codes(normalized)} == set(tokens(normalized))


def test_token_codes_of_runs_between_punctuation():
    text = normalize("高速公路，公路。5G基站 a 质")
    assert sorted(map(token_of, token_codes(text))) == sorted(set(tokens(text)))
    assert {token_of(code) for code in token_codes("𠀀𠀁")} == {"𠀀𠀁"}
    assert token_codes("") == token_codes("质") == token_codes("高，速") == set()


def test_shards_agree_between_python_and_javascript():
    sample = ["高速", "公路", "5g", "𠀀字", "质量"]
    script = (
        f"const a = require({json.dumps(str(SEARCH_JS))});"
        f"console.log(JSON.stringify({json.dumps(sample)}.map(t => a.shardOf(t, 97))))"
    )
    result = subprocess.run([node(), "-e", script], capture_output=True, text=True, check=True)
    assert json.loads(result.stdout) == [shard_of(token, 97) for token in sample]


@pytest.fixture(scope="module")
def example_index(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("search") / "public"
    assert run_cli("build", REPO, "-o", out).code == 0
    return out


def title_substrings(count: int, seed: int = 20261127) -> list[tuple[str, str]]:
    """Random 2-4 character runs of Chinese text from example titles, with their article."""
    rng = random.Random(seed)
    import yaml

    titles = []
    for path in sorted((REPO / "content").rglob("*.md")):
        meta = yaml.safe_load(path.read_text("utf-8").split("---", 2)[1])
        if meta.get("draft"):
            continue
        date = str(meta["date"])
        url = f"{path.parent.relative_to(REPO / 'content').as_posix()}/{date[:4]}{date[5:7]}/{path.stem}.html"
        titles.append((str(meta["title"]), url))
    picks = []
    while len(picks) < count:
        title, url = rng.choice(titles)
        length = rng.randint(2, 4)
        start = rng.randrange(0, max(1, len(title) - length + 1))
        piece = title[start : start + length]
        if len(piece) == length and not any(c in "，。、：“”《》（）—" for c in piece):
            picks.append((piece, url))
    return picks


def test_recall_of_random_title_substrings(example_index):
    picks = title_substrings(50)
    results = query(example_index / "search", [piece for piece, _ in picks])
    found = sum(
        url in [r["url"] for r in hits] for (piece, url), hits in zip(picks, results, strict=False)
    )
    assert found / len(picks) >= 0.95, f"recall {found}/{len(picks)}"


def test_substrings_inside_words_are_found_and_titles_rank_first(make_site, tmp_path):
    site = make_site(
        {
            "content/a/x.md": article("推动高质量发展", "2024-01-01", body="全省经济稳步增长。"),
            "content/a/y.md": article(
                "交通建设提速", "2024-02-01", body="新建高速公路三条，推动高质量发展。张晓明说。"
            ),
            "content/a/z.md": article("无关的消息", "2024-03-01", body="今日天气晴朗。"),
        }
    )
    assert run_cli("build", site).code == 0
    quality, road, name, none = query(site / "public/search", ["质量", "公路", "晓明", "火星"])
    assert [r["url"] for r in quality] == ["a/202401/x.html", "a/202402/y.html"]
    assert quality[0]["inTitle"] and not quality[1]["inTitle"]
    assert [r["url"] for r in road] == ["a/202402/y.html"]
    assert "高速[公路]三条" in road[0]["excerpt"]
    assert [r["url"] for r in name] == ["a/202402/y.html"]
    assert none == []


def test_bigrams_that_are_not_adjacent_do_not_match(make_site):
    site = make_site({"content/a/x.md": article("公交线路", body="高速发展，公路建设。")})
    assert run_cli("build", site).code == 0
    (results,) = query(site / "public/search", ["高速公路"])
    assert results == []


def test_search_page_and_box_on_every_page(example_index):
    page = (example_index / "search.html").read_text("utf-8")
    assert 'id="search-results"' in page and "static/search.js" in page
    for path in ("index.html", "zhxx/index.html", "404.html"):
        assert 'role="search"' in (example_index / path).read_text("utf-8")


def test_index_size_per_thousand_articles(example_index):
    files = list((example_index / "search").glob("*.js"))
    size = sum(f.stat().st_size for f in files)
    articles = json.loads(
        (example_index / "search/meta.js").read_text("utf-8").split(",", 1)[1].rsplit(")", 1)[0]
    )["docs"]
    # about 3 KB an article of the example (binary lists, compressed texts; 4.5 KB before)
    assert size / articles < 4_000, f"{size / articles:.0f} bytes per article"


def test_search_can_be_turned_off(make_site):
    site = make_site(
        {"content/a/x.md": article("标题")},
        config="title: 站\nbase_url: https://a.example/\nsearch: false\n",
    )
    assert run_cli("build", site, "-q").code == 0
    assert not (site / "public/search.html").exists()
    assert not (site / "public/search").exists()
    assert 'role="search"' not in (site / "public/index.html").read_text("utf-8")


_NORMALIZE_PIECES = st.sampled_from(
    [
        "高速",
        "公路",
        "，",
        "；",
        "：",
        "（",
        "）",
        "！",
        "？",
        "\u3000",
        "…",
        "。",
        "、",
        "ＡＢ",
        "５Ｇ",
        "Ⅱ",
        "①",
        "㈱",
        "ﬁ",
        "e",
        "\u0301",
        "\u0327",
        "\u1100",
        "\u1161",
        "\u11a8",
        "가",
        "Ä",
        "İ",
        "ǅ",
        " ",
        "a",
        "Z",
        "“",
        "”",
        "·",
        "—",
        "\uff61",
        "\u2028",
        "\u00a0",
    ]
)


@settings(max_examples=examples(500), deadline=None)
@given(st.lists(_NORMALIZE_PIECES, max_size=30).map("".join))
def test_normalize_is_nfkc_then_lower_case(text):
    assert normalize(text) == unicodedata.normalize("NFKC", text).lower()


def test_excerpts_show_body_text_not_kicker_or_subtitle(make_site):
    site = make_site(
        {
            "content/a/x.md": article(
                "春季植树活动启动",
                "2024-03-12",
                body="今年3月起，全市各区陆续开展义务植树。\n\n市民可在社区报名参加。",
                kicker="绿化行动",
                subtitle="各区设立报名点",
            ),
        }
    )
    assert run_cli("build", site).code == 0
    in_title, in_body, in_kicker, in_subtitle = query(
        site / "public/search", ["植树活动", "报名参加", "绿化行动", "报名点"]
    )
    assert in_title[0]["excerpt"].startswith("今年3月起"), in_title
    assert "[报名参加]" in in_body[0]["excerpt"]
    for results in (in_title, in_body, in_kicker, in_subtitle):
        assert [r["url"] for r in results] == ["a/202403/x.html"]  # kicker, subtitle found too
        assert "绿化行动" not in results[0]["excerpt"], results
        assert "报名点" not in results[0]["excerpt"], results


# ---- the binary index files, the recall property and patching, through the real index ----

from provarchive.bodystore import BodyStore  # noqa: E402
from provarchive.config import load_config  # noqa: E402
from provarchive.graph import build_graph  # noqa: E402
from provarchive.reading import Bodies, BodySink, read_content  # noqa: E402
from provarchive.reading import render_key as body_render_key  # noqa: E402
from provarchive.search import (  # noqa: E402
    PATCH_LIMIT,
    SearchState,
    build_search_index,
    document_text,
    shard_count,
)
from provarchive.search_docs import SearchDoc, SearchDocs, search_docs  # noqa: E402
from provarchive.search_files import (  # noqa: E402
    decode_list,
    encode_list,
    encode_shard,
    read_varint,
    script,
)
from provarchive.search_postings import HELD_POSTINGS, IndexSink  # noqa: E402
from provarchive.walk import scan_content  # noqa: E402
from provarchive.writing import SearchInputs  # noqa: E402


def _index(
    docs: SearchDocs,
    text_of,
    previous: SearchState | None = None,
    read_previous=None,
    held: int = HELD_POSTINGS,
) -> tuple[dict[str, bytes | None], SearchState]:
    """The index files by site path (None: unchanged), each written once through the sink."""
    made: dict[str, bytes] = {}

    def write(path: str, data: bytes) -> None:
        assert path not in made, f"{path} written twice"
        made[path] = data

    files, state = build_search_index(
        docs, text_of, IndexSink(write, held=held), previous, read_previous
    )
    assert made.keys() == {path for path, fresh in files.items() if fresh}
    return {path: made.get(path) for path in sorted(files)}, state


@settings(max_examples=examples(300), deadline=None)
@given(
    st.integers(0, 300_000),
    st.integers(1, 70_000),
    st.sets(st.integers(0, 70_000), max_size=200),
)
def test_posting_lists_come_back_exactly_and_never_exceed_a_bit_per_document(base, scale, picks):
    numbers = sorted({base + pick % scale for pick in picks})
    data = encode_list(numbers)
    assert decode_list(data + b"\x07", 0) == (numbers, len(data))
    if numbers:
        assert len(data) <= (numbers[-1] - numbers[0]) // 8 + 12


@settings(max_examples=examples(300), deadline=None)
@given(
    st.integers(0, 300_000),
    st.integers(2, 70_000) | st.integers(2, 2_000),
    st.sets(st.integers(0, 70_000), min_size=2, max_size=300),
)
def test_a_posting_list_takes_its_smallest_form(base, scale, picks):
    numbers = sorted({base + pick % scale for pick in picks})
    if len(numbers) < 2:
        return
    header, _ = read_varint(encode_list(numbers), 0)
    deltas = [later - earlier for earlier, later in pairwise(numbers)]
    width = 1 if max(deltas) < 1 << 8 else 2 if max(deltas) < 1 << 16 else 4
    bitmap = (numbers[-1] - numbers[0]) // 8 + 1
    assert header & 3 == (2 if bitmap < width * len(deltas) else {1: 0, 2: 1, 4: 3}[width])


def test_javascript_reads_the_lists_python_writes(tmp_path):
    lists = {
        "高速": ([], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 40]),  # dense: a bitmap
        "公路": ([3], [3, 300, 70_000, 70_001]),  # 8, 16 and 32-bit deltas
        "5g": ([0, 255, 256], []),
        "𠀀字": ([], [2**20]),
    }
    _, data = script("index-0", encode_shard(lists.items()))
    (tmp_path / "index-0.js").write_bytes(data)
    harness = (
        f"const a = require({json.dumps(str(SEARCH_JS))});"
        f"const fs = require('fs');"
        f"const text = fs.readFileSync({json.dumps(str(tmp_path / 'index-0.js'))}, 'utf8');"
        "const shard = a.decodeShard(a.bytesOf(JSON.parse(text.slice(text.indexOf(',') + 1, -3))));"
        f"console.log(JSON.stringify({json.dumps(list(lists))}.map(t => shard.lists(t))));"
    )
    result = subprocess.run(
        [node(), "-e", harness], capture_output=True, text=True, check=True, timeout=60
    )
    assert json.loads(result.stdout) == [[list(a), list(b)] for a, b in lists.values()]


_WORDS = ["高速", "公路", "质量", "发展", "12", "345", "ab", "建设", "交通", "。", "，", " "]


def _docs(texts: list[str], titles: list[str]) -> SearchDocs:
    return SearchDocs.of(
        [
            SearchDoc(
                id=f"d{n}",
                url=f"a/{n}.html",
                title=title,
                date="2024-01-01",
                column="栏目",
                key=f"{hash(text)}:test",
            )
            for n, (text, title) in enumerate(zip(texts, titles, strict=True))
        ]
    )


def _write(folder: Path, files: dict[str, bytes | None]) -> None:
    for path, data in files.items():
        if data is not None:
            (folder / path).parent.mkdir(parents=True, exist_ok=True)
            (folder / path).write_bytes(data)


_TEXT = st.lists(st.sampled_from(_WORDS), min_size=1, max_size=12).map("".join)


@settings(max_examples=examples(25), deadline=None)
@given(
    texts=st.lists(_TEXT, min_size=1, max_size=40),
    titles=st.lists(_TEXT, min_size=40, max_size=40),
    picks=st.lists(
        st.tuples(st.integers(0, 39), st.integers(0, 200), st.integers(2, 4)),
        min_size=1,
        max_size=8,
    ),
)
def test_every_substring_of_a_run_finds_its_document(tmp_path_factory, texts, titles, picks):
    docs = _docs(texts, titles[: len(texts)])
    files, _ = _index(docs, lambda ids: {d.id: texts[int(d.id[1:])] for d in docs})
    out = tmp_path_factory.mktemp("index")
    _write(out, files)
    queries, wanted = [], []
    for which, start, length in picks:
        n = which % len(docs)
        source = (docs[n].title + " " + texts[n]).lower()
        for run in _RUN_PATTERN.findall(source[start % len(source) :]):
            if len(run) >= 2:
                queries.append(run[:length])
                wanted.append(docs[n].url)
                break
    if not queries:
        return
    for query_text, url, hits in zip(queries, wanted, query(out / "search", queries), strict=True):
        urls = [hit["url"] for hit in hits]
        assert url in urls, f"{query_text!r} did not find {url}"
        for hit in hits:  # and every result holds the query
            n = int(hit["url"][2:-5])
            assert query_text in (docs[n].title + "\n" + texts[n]).lower()


_RUN_PATTERN = __import__("re").compile(r"[0-9a-z\u4e00-\u9fff]+")


@settings(max_examples=examples(30), deadline=None)
@given(
    before=st.lists(_TEXT, min_size=1, max_size=30),
    edits=st.lists(st.tuples(st.integers(0, 29), _TEXT), max_size=4),
    appended=st.lists(_TEXT, max_size=12),
)
def test_a_patched_index_equals_a_clean_one_byte_for_byte(
    tmp_path_factory, before, edits, appended
):
    after = list(before)
    for n, text in edits:
        after[n % len(before)] = text
    after += appended
    titles = [f"标题{n}" for n in range(len(after))]
    old_docs, new_docs = _docs(before, titles[: len(before)]), _docs(after, titles)
    old_files, state = _index(old_docs, lambda ids: {i: before[int(i[1:])] for i in ids})
    out = tmp_path_factory.mktemp("index")
    _write(out, old_files)
    read = []

    def text_of(ids: list[str]) -> dict[str, str]:
        read.extend(ids)
        return {i: after[int(i[1:])] for i in ids}

    def read_previous(path: str) -> bytes | None:
        return (out / path).read_bytes() if (out / path).exists() else None

    patched, _ = _index(new_docs, text_of, state, read_previous)
    clean, _ = _index(new_docs, lambda ids: {i: after[int(i[1:])] for i in ids})
    assert patched.keys() == clean.keys()
    for path, data in patched.items():
        assert (data if data is not None else read_previous(path)) == clean[path], path
    if shard_count(len(before)) == shard_count(len(after)):  # a patch, not a rebuild
        changed = {n for n in range(len(after)) if n >= len(before) or after[n] != before[n]}
        assert sorted(read) == sorted(f"d{n}" for n in changed)


@pytest.mark.parametrize("name", ["index-0", "docs-0"])
def test_an_odd_previous_file_gives_a_clean_index_not_a_patched_one(tmp_path, name):
    before, after = ["高速公路", "质量发展"], ["高速公交", "质量发展"]
    titles = ["甲", "乙"]
    old_files, state = _index(
        _docs(before, titles), lambda ids: {i: before[int(i[1:])] for i in ids}
    )
    _write(tmp_path, old_files)
    (tmp_path / f"search/{name}.js").write_bytes(
        f'ProvarchiveSearch.deliver("{name}","AAAA");\n'.encode()
    )
    patched, _ = _index(
        _docs(after, titles),
        lambda ids: {i: after[int(i[1:])] for i in ids},
        state,
        lambda path: (tmp_path / path).read_bytes(),
    )
    clean, _ = _index(_docs(after, titles), lambda ids: {i: after[int(i[1:])] for i in ids})
    assert patched == clean


# ---- memory: posting lists spilled in runs, chunks written as they are made ----


@settings(max_examples=examples(40), deadline=None)
@given(
    texts=st.lists(_TEXT, min_size=0, max_size=40),
    titles=st.lists(_TEXT, min_size=40, max_size=40),
    held=st.integers(1, 60),
)
def test_an_index_built_in_small_pieces_equals_one_built_at_once(texts, titles, held):
    docs = _docs(texts, titles[: len(texts)])
    text_of = lambda ids: {i: texts[int(i[1:])] for i in ids}  # noqa: E731
    assert _index(docs, text_of, held=held) == _index(docs, text_of)


def test_documents_refreshed_after_an_edit_are_those_made_anew():
    config = load_config(REPO)
    tree = read_content(REPO, config, scan_content(REPO), drafts=False, jobs=1)
    graph = build_graph(tree.columns, tree.articles.values())
    docs = search_docs(graph, "any")

    def hashes(articles: dict) -> dict[str, str]:
        return {i: a.content_hash for i, a in articles.items()}

    assert docs.refreshed(hashes(graph.articles)) is docs
    edited = sorted(graph.articles)[len(graph.articles) // 2]
    articles = dict(graph.articles)
    articles[edited] = dataclasses.replace(articles[edited], content_hash="0" * 40)
    refreshed = docs.refreshed(hashes(articles))
    made = search_docs(dataclasses.replace(graph, articles=articles), "any")
    assert refreshed == made
    assert [n for n, d in enumerate(docs.digests) if d != made.digests[n]] == [
        docs.ids.index(edited)
    ]
    assert [doc.digest for doc in made] == list(made.digests)


@settings(max_examples=examples(20), deadline=None)
@given(data=st.data())
def test_documents_updated_with_the_articles_read_anew_are_those_made_anew(example_graph, data):
    graph = example_graph
    docs = search_docs(graph, "any")
    ids = sorted(graph.articles)
    edited = data.draw(st.lists(st.sampled_from(ids), unique=True, max_size=6))
    unchanged = data.draw(st.lists(st.sampled_from(ids), unique=True, max_size=3))
    articles = dict(graph.articles)
    for number, article_id in enumerate(edited):
        articles[article_id] = dataclasses.replace(
            articles[article_id], content_hash=f"{number:040d}"
        )
    fresh = {i: articles[i] for i in [*edited, *unchanged]}
    updated = docs.updated(fresh)
    made = search_docs(dataclasses.replace(graph, articles=articles), "any")
    assert updated == made
    assert [doc.digest for doc in updated] == list(updated.digests)
    if not edited:
        assert updated is docs


def test_documents_cannot_be_updated_with_an_article_they_do_not_hold_under_its_date(
    example_graph,
):
    graph = example_graph
    docs = search_docs(graph, "any")
    some = graph.articles[sorted(graph.articles)[0]]
    moved = dataclasses.replace(some, date=some.date + dt.timedelta(days=400))
    assert docs.updated({some.id: moved}) is None
    assert docs.updated({"no/such.md": dataclasses.replace(some, id="no/such.md")}) is None
    assert SearchDocs().updated({some.id: moved}) == SearchDocs()


@pytest.fixture(scope="module")
def example_graph():
    config = load_config(REPO)
    tree = read_content(REPO, config, scan_content(REPO), drafts=False, jobs=1)
    return build_graph(tree.columns, tree.articles.values())


def test_the_example_index_built_in_many_spills_equals_the_built_one(example_index):
    config = load_config(REPO)
    tree = read_content(REPO, config, scan_content(REPO), drafts=False, jobs=1)
    graph = build_graph(tree.columns, tree.articles.values())
    docs = search_docs(graph, "any")
    built = {
        path.relative_to(example_index).as_posix(): path.read_bytes()
        for path in (example_index / "search").iterdir()
    }
    for held in (1, 300, HELD_POSTINGS):  # a run per document, a few runs, none
        files, _ = _index(
            docs, lambda ids: {i: document_text(graph.articles[i]) for i in ids}, held=held
        )
        assert files == built, held


def test_a_change_to_most_documents_rebuilds_the_index_without_reading_the_old_one(tmp_path):
    count = PATCH_LIMIT + 1
    before, after = [f"公路{n}" for n in range(count)], [f"高速{n}" for n in range(count)]
    titles = ["标题"] * count
    old_files, state = _index(
        _docs(before, titles), lambda ids: {i: before[int(i[1:])] for i in ids}
    )
    _write(tmp_path, old_files)
    read: list[str] = []

    def read_previous(path: str) -> bytes | None:
        read.append(path)
        return (tmp_path / path).read_bytes()

    text_of = lambda ids: {i: after[int(i[1:])] for i in ids}  # noqa: E731
    rebuilt, _ = _index(_docs(after, titles), text_of, state, read_previous)
    assert read == []
    assert rebuilt == _index(_docs(after, titles), text_of)[0]
    assert None not in rebuilt.values()


def test_the_search_inputs_packed_for_the_workers_are_those_read_in_place(tmp_path):
    """Packed before the workers are forked, the search inputs name the body of each
    document by the key the body store holds it under: a wrong key would not show (the
    text would be rendered again), only cost time, so it is compared here."""
    site = REPO
    config, store = load_config(site), BodyStore(tmp_path / "cache")
    render_key = body_render_key(config)
    sink = BodySink(store, render_key)
    tree = read_content(site, config, scan_content(site), drafts=False, jobs=1, sink=sink)
    bodies = Bodies(site, config, tree.articles, store, render_key, frozenset(tree.assets))
    docs = search_docs(build_graph(tree.columns, tree.articles.values()), render_key)
    packed = SearchInputs.unpack(SearchInputs.pack(docs, bodies))
    in_place = SearchInputs.of(docs, bodies)
    assert len(docs) > 50 and packed.docs == docs
    assert packed.texts == {i: in_place.texts[i] for i in docs.ids}
    assert any(kicker for _, kicker, _ in packed.texts.values())
    keys = {key for key, _, _ in packed.texts.values()}
    assert len(bodies.texts(keys)) == len(keys)  # every one held in the store
    store.close()
