"""How sure the parse of each field is, from the page's other evidence.

Each field the parser found is weighed against what the page says elsewhere (see
:mod:`provarchive.importer.read.evidence`) and against what such a field looks like. Every
piece of evidence moves the field's log-odds from a prior, the share of such fields a
parse gets right: the title agreeing with ``og:title`` moves it up a lot, a source
that no ``来源`` label shows moves it down a little, a name holding a label word
(校对, 来源) moves it down a lot. The result is a confidence between 0 and 1 and the
reason that weighed most, so that an import can list the fields an editor should
check instead of every page.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import re
import unicodedata
from collections.abc import Callable
from difflib import SequenceMatcher

from provarchive.importer.read.evidence import PageEvidence
from provarchive.importer.read.page import FieldConfidence, ParsedPage
from provarchive.importer.read.text import compact, han_count, visible_length

DEFAULT_THRESHOLD = 0.5
"""Fields below this confidence are listed for review by ``import``."""

_PRIORS = {
    "title": 0.8,
    "breadcrumb": 0.6,
    "column": 0.4,
    "kicker": 0.3,
    "subtitle": 0.3,
    "date": 0.8,
    "time": 0.75,
    "source": 0.7,
    "authors": 0.45,
    "editor": 0.7,
}
"""The share of such fields a parse gets right with no other evidence."""

_LABEL_WORDS = re.compile(
    r"(?:来源|發布|发布时间|发布日期|发表时间|作者|编辑|责编|时间|日期|浏览|点击)\s*[:：]|"
    r"当前位置|您的位置|字号|打印|关闭窗口|上一篇|下一篇|浏览次数|点击数|阅读数|分享到|责任编辑"
)
_NAME_NOISE = re.compile(r"记者|编辑|校对|审核|来源|整合|正文|资料|通讯员|新华社|日报|报社|中心|网")
_ROLE_BEFORE = re.compile(
    r"(?:记者|記者|作者|通讯员|通訊員|撰稿|采写|採寫|执笔|執筆|摄影|攝影|实习生|實習生|"
    r"文\s*[/／]|图\s*[/／]|圖\s*[/／]|文图|图文|圖文)\s*[:：]?\s*(?:[\w·]{1,8}\s*[,、/／]?\s*){0,8}$"
)
_DATE_SHAPE = re.compile(r"(?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}")
_TAGGED = re.compile(r"^\s*(?:【[^】]{1,20}】|\[[^\]]{1,20}\])|[-_|｜][^-_|｜]{1,12}$")
_CRUMB_NOISE = re.compile(
    r"打印|字号|关闭|分享|收藏|申请|登录|注册|浏览|来源[:：]|发布时间|[|｜]|正文.|.正文"
)
_SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "萧阎蕭陳劉張楊黃趙吳孫馬羅鄭謝許韓馮鄧葉蘇呂盧鍾譚陸賈韋鄒賀顧龔萬錢嚴湯龐顏聶魯鄺關蘭歐鄔閔龍饒"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝"
    "龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞"
    "左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕"
    "屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧"
    "闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝官封谈匡鞠惠荆乐冀郁胥"
    "南班储原栗燕楚鄢劳谌奚皮粟冼蔺楼盘满闻位厉伊仝区郜海阚花权强帅屠豆朴盖练廉禹井祖漆巴丰支"
    "卿国狄平计索宣晋相初门云容敬来扈晁芮都普阙浦戈伏鹿薄邸雍辜羊阿乌母裘亓修邰赫杭况那宿鲜印"
    "逯隆茹诸战慕危玉银亢嵇公哈湛宾戎勾茅利於呼居揭干但尉冶斯元束檀衣信展阴昝智幸奉植衡富尧闭由"
)
"""Single-character surnames, the first character of nearly every Chinese name."""
_COMPOUND_SURNAMES = ("欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容")
_POSITION = re.compile(r"当前位置|您的位置|你的位置|所在位置|您现在的位置")
_ROLE_NAME = re.compile(
    r"(记者|記者|作者|通讯员|撰稿|执笔)\s*[:：]?\s*([\u4e00-\u9fff]{2,3})(?![\u4e00-\u9fff])"
)
_Step = tuple[float, str]


def with_confidence(page: ParsedPage, evidence: PageEvidence) -> ParsedPage:
    """Return ``page`` with the confidence of each field it has."""
    return dataclasses.replace(page, confidence=score_fields(page, evidence))


def score_fields(page: ParsedPage, evidence: PageEvidence) -> tuple[FieldConfidence, ...]:
    """Return the confidence of each field ``page`` has a value for, in field order."""
    scored: list[FieldConfidence] = []
    for field, judge in _JUDGES.items():
        if getattr(page, field):
            scored.append(_combine(field, _PRIORS[field], judge(page, evidence)))
        elif field in _MISSING:
            shown = _MISSING[field](page, evidence)
            if shown:
                scored.append(
                    FieldConfidence(field, 0.2, f"none found, but the page shows {shown}")
                )
    return tuple(scored)


def _shown_source(page: ParsedPage, evidence: PageEvidence) -> str | None:
    return f"来源 {evidence.labelled_sources[0]!r}" if evidence.labelled_sources else None


def _shown_editor(page: ParsedPage, evidence: PageEvidence) -> str | None:
    return f"编辑 {evidence.labelled_editors[0]!r}" if evidence.labelled_editors else None


def _shown_time(page: ParsedPage, evidence: PageEvidence) -> str | None:
    times = [t for d, t in evidence.labelled_dates if d == page.date and t]
    return f"the time {times[0]} with the date" if times else None


def _shown_breadcrumb(page: ParsedPage, evidence: PageEvidence) -> str | None:
    marker = _POSITION.search(evidence.text)
    return f"a position line ({marker.group()})" if marker else None


def _shown_authors(page: ParsedPage, evidence: PageEvidence) -> str | None:
    for match in _ROLE_NAME.finditer(evidence.text):
        if _looks_like_a_name(match.group(2)):
            return f"{match.group(1)} {match.group(2)}"
    return None


def _combine(field: str, prior: float, steps: list[_Step]) -> FieldConfidence:
    """Return the confidence from ``prior`` moved by each step's log-odds."""
    odds = math.log(prior / (1 - prior)) + sum(weight for weight, _ in steps)
    confidence = min(0.99, max(0.01, round(1 / (1 + math.exp(-odds)), 2)))  # never certain
    ordered = sorted(steps, key=lambda step: -abs(step[0]))
    reasons = [reason for weight, reason in ordered if weight < 0] or [
        reason for _, reason in ordered
    ]
    return FieldConfidence(field, confidence, "; ".join(reasons[:2]) or "no other evidence")


