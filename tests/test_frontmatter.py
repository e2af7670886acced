"""Front matter: splitting, strict YAML, and the exact messages users see."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import examples
from provarchive.articles import parse_date, validate_front_matter
from provarchive.errors import ContentError, ErrorGroup, ProvarchiveError
from provarchive.frontmatter import split_front_matter
from provarchive.model import SiteConfig
from provarchive.yamlfile import load_mapping, load_simple_mapping

CONFIG = SiteConfig(title="t", base_url="https://example.gov.cn/")


def messages(text: str) -> list[str]:
    """Return every error message for the article ``text`` (empty when it is valid)."""
    try:
        split = split_front_matter(text, "a.md")
        validate_front_matter(split.meta, "a.md", CONFIG)
    except ErrorGroup as group:
        return [str(error) for error in group]
    except ProvarchiveError as error:
        return [str(error)]
    return []


def test_split_gives_meta_body_and_body_line():
    split = split_front_matter("---\ntitle: 标题\ndate: 2024-01-02\n---\n\n正文\n", "a.md")
    assert dict(split.meta) == {"title": "标题", "date": "2024-01-02"}
    assert split.meta.lines == {"title": 2, "date": 3}
    assert split.body == "\n正文\n"
    assert split.body_line == 5


def test_bom_and_dots_closing_fence_are_accepted():
    split = split_front_matter("\ufeff---\ntitle: x\n...\nbody", "a.md")
    assert split.meta["title"] == "x"
    assert split.body == "body"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "",
            "a.md:1: error: the file is empty; an article needs front matter with at least "
            "'title' and 'date' between two '---' lines",
        ),
        (
            "title: x\n",
            "a.md:1: error: no front matter: an article must start with a line "
            "'---', then 'title: ...' and 'date: ...' lines, then a line '---'",
        ),
        (
            "---\ntitle: x\n",
            "a.md:1: error: front matter is not closed: add a line '---' "
            "after the last metadata line",
        ),
        (
            "---\ntitle: a\ntitle: b\n---\n",
            "a.md:3: error: duplicate key 'title' (first on line 2); remove one of them",
        ),
        (
            "---\ntitle: !!python/object:os.system x\n---\n",
            "a.md:2: error: front matter: YAML tags (!!python/..., !something) are not allowed; "
            "write plain values",
        ),
        (
            "---\ntitle: [unclosed\n---\n",
            "a.md:3: error: front matter: did not find expected ',' or ']' "
            "(check for an unclosed bracket or quote)",
        ),
        (
            "---\n- a\n- b\n---\n",
            "a.md:2: error: front matter must be a mapping of 'key: value' lines, not list",
        ),
    ],
)
def test_split_errors(text, expected):
    with pytest.raises(ContentError) as caught:
        split_front_matter(text, "a.md")
    assert str(caught.value) == expected


def test_billion_laughs_is_refused_without_expanding():
    lines = ["---", 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for index in range(1, 9):
        prev = chr(ord("a") + index - 1)
        name = chr(ord("a") + index)
        lines.append(f"{name}: &{name} [{', '.join('*' + prev for _ in range(9))}]")
    lines.append("---")
    with pytest.raises(ContentError, match="anchors and aliases"):
        split_front_matter("\n".join(lines) + "\n", "a.md")


def test_every_field_error_is_reported_with_its_line():
    text = (
        "---\ntitle: ''\ndate: 2023-13-45\nauthors: 5\ntags: 科技\ndraft: \"no\"\nsumary: x\n---\n"
    )
    assert messages(text) == [
        "a.md:2: error: 'title' must not be empty: give the article's headline",
        "a.md:3: error: 'date' '2023-13-45' is not a real date (month must be in 1..12)",
        "a.md:4: error: 'authors' must be a list of text, such as 'authors: [甲, 乙]', "
        "not the number 5",
        "a.md:5: error: 'tags' must be a list of text, such as 'tags: [甲, 乙]', "
        "not the text '科技'",
        "a.md:6: error: 'draft' must be true or false, not the text 'no'",
        "a.md:7: error: unknown key 'sumary' (did you mean 'summary'?); "
        "put custom data under 'extra:'",
    ]


def test_missing_title_and_date():
    assert messages("---\nsource: 岚山日报\n---\n") == [
        "a.md:1: error: missing 'date': add a line such as 'date: 2023-07-09' "
        "or 'date: 2023-07-09 15:33'",
        "a.md:1: error: missing 'title': add a line 'title: 标题' to the front matter",
    ]


@pytest.mark.parametrize(
    ("value", "iso", "has_time"),
    [
        ("2023-07-09", "2023-07-09T00:00:00+08:00", False),
        ("2023-07-09 15:33", "2023-07-09T15:33:00+08:00", True),
        ("2023-7-9 08:05:07", "2023-07-09T08:05:07+08:00", True),
        ("2023/07/09", "2023-07-09T00:00:00+08:00", False),
        ("2023-07-09T07:00:00Z", "2023-07-09T15:00:00+08:00", True),
    ],
)
def test_dates_are_read_in_the_site_timezone(value, iso, has_time):
    date, timed = parse_date(value, "Asia/Shanghai")
    assert date.isoformat() == iso
    assert timed is has_time


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            "yesterday",
            "'date' must look like 2023-07-09 or 2023-07-09 15:33, not the text 'yesterday'",
        ),
        (20230709, "'date' must look like 2023-07-09 or 2023-07-09 15:33, not the number 20230709"),
        ("0023-07-09", "'date' year 23 is out of range (1900-2100)"),
        ("2023-02-30", "'date' '2023-02-30' is not a real date (day is out of range for month)"),
    ],
)
def test_bad_dates(value, message):
    with pytest.raises(ValueError) as caught:
        parse_date(value, "Asia/Shanghai")
    assert str(caught.value) == message


def test_valid_front_matter_gives_fields():
    text = (
        "---\ntitle: 主题\nkicker: 引题\nsubtitle: |\n  副题一\n  副题二\ndate: 2024-01-02 09:30\n"
        "authors: [甲, 乙, 甲]\ntags: [科技]\naliases: [/old/a.shtml]\nextra: {版次: 第01版}\n"
        "draft: false\n---\n"
    )
    split = split_front_matter(text, "a.md")
    fields = validate_front_matter(split.meta, "a.md", CONFIG)
    assert fields["subtitle"] == "副题一\n副题二"
    assert fields["authors"] == ("甲", "乙")
    assert fields["extra"] == {"版次": "第01版"}
    assert type(fields["extra"]) is dict
    assert fields["date"][1] is True


@given(st.text())
def test_reader_raises_only_our_errors_on_any_text(text):
    try:
        split = split_front_matter(text, "a.md")
        validate_front_matter(split.meta, "a.md", CONFIG)
    except ProvarchiveError:
        pass


@given(st.dictionaries(st.text(max_size=8), st.text(max_size=20), max_size=5))
def test_reader_raises_only_our_errors_on_any_front_matter(meta):
    body = "".join(f"{key}: {value}\n" for key, value in meta.items())
    try:
        split = split_front_matter(f"---\n{body}---\n", "a.md")
        validate_front_matter(split.meta, "a.md", CONFIG)
    except ProvarchiveError:
        pass


# Simple front matter is read without the YAML parser, with the parser's result.

_KEYS = st.sampled_from(["title", "tags", "source", "null", "yes", "on", "a_b", "Title", "x"])
_SCALARS = st.lists(
    st.sampled_from(
        [
            "岚山",
            "日报",
            "记者",
            " ",
            "  ",
            "a",
            "Z",
            "0",
            "12",
            "1.5",
            "2024-05-08",
            "15:30",
            "1_000",
            "0x1f",
            ".inf",
            "~",
            "null",
            "yes",
            "No",
            "true",
            "=",
            "<<",
            "-",
            "?",
            ":",
            ",",
            "[",
            "]",
            "{",
            "}",
            "#",
            " #",
            ": ",
            "&",
            "*",
            "!",
            "|",
            ">",
            "'",
            '"',
            "%",
            "@",
            "`",
            "\\",
            "\t",
            "\u3000",
            "\u2028",
            "\x85",
            "\ufeff",
            "\x7f",
            "。",
            "，",
            "“",
            "\xa0",
            "\u1680",
            "\u2000",
            "\u200a",
            "\u202f",
            "\u205f",
        ]
    ),
    max_size=6,
).map("".join)
_LINES = st.one_of(
    st.tuples(_KEYS, _SCALARS).map(lambda kv: f"{kv[0]}: {kv[1]}"),
    st.tuples(_KEYS, st.lists(_SCALARS, max_size=4)).map(
        lambda kv: f"{kv[0]}: [{', '.join(kv[1])}]"
    ),
    st.tuples(_KEYS, st.lists(_SCALARS, max_size=3)).map(
        lambda kv: f"{kv[0]}: [{','.join(kv[1])}]"
    ),
    st.sampled_from(["", "# 注释", "  indented: 1", "extra:", "- item", "key:value", "---"]),
)


@settings(max_examples=examples(1000), deadline=None)
@given(st.lists(_LINES, max_size=6).map("\n".join), st.booleans())
def test_simple_front_matter_reads_as_the_parser_reads_it(text, newline):
    text += "\n" if newline else ""
    simple = load_simple_mapping(text, first_line=2)
    if simple is None:
        return
    parsed = load_mapping(text, "a.md", first_line=2, simple=False)
    assert (simple, simple.lines, simple.line) == (parsed, parsed.lines, parsed.line)


_UNICODE_SPACES = [chr(c) for c in range(0x110000) if chr(c).isspace()]


@pytest.mark.parametrize("space", _UNICODE_SPACES, ids=lambda c: f"U+{ord(c):04X}")
@pytest.mark.parametrize(
    "template",
    [
        "authors: [{s}林晓]",
        "authors: [林晓{s}]",
        "authors: [{s}]",
        "authors: [甲, {s}乙{s}]",
        "title: {s}标题",
        "title: 标题{s}甲",
        "tags: [{s}{s}]",
    ],
)
def test_every_unicode_space_is_read_as_the_parser_reads_it(template, space):
    """YAML strips only space and tab; U+3000 and the other Unicode spaces are text."""
    text = template.format(s=space) + "\n"
    simple = load_simple_mapping(text)
    try:
        parsed = load_mapping(text, "a.md", simple=False)
    except Exception:
        assert simple is None
        return
    if simple is not None:
        assert (simple, simple.lines) == (parsed, parsed.lines)


def test_typical_front_matter_takes_the_simple_path():
    text = "title: 岚山省春耕进度过半\ndate: 2024-03-28 09:30\nsource: 岚山日报\n"
    text += "authors: [林晓, 周川]\ntags: []\n"
    simple = load_simple_mapping(text, first_line=2)
    assert simple == {
        "title": "岚山省春耕进度过半",
        "date": "2024-03-28 09:30",
        "source": "岚山日报",
        "authors": ["林晓", "周川"],
        "tags": [],
    }
    assert simple.lines == {"title": 2, "date": 3, "source": 4, "authors": 5, "tags": 6}


@pytest.mark.parametrize(
    "text",
    [
        "title: 2024",
        "draft: true",
        "title: a: b",
        "title: 标题 # 注释",
        "tags: [a, [b]]",
        "title: 'x'",
        "title: x\ntitle: y",
        "title: x\n\ndate: y",
        "extra:\n  a: b",
        "title:  x",
        "title: x ",
        "tags: [a, ]",
        "title: 甲\t乙",
        "null: x",
        "title: 截至:",
        "tags: [甲 #乙]",
        "tags: [甲}乙]",
        "tags: [甲: 乙]",
        "tags: [甲:]",
    ],
)
def test_simple_path_leaves_the_rest_to_the_parser(text):
    assert load_simple_mapping(text) is None
