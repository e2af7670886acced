"""Records as plain tuples and back: the one codec of the cache files and fingerprints.

:func:`encode` gives a record's field values in field order as a tuple, with nested
records as tuples and dates as plain numbers; :func:`decode` gives the record back.
Field lists come from :func:`dataclasses.fields` and nested types from the type hints,
so a field added to a record is encoded, cached and fingerprinted with no change here.
A field whose type is a union of records (a page's payload) holds the record's class
name beside its fields.

Plain tuples load several times faster than pickled records (marshal reads them), and
digest the same every time. Decoding sets all of a record's fields at once, as
unpickling does (``object.__new__`` and one update of its ``__dict__``, or a record
with slots, each slot's descriptor), skipping a frozen ``__init__``'s one
``object.__setattr__`` per field; each class gets a decoder made for it, with its
fields and converters written out (as :mod:`dataclasses` writes ``__init__``), which
halves the time of a loop over the fields: that is what makes 20,000 cached articles
load quickly. :func:`replaced` makes records the same way. Nothing writes to a record
after it is made.
"""

from __future__ import annotations

import collections.abc
import dataclasses
import datetime as dt
import enum
import functools
import operator
import types
import typing
import zoneinfo
from collections.abc import Callable
from typing import Any, TypeVar

Record = TypeVar("Record")

UNSHARED = 2
"""The version of marshal's format that writes each object where it meets it: no
table of the objects written, as version 4 keeps, so the bytes depend on the values
only, and large values dump in half the time or less (a string met twice loads as
two)."""

_Convert = Callable[[Any], Any]


@dataclasses.dataclass(frozen=True)
class _Schema:
    """How the fields of one record class are encoded and decoded."""

    names: tuple[str, ...]
    values: Callable[[Any], Any]
    """The record's field values, in order (an ``attrgetter``)."""
    encoders: tuple[tuple[int, _Convert], ...]
    """(field index, converter) for the fields that are not plain values."""
    decoders: tuple[tuple[int, _Convert], ...]


def encode(record: Any) -> tuple:
    """The fields of ``record`` as plain values (tuples, strings, numbers, None, dicts)."""
    schema = _schema(type(record))
    values = schema.values(record)
    if len(schema.names) == 1:
        values = (values,)
    if not schema.encoders:
        return values
    found = list(values)
    for index, convert in schema.encoders:
        found[index] = convert(found[index])
    return tuple(found)


def decode(cls: type[Record], values: tuple | list) -> Record:
    """The ``cls`` record that :func:`encode` turned into ``values``."""
    return _maker(cls, True)(values)


def replaced(record: Record, **changes: Any) -> Record:
    """A new record like ``record`` with ``changes``: what :func:`dataclasses.replace`
    gives, without running ``__init__`` again for fields it checked already (three
    times faster). ``record`` is not changed."""
    cls = type(record)
    schema = _schema(cls)
    values = schema.values(record)
    found = list(values) if len(schema.names) > 1 else [values]
    for name, value in changes.items():
        found[schema.names.index(name)] = value
    return _maker(cls, False)(found)


@functools.cache
def _maker(cls: type, convert: bool) -> Callable[[tuple | list], Any]:
    """A function that makes a ``cls`` record of its field values in order (each
    converted as :func:`decode` must, when ``convert``), written out for ``cls``."""
    schema = _schema(cls)
    converters = dict(schema.decoders) if convert else {}
    values = [
        f"_c{index}(v[{index}])" if index in converters else f"v[{index}]"
        for index in range(len(schema.names))
    ]
    slotted = "__slots__" in vars(cls)
    if slotted:  # each slot's descriptor sets it, as __init__ would
        fields = "".join(f"    _s{i}(record, {value})\n" for i, value in enumerate(values))
    else:
        pairs = zip(schema.names, values, strict=True)
        items = ", ".join(f"{name!r}: {value}" for name, value in pairs)
        fields = f"    record.__dict__.update({{{items}}})\n"
    source = (
        "def make(v):\n"
        f"    if len(v) != {len(schema.names)}:\n"
        "        raise ValueError(f'{len(v)} values for {_n} fields')\n"
        "    record = _new(_cls)\n"
        f"{fields}"
        "    return record\n"
    )
    scope = {f"_c{index}": function for index, function in converters.items()}
    if slotted:
        scope.update({f"_s{i}": vars(cls)[name].__set__ for i, name in enumerate(schema.names)})
    scope.update(_new=object.__new__, _cls=cls, _n=len(schema.names))
    exec(source, scope)  # the source is made here, of field names and indexes only
    return scope["make"]