def _flat(text: str) -> str:
    """Return ``text`` as the evidence's text spells it: NFKC, single spaces."""
    return " ".join(unicodedata.normalize("NFKC", text).split())


def _key(text: str) -> str:
    return compact(unicodedata.normalize("NFKC", text))


def _agreement(value: str, others: tuple[str, ...]) -> float:
    """Return how well ``value`` agrees with the best of ``others``: 1 same, 0 unrelated."""
    key = _key(value)
    best = 0.0
    for other in others:
        other_key = _key(other)
        if not key or not other_key:
            continue
        if key == other_key:
            return 1.0
        short, long = sorted((key, other_key), key=len)
        if short in long:
            best = max(best, 0.6 + 0.3 * len(short) / len(long))
        else:
            best = max(best, SequenceMatcher(None, key, other_key).ratio() * 0.8)
    return best


def _title(page: ParsedPage, evidence: PageEvidence) -> list[_Step]:
    steps: list[_Step] = []
    heads = evidence.head_title_parts
    stated = _agreement(page.title, evidence.stated_titles)
    shown = _agreement(page.title, heads)
    if stated >= 0.95:
        steps.append((2.5, "agrees with the head's stated headline (og:title, ArticleTitle)"))
    elif shown >= 0.95:
        steps.append((2.0, "agrees with <title>"))
    elif _holds_more(page.title, evidence.stated_titles + heads):
        steps.append((-1.5, "longer than the head's headline: a tag or site name left in?"))
    elif max(stated, shown) >= 0.75:
        steps.append((0.8, "close to the head's headline"))
    elif evidence.stated_titles or any(visible_length(h) > 10 for h in heads):
        steps.append((-1.8, "differs from <title> and og:title"))
    steps += _headline_shape(page.title, 4, 60)
    if _TAGGED.search(page.title):
        steps.append((-1.2, "starts with a 【tag】 or ends in a site or column name"))
    if any("title" in warning for warning in page.warnings):
        steps.append((-1.2, "the parser guessed it"))
    return steps


