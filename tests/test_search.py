"""Chinese search: the real index read by the real static/search.js, in Node."""

from __future__ import annotations

import json
import random
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import REPO, article, examples, require_all, run_cli
from provarchive.search import normalize, shard_of, tokens

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
    # a loose bound that catches an index that stops being proportional to the text
    assert size / articles < 20_000, f"{size / articles:.0f} bytes per article"


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