@functools.cache
def _schema(cls: type) -> _Schema:
    names = tuple(field.name for field in dataclasses.fields(cls))
    hints = typing.get_type_hints(cls)
    encoders, decoders = [], []
    for index, name in enumerate(names):
        pair = _converters(hints[name])
        if pair is not None:
            encoders.append((index, pair[0]))
            decoders.append((index, pair[1]))
    values = operator.attrgetter(*names) if names else _no_values
    return _Schema(names, values, tuple(encoders), tuple(decoders))


def _no_values(record: Any) -> tuple:
    """The field values of a record with no fields."""
    return ()


def _converters(hint: Any) -> tuple[_Convert, _Convert] | None:
    """(encode, decode) for a field of type ``hint``; None for plain values."""
    if hint is dt.datetime:
        return _encode_date, _decode_date
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return operator.attrgetter("value"), {member.value: member for member in hint}.__getitem__
    if dataclasses.is_dataclass(hint):
        return encode, _maker(hint, True)
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        inner = [arg for arg in args if arg is not type(None)]
        if len(inner) == 1:
            pair = _converters(inner[0])
        elif all(dataclasses.is_dataclass(arg) for arg in inner):
            pair = _tagged(inner)
        else:
            pair = None
        if pair is not None and len(inner) < len(args):
            return _optional(pair[0]), _optional(pair[1])
        return pair
    if origin in (tuple, list, frozenset) and args and (origin is not tuple or args[-1] is ...):
        pair = _converters(args[0])
        if pair is not None:
            return _each(pair[0]), _each(pair[1], origin)
    if origin in (dict, collections.abc.Mapping):  # a mapping comes back a dict
        pair = _converters(args[1])
        if pair is not None:
            return _values(pair[0]), _values(pair[1])
    return None


def _tagged(classes: list[type]) -> tuple[_Convert, _Convert]:
    """(encode, decode) for a union of record classes: a record as (its class's name,
    its fields), so that adding a class to the union changes no other's encoding."""
    by_name = {cls.__name__: cls for cls in classes}
    if len(by_name) < len(classes):
        raise TypeError(f"records of one name in a union: {classes}")

    def encode_tagged(record: Any) -> tuple:
        return type(record).__name__, encode(record)

    def decode_tagged(value: tuple | list) -> Any:
        return decode(by_name[value[0]], value[1])

    return encode_tagged, decode_tagged


def _optional(convert: _Convert) -> _Convert:
    return lambda value: None if value is None else convert(value)


def _each(convert: _Convert, kind: type = tuple) -> _Convert:
    return lambda values: kind(map(convert, values)) if values else kind()


def _values(convert: _Convert) -> _Convert:
    return lambda mapping: {key: convert(value) for key, value in mapping.items()}


def _encode_date(date: dt.datetime) -> tuple:
    """A date as wall clock numbers, fold and zone: the zone's name, its offset in
    seconds (a fixed-offset zone) or None (a naive date)."""
    zone: str | int | None = None
    if date.tzinfo is not None:
        key = getattr(date.tzinfo, "key", None)
        offset = date.utcoffset()
        zone = key if isinstance(key, str) else int(offset.total_seconds()) if offset else 0
    wall = (date.year, date.month, date.day, date.hour, date.minute, date.second)
    return (*wall, date.microsecond, date.fold, zone)


def _decode_date(v: tuple) -> dt.datetime:
    """The date :func:`_encode_date` encoded (its values indexed, not unpacked: 20,000
    of them load with the cached articles)."""
    return dt.datetime(v[0], v[1], v[2], v[3], v[4], v[5], v[6], _zone(v[8]), fold=v[7])


@functools.cache
def _zone(zone: str | int | None) -> dt.tzinfo | None:
    if zone is None:
        return None
    if isinstance(zone, int):
        return dt.timezone(dt.timedelta(seconds=zone))
    return zoneinfo.ZoneInfo(zone)