def _holds_more(value: str, others: tuple[str, ...]) -> bool:
    """Return True when one of ``others`` is ``value`` with something cut off its ends."""
    key = _key(value)
    cut = [_key(other) for other in others]
    return any(
        len(other) >= 4 and other != key and (key.startswith(other) or key.endswith(other))
        for other in cut
    )


def _headline_shape(text: str, shortest: int, longest: int) -> list[_Step]:
    """Return the steps for a headline-like line that is too short, long or label-like."""
    steps: list[_Step] = []
    length = visible_length(text)
    if length < shortest:
        steps.append((-2.0, f"only {length} characters"))
    elif length > longest:
        steps.append((-1.5, f"{length} characters: long for a headline"))
    if _LABEL_WORDS.search(text):
        steps.append((-1.5, "holds a label word of the page's chrome or metadata"))
    if _DATE_SHAPE.search(text):
        steps.append((-1.5, "holds a date"))
    if text.rstrip().endswith("。") and length > 30:
        steps.append((-1.0, "reads as a sentence of the body"))
    return steps


def _kicker(page: ParsedPage, evidence: PageEvidence) -> list[_Step]:
    value = page.kicker or ""
    steps = _headline_shape(value, 4, 50)
    if evidence.head_title and _key(value) and _key(value) in _key(evidence.head_title):
        steps.append((1.5, "<title> shows it with the headline"))
    if value.rstrip().endswith(("——", "—", "：", ":")) or re.search(
        re.escape(_flat(value)) + r"\s*(?:——|—|--)", evidence.text
    ):
        steps.append((1.0, "a dash or colon leads from it to the headline"))
    return steps


def _subtitle(page: ParsedPage, evidence: PageEvidence) -> list[_Step]:
    value = page.subtitle or ""
    steps = _headline_shape(value, 4, 60)
    if value.lstrip().startswith(("——", "—", "-")) or re.search(
        r"(?:——|—|--)\s*" + re.escape(_flat(value)), evidence.text
    ):
        steps.append((1.5, "starts with a dash, as a subtitle does"))
    heads = evidence.stated_titles + evidence.head_title_parts
    if _agreement(value, heads) >= 0.75 and _agreement(page.title, heads) < 0.75:
        steps.append((-1.5, "the head names it as the headline"))
    return steps


def _column(page: ParsedPage, evidence: PageEvidence) -> list[_Step]:
    steps = _headline_shape(page.column or "", 2, 12)
    if page.breadcrumb and _key(page.column or "") in {_key(c) for c in page.breadcrumb}:
        steps.append((1.5, "repeats a crumb of the breadcrumb"))
    return steps


def _breadcrumb(page: ParsedPage, evidence: PageEvidence) -> list[_Step]:
    steps: list[_Step] = []
    crumbs = page.breadcrumb
    if len(crumbs) > 6:
        steps.append((-1.5, f"{len(crumbs)} crumbs"))
    long = [c for c in crumbs if visible_length(c) > 16]
    if long:
        steps.append((-2.0, f"a crumb of {visible_length(long[0])} characters"))
    if any(_DATE_SHAPE.search(c) for c in crumbs):
        steps.append((-2.0, "a crumb holds a date"))
    noisy = [c for c in crumbs if _CRUMB_NOISE.search(c)]
    if noisy:
        steps.append((-2.0, f"crumb {noisy[0]!r} holds page chrome"))
    if crumbs and _agreement(crumbs[-1], (page.title,)) >= 0.75:
        steps.append((-2.0, "the last crumb repeats the headline"))
    if _POSITION.search(evidence.text):
        steps.append((1.0, "the page marks its position line"))
    return steps


