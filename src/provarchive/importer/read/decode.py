"""Bytes of a saved page to text: BOM, UTF-8, HTML ``<meta charset>``, then detection."""

from __future__ import annotations

import codecs

from charset_normalizer import from_bytes

from provarchive.importer.read.text import normalise_newlines

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig", "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32", "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32", "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16", "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16", "utf-16"),
)

# Every GB-family label is decoded as its superset GB18030; Big5 labels as cp950,
# the Big5 that Windows (and so most legacy CMS) actually wrote.
_ALIASES = {
    "gb2312": "gb18030",
    "gb_2312": "gb18030",
    "gb_2312-80": "gb18030",
    "gbk": "gb18030",
    "cp936": "gb18030",
    "x-gbk": "gb18030",
    "euc-cn": "gb18030",
    "hz": "gb18030",
    "gb18030": "gb18030",
    "big5": "big5",
    "big5-hkscs": "big5",
    "big5hkscs": "big5",
    "cp950": "big5",
    "x-x-big5": "big5",
    "utf8": "utf-8",
    "utf-8": "utf-8",
    "utf_8": "utf-8",
}
_CODECS = {"big5": "cp950"}

# Frequent characters of Chinese news text in both scripts; a wrong decoding of
# GB or Big5 bytes yields rare characters, so the share of these tells which is right.
_COMMON = frozenset(
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下"
    "过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两"
    "体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内"
    "数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直"
    "题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她"
    "手角期根论运农指几九区强放决西被干做必战先回则任取据处府研信影省市县镇村记报道讯会议工作建设"
    "這為個國來們時會對發動過說產種後學經進著電裡現實兩體機當點從業應開還與關數問題黨級處區強決戰"
    "則據議設報導縣鎮記聞區農務廳長員書專業經濟"
)


def _meta_charset(data: bytes) -> str | None:
    """Return the charset an HTML ``<meta>`` in the first 4 KiB declares, lower-cased."""
    head = data[:4096].lower()
    start = 0
    while True:
        at = head.find(b"charset", start)
        if at < 0:
            return None
        start = at + 7
        rest = head[start : start + 40].lstrip()
        if not rest.startswith(b"="):
            continue
        rest = rest[1:].lstrip().lstrip(b"\"'")
        name = bytearray()
        for byte in rest:
            if chr(byte).isalnum() or chr(byte) in "-_":
                name.append(byte)
            else:
                break
        if name:
            return name.decode("ascii")


def canonical_encoding(name: str) -> str:
    """Return the encoding name the importer uses for a detected or declared ``name``."""
    key = name.lower().replace(" ", "")
    if key in _ALIASES:
        return _ALIASES[key]
    try:
        return codecs.lookup(key).name
    except LookupError:
        return key


def _strict(data: bytes, encoding: str) -> str | None:
    """Return ``data`` decoded with ``encoding``, or None when the bytes do not fit it."""
    try:
        return data.decode(_CODECS.get(encoding, encoding))
    except (UnicodeDecodeError, LookupError):
        return None


def _score(text: str) -> float:
    """Return how plausible ``text`` is as Chinese (or plain ASCII) text, from 0 to 1."""
    if not text:
        return 0.0
    good = sum(1 for ch in text if ch in _COMMON or ch.isascii())
    return good / len(text)


def _detected(data: bytes) -> str | None:
    """Return charset-normalizer's best guess for ``data``, as an importer name."""
    best = from_bytes(data).best()
    return canonical_encoding(best.encoding) if best is not None else None


def decode_page(data: bytes) -> tuple[str, str]:
    """Return ``(text, encoding)`` for the bytes of a saved page, with newlines normalised.

    A BOM wins; then valid UTF-8; then a ``<meta charset>`` whose encoding fits the
    bytes; then charset-normalizer, cross-checked against GB18030 and Big5. GB2312 and
    GBK are always decoded as GB18030.
    """
    for bom, name, codec in _BOMS:
        if data.startswith(bom):
            text = data.decode(codec, errors="replace")
            return normalise_newlines(text.lstrip("\ufeff")), name
    text = _strict(data, "utf-8")
    if text is not None:
        return normalise_newlines(text), "utf-8"
    declared = _meta_charset(data)
    if declared:
        name = canonical_encoding(declared)
        text = _strict(data, name)
        if text is not None and name != "utf-8":
            return normalise_newlines(text), name
    detected = _detected(data)
    candidates: list[tuple[float, int, str, str]] = []
    for rank, name in enumerate(dict.fromkeys(n for n in (detected, "gb18030", "big5") if n)):
        text = _strict(data, name)
        if text is not None:
            candidates.append((_score(text), -rank, name, text))
    if candidates:
        _, _, name, text = max(candidates)
        return normalise_newlines(text), name
    name = detected or "gb18030"
    text = data.decode(_CODECS.get(name, name), errors="replace")
    return normalise_newlines(text), name


_TEXT_CONTROLS = frozenset("\t\n\r\f\v")
_SAMPLE = 20_000


def binary_reason(data: bytes, text: str) -> str | None:
    """Return why ``data`` is a binary file (an image, archive or program), not a saved page.

    ``text`` is ``data`` as :func:`decode_page` decoded it. NUL bytes outside UTF-16 and
    UTF-32 text, or control and undecodable characters in more than one character of
    fifty, mark a binary file; None means the bytes read as text.
    """
    wide = any(data.startswith(bom) for bom, name, _ in _BOMS if name in ("utf-16", "utf-32"))
    if b"\x00" in data[:8192] and not wide:
        return "it holds NUL bytes"
    sample = text[:_SAMPLE]
    odd = sum(
        1
        for char in sample
        if char == "\ufffd" or (ord(char) < 32 and char not in _TEXT_CONTROLS) or char == "\x7f"
    )
    if odd >= 8 and odd * 50 > len(sample):
        return f"{odd} of its first {len(sample)} characters are control or undecodable ones"
    return None
