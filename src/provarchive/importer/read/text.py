"""Character-level helpers shared by the importer: width folding, line cleaning, Han tests."""

from __future__ import annotations

import re

_FOLD_TABLE = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_FOLD_TABLE.update(
    {
        0x3000: 0x20,  # ideographic space
        0x00A0: 0x20,  # no-break space
        0x2002: 0x20,
        0x2003: 0x20,
        0x2009: 0x20,
        0x3010: ord("["),  # 【
        0x3011: ord("]"),  # 】
        0x3014: ord("["),  # 〔
        0x3015: ord("]"),  # 〕
        0x3016: ord("["),  # 〖
        0x3017: ord("]"),  # 〗
        0x2215: ord("/"),  # ∕
        0xFE30: ord(":"),  # ︰
        0x2236: ord(":"),  # ∶ ratio sign, used as a colon by some CMS
        0x300A: ord("<"),  # 《 stays a bracket for matching purposes
        0x300B: ord(">"),  # 》
        0x2039: ord("<"),  # ‹
        0x203A: ord(">"),  # ›
        0x00AB: ord("<"),  # «
        0x00BB: ord(">"),  # »
        0x2192: ord(">"),  # →
    }
)
# 《》 must not look like breadcrumb separators: undo them after the table.
del _FOLD_TABLE[0x300A], _FOLD_TABLE[0x300B]

# Traditional characters of the label, role and chrome vocabularies, matched as their
# simplified forms so that Big5 pages need no vocabulary of their own. Only matching
# uses this; output keeps the page's own script.
_TRADITIONAL = (
    "現现當当頁页發发佈布來来記记責责編编輯辑時时間间員员訊讯電电攝摄圖图聞闻題题審审覽览"
    "點点擊击數数閱阅讀读號号體体關关閉闭視视導导報报網网臺台欄栏類类屬属轉转載载鎮镇縣县"
    "區区後后傳传專专實实習习見见紙纸則则經经營营務务環环們们產产處处廳厅會会單单協协辦办"
    "簡简權权藝艺頭头條条標标評评論论與与為为於于從从紀纪錄录贊赞頻频級级稱称將将這这個个"
    "國国對对動动過过說说學学進进裡里兩两機机業业應应開开還还問问黨党書书長长門门東东車车"
    "錢钱陳陈鄭郑張张劉刘趙赵孫孙馬马楊杨黃黄吳吴葉叶蕭萧許许鄧邓馮冯韓韩曉晓嵐岚週周訪访"
    "選选擇择驗验據据統统計计歷历縮缩預预設设聯联繫系導导護护語语調调節节廣广價价務务貨货"
    "參参們们愛爱鄉乡區区遊游華华覺觉廠厂衛卫醫医藥药園园農农興兴豐丰範范遠远運运團团隊队"
    "構构廣广雜杂誌志節节題题圖图歡欢迎迎訂订閒闲總总覽览稿稿級级顯显屆届務务點点則则聽听"
    "讚赞評评級级鐘钟鍾钟劃划衝冲鳥鸟龍龙龜龟灣湾歲岁臉脸氣气寫写讓让認认識识資资質质術术"
)
for _trad, _simp in zip(_TRADITIONAL[::2], _TRADITIONAL[1::2], strict=True):
    _FOLD_TABLE[ord(_trad)] = ord(_simp)

_FOLDED = {chr(code): chr(folded) for code, folded in _FOLD_TABLE.items()}
_FOLDABLE = re.compile("[" + "".join(map(re.escape, _FOLDED)) + "]")

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_SPACE_RUN = re.compile(r"[ \t\u3000\u00a0\u2002\u2003\u2009\u202f]+")
_HAN_SPACE = re.compile(r"(?<=[\u3400-\u9fff])\s+(?=[\u3400-\u9fff])")

HAN = "\u3400-\u9fff\uf900-\ufaff"
"""Character-class body matching Han characters (CJK unified ideographs and extensions A)."""

SENTENCE_END = "。！？!?…"
"""Characters that end a sentence in either width."""


def fold(text: str) -> str:
    """Return ``text`` with full-width ASCII, ideographic space and 【】 mapped to ASCII.

    The mapping is one character to one character, so offsets in the folded text are
    offsets in the original text too.
    """
    # a regex finds the few characters to fold: str.translate looks every character
    # up in the table, which took 3-4 times as long on the lines of real pages
    return _FOLDABLE.sub(_folded, text)


def _folded(match: re.Match[str]) -> str:
    return _FOLDED[match[0]]


def clean_line(line: str) -> str:
    """Return ``line`` without invisible characters, outer blanks and runs of inner blanks."""
    line = line.translate(_INVISIBLE)
    line = "".join(ch for ch in line if ch == "\t" or ch >= " ")
    return _SPACE_RUN.sub(" ", line).strip()


def squeeze_han(text: str) -> str:
    """Return ``text`` without blanks between two Han characters (``首 页`` becomes ``首页``)."""
    return _HAN_SPACE.sub("", text)


def is_han(char: str) -> bool:
    """Return True when ``char`` is a Han character."""
    return "\u3400" <= char <= "\u9fff" or "\uf900" <= char <= "\ufaff"


_HAN_CHAR = re.compile(f"[{HAN}]")
_NOT_ALNUM = re.compile(r"[\W_]+")
"""What is not ``str.isalnum``: ``\\w`` is that and the underscore."""


def han_count(text: str) -> int:
    """Return how many Han characters ``text`` holds."""
    return len(_HAN_CHAR.findall(text))


def visible_length(text: str) -> int:
    """Return the length of ``text`` without blanks (``str.isspace``)."""
    return len("".join(text.split()))


def compact(text: str) -> str:
    """Return a comparison key: folded, without blanks and without punctuation."""
    return _NOT_ALNUM.sub("", fold(text))


def normalise_newlines(text: str) -> str:
    """Return ``text`` with every kind of line break turned into ``\\n``."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    for sep in ("\u2028", "\u2029", "\x0b", "\x0c", "\x85"):
        text = text.replace(sep, "\n")
    return text