def _date(page: ParsedPage, evidence: PageEvidence) -> list[_Step]:
    steps: list[_Step] = []
    date = page.date or ""
    meta = {d for d, _ in evidence.meta_dates}
    labelled = {d for d, _ in evidence.labelled_dates}
    if date in meta:
        steps.append((2.5, "agrees with the head's publish date"))
    elif meta:
        steps.append((-1.5, f"the head's publish date is {min(meta)}"))
    if date in labelled:
        steps.append((1.5, "shown after a date label"))
    elif labelled:
        steps.append((-1.0, f"the labelled date is {min(labelled)}"))
    if date in evidence.url_dates:
        steps.append((1.5, "agrees with the date in the address or file name"))
    elif evidence.url_dates and not _near(date, evidence.url_dates, 3):
        steps.append((-0.8, f"the address or file name says {evidence.url_dates[0]}"))
    steps += _date_plausibility(date)
    for warning in page.warnings:
        if "date" in warning:
            steps.append((-1.0, warning))
    return steps


def _near(date: str, others: tuple[str, ...], days: int) -> bool:
    """Return True when ``date`` is within ``days`` days of one of ``others``."""
    try:
        day = dt.date.fromisoformat(date)
        return any(abs((dt.date.fromisoformat(o) - day).days) <= days for o in others)
    except ValueError:
        return False


def _date_plausibility(date: str) -> list[_Step]:
    try:
        day = dt.date.fromisoformat(date)
    except ValueError:
        return [(-4.0, "not a calendar date")]
    if day.year < 1990 or day > dt.date.today() + dt.timedelta(days=1):
        return [(-2.5, f"{day.year} is an unlikely year for a news archive")]
    return []


def _time(page: ParsedPage, evidence: PageEvidence) -> list[_Step]:
    steps: list[_Step] = []
    time = page.time or ""
    meta = {t for d, t in evidence.meta_dates if t and d == page.date}
    labelled = {t for d, t in evidence.labelled_dates if d == page.date}
    if time in meta:
        steps.append((2.0, "agrees with the head's publish time"))
    elif any(_minutes_apart(time, other) <= 5 for other in meta):
        steps.append((0.5, "within minutes of the head's publish time"))
    elif meta:
        steps.append((-1.5, f"the head's publish time is {min(meta)}"))
    if time in labelled:
        steps.append((1.2, "shown after a date label"))
    elif None in labelled and not labelled - {None}:
        steps.append((-1.5, "the labelled date shows no time"))
    elif labelled - {None}:
        steps.append((-1.0, "the labelled time differs"))
    if time == "00:00":
        steps.append((-1.0, "midnight: often a date without a time"))
    return steps


def _minutes_apart(first: str, second: str) -> int:
    """Return the minutes between two ``HH:MM`` times (a large number when unreadable)."""
    try:
        a, b = (int(t[:2]) * 60 + int(t[3:5]) for t in (first, second))
    except ValueError:
        return 24 * 60
    return abs(a - b)


def _source(page: ParsedPage, evidence: PageEvidence) -> list[_Step]:
    steps: list[_Step] = []
    value = page.source or ""
    steps.append(_labelled(value, evidence.labelled_sources, "a 来源", -1.2, -0.7))
    if _agreement(value, evidence.meta_sources) >= 0.95:
        steps.append((1.5, "agrees with the head's ContentSource"))
    steps += _name_shape(value, 2, 20, "source")
    return steps


