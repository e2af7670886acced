"""The codec of cache files and fingerprints: every record type comes back field for field."""

from __future__ import annotations

import collections.abc
import dataclasses
import datetime as dt
import marshal
import types
import typing
import zoneinfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import examples
from provarchive import cache, graph, model, pages, plan, records, search, search_docs
from provarchive.codec import decode, encode

ZONES = [zoneinfo.ZoneInfo("Asia/Shanghai"), zoneinfo.ZoneInfo("America/New_York"), None]
DATES = st.one_of(
    st.datetimes(timezones=st.sampled_from(ZONES)),
    st.datetimes().map(lambda d: d.replace(tzinfo=dt.timezone(dt.timedelta(hours=8)))),
    # a wall-clock time that occurs twice (the end of daylight saving time): fold matters
    st.sampled_from([0, 1]).map(
        lambda fold: dt.datetime(2024, 11, 3, 1, 30, tzinfo=ZONES[1], fold=fold)
    ),
)
TEXT = st.text(max_size=8)
PLAIN = st.recursive(
    st.none() | st.booleans() | st.integers() | TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=6,
)


def records_of(module) -> list[type]:
    """Every frozen record class a module defines."""
    return [
        value
        for value in vars(module).values()
        if isinstance(value, type)
        and dataclasses.is_dataclass(value)
        and value.__module__ == module.__name__
        and value.__dataclass_params__.frozen
    ]


RECORDS = sorted(
    {
        cls
        for module in (model, pages, plan, cache, records, search, search_docs, graph)
        for cls in records_of(module)
    }
    - {cache.SavedPlan},  # made by load_plan from its parts, never stored whole
    key=lambda cls: cls.__qualname__,
)


@dataclasses.dataclass(frozen=True)
class Either:
    """A record with fields of unions of records, as no record of ours has yet."""

    maybe: pages.RedirectPayload | pages.Plain | None
    many: tuple[pages.LinksPayload | pages.TopicsPayload, ...]


def test_every_record_type_is_covered():
    names = {cls.__name__ for cls in RECORDS}
    assert {"Article", "CachedArticle", "PageSpec", "Pager", "TermLink", "Column"} <= names
    payloads = {cls.__name__ for cls in typing.get_args(pages.Payload)}
    assert len(payloads) == len(set(pages.PAYLOADS.values())) == 14
    assert payloads <= names


def test_a_union_of_records_keeps_which_record_it_holds():
    plain, redirect = pages.Plain(), pages.RedirectPayload("a.md")
    assert encode(pages.PageSpec("a.html", "t.html", pages.PageKind.ROBOTS, plain)) == (
        "a.html",
        "t.html",
        "robots",
        ("Plain", ()),
        "",
        "",
    )
    assert encode(Either(redirect, ())) == (("RedirectPayload", ("a.md",)), ())
    assert encode(Either(None, ())) == (None, ())


@pytest.mark.parametrize("cls", [*RECORDS, Either], ids=lambda cls: cls.__name__)
def test_every_record_comes_back_from_its_tuple(cls):
    @settings(max_examples=examples(60, deep=2000), deadline=None)
    @given(st.data())
    def round_trip(data):
        record = data.draw(records(cls))
        stored = marshal.loads(marshal.dumps(encode(record)))
        back = decode(cls, stored)
        assert back == record
        for field in dataclasses.fields(cls):  # equal and of the same type, zone and fold
            mine, theirs = getattr(back, field.name), getattr(record, field.name)
            assert type(mine) is type(theirs)
            if isinstance(theirs, dt.datetime):
                assert (mine.tzinfo, mine.fold) == (theirs.tzinfo, theirs.fold)

    round_trip()


def records(cls: type) -> st.SearchStrategy:
    """Records of ``cls`` with every field drawn, nested records included."""
    hints = typing.get_type_hints(cls)
    fields = {field.name: _values(hints[field.name]) for field in dataclasses.fields(cls)}
    return st.builds(cls, **fields)


def _values(hint) -> st.SearchStrategy:
    """Values of the field type ``hint``."""
    if hint is dt.datetime:
        return DATES
    if dataclasses.is_dataclass(hint):
        return records(hint)
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if hint is typing.Any:
        return PLAIN
    if origin in (typing.Union, types.UnionType):
        return st.one_of(*[_values(arg) for arg in args])
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return st.lists(_values(args[0]), max_size=3).map(tuple)
        return st.tuples(*[_values(arg) for arg in args])
    if origin in (dict, collections.abc.Mapping):
        return st.dictionaries(_values(args[0]), _values(args[1]), max_size=3)
    if origin is frozenset:
        return st.frozensets(_values(args[0]), max_size=3)
    if origin is list:
        return st.lists(_values(args[0]), max_size=3)
    if hint is type(None):
        return st.none()
    if hint is bytes:
        return st.binary(max_size=8)
    if hint is float:
        return st.floats(allow_nan=False)
    return st.from_type(hint)


@settings(max_examples=examples(60, deep=2000), deadline=None)
@given(records(model.Article), st.text(max_size=20), st.text(max_size=20))
def test_an_article_with_a_body_is_what_replace_gives_and_the_original_is_unchanged(
    article, html, text
):
    before = dataclasses.astuple(article)
    made = cache.with_body(article, html, text)
    expected = dataclasses.replace(article, body_html=html, text=text)
    assert made == expected and type(made) is model.Article
    names = [field.name for field in dataclasses.fields(model.Article)]
    assert [getattr(made, name) for name in names] == [getattr(expected, n) for n in names]
    assert dataclasses.astuple(article) == before