def _labelled(
    value: str, shown: list[str] | tuple[str, ...], label: str, differs: float, absent: float
) -> _Step:
    """The step for a value against the values the page shows after its label
    (``label`` is ``"a 来源"``): agreeing, differing (weight ``differs``) or no such
    label at all (weight ``absent``)."""
    name = label.split()[-1]
    if _agreement(value, shown) >= 0.95:
        return (1.5, f"shown after {label} label")
    if shown:
        return (differs, f"the {name} label shows {shown[0]!r}")
    return (absent, f"no {name} label on the page")


def _name_shape(value: str, shortest: int, longest: int, what: str) -> list[_Step]:
    """Return the steps for a name (outlet or person) that is oddly long or label-like."""
    steps: list[_Step] = []
    length = visible_length(value)
    if length < shortest:
        steps.append((-2.0, f"a {what} of {length} character(s)"))
    elif length > longest:
        steps.append((-1.5, f"a {what} of {length} characters"))
    if _LABEL_WORDS.search(value) or _DATE_SHAPE.search(value) or "http" in value:
        steps.append((-2.5, f"the {what} holds a label word, date or address"))
    return steps


def _authors(page: ParsedPage, evidence: PageEvidence) -> list[_Step]:
    steps: list[_Step] = []
    names = page.authors
    cued = [n for n in names if _has_role_cue(n, evidence.text)]
    if len(names) > 5 and len(cued) < len(names):
        steps.append((-1.5, f"{len(names)} names"))
    noisy = [n for n in names if _NAME_NOISE.search(n)]
    if noisy:
        steps.append((-2.5, f"{noisy[0]!r} holds a label or outlet word"))
    odd = [n for n in names if han_count(n) and not _looks_like_a_name(n)]
    if odd:
        steps.append((-1.5, f"{odd[0]!r} does not look like a Chinese name"))
    if len(cued) == len(names):
        steps.append((1.2, "each name follows a role word (记者, 作者, 文/) or precedes 摄"))
    elif not cued:
        steps.append((-1.0, "no name follows a role word"))
    return steps


def _looks_like_a_name(name: str) -> bool:
    """Return True for 2 to 4 Han characters starting with a surname (or a ``·`` name)."""
    squeezed = name.replace(" ", "")
    if "·" in squeezed or "•" in squeezed:
        return True
    if not 2 <= len(squeezed) <= 4 or han_count(squeezed) != len(squeezed):
        return False
    return squeezed[0] in _SURNAMES or squeezed.startswith(_COMPOUND_SURNAMES)


def _has_role_cue(name: str, text: str) -> bool:
    """Return True when ``name`` follows a role word or precedes 摄 somewhere in ``text``."""
    for match in re.finditer(re.escape(name), text):
        before = text[max(0, match.start() - 64) : match.start()]
        after = text[match.end() : match.end() + 3]
        if _ROLE_BEFORE.search(before) or after.lstrip().startswith(("摄", "攝")):
            return True
        if before.rstrip().endswith(("(", "（")) and after.lstrip().startswith((")", "）")):
            return True
    return False


def _editor(page: ParsedPage, evidence: PageEvidence) -> list[_Step]:
    steps: list[_Step] = []
    value = page.editor or ""
    steps.append(_labelled(value, evidence.labelled_editors, "an 编辑", -1.0, -1.0))
    steps += _name_shape(value, 2, 16, "editor")
    return steps


_JUDGES: dict[str, Callable[[ParsedPage, PageEvidence], list[_Step]]] = {
    "breadcrumb": _breadcrumb,
    "column": _column,
    "title": _title,
    "kicker": _kicker,
    "subtitle": _subtitle,
    "date": _date,
    "time": _time,
    "source": _source,
    "authors": _authors,
    "editor": _editor,
}
"""Each field's judge, in the order of :data:`provarchive.importer.read.page.JSON_KEYS`."""
_MISSING: dict[str, Callable[[ParsedPage, PageEvidence], str | None]] = {
    "breadcrumb": _shown_breadcrumb,
    "time": _shown_time,
    "source": _shown_source,
    "authors": _shown_authors,
    "editor": _shown_editor,
}
"""For fields the parse left empty: what on the page suggests a value, if anything."""
