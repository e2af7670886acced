"""Whether a word reads as a person's name: its shape, its surname, and words that never are.

A byline names people in two to four Han characters (or a transcribed name joined
with ``·``). Shape alone lets navigation and widget words through (``最新文章``,
``图片新闻``), so a name found in free text must also open with a Chinese surname;
a name that a role word vouches for directly (``记者 X``) needs the shape only.
"""

from __future__ import annotations

import re

from provarchive.importer.read.labels import kind_of
from provarchive.importer.read.text import HAN

# Single-character surnames, the common ones of mainland, Hong Kong and Taiwan
# registers (about 99% of the population), without characters that mostly open
# ordinary words in page chrome (新, 最, 海, 国, 全, 正 …).
_SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶"
    "程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫阎段雷侯龙史陶黎"
    "贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申"
    "欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴"
    "蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳穆农司卓古吉缪简车项连芦卢麦褚娄窦戚岑景党宫费卜冷晏席"
    "卫米柏宗瞿桂佟应臧闵苟邬边卞姬师仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩佘池查麻苑迟邝官"
    "封谈匡鞠惠荆乐冀郁胥班储栗燕楚鄢劳谌奚皮粟冼蔺楼闻位厉伊仝区郜阚花权强帅屠豆朴盖练"
    "廉禹井祖漆巴丰支卿狄晋芮扈晁阙浦戈伏鹿薄邸雍辜羊母裘亓修邰赫杭况宿鲜逯隆茹诸慕嵇湛"
    "宾戎勾茅於揭尉冶束檀昝幸奉植衡尧禤凤蔚鄂庹眭虢隗郦缑靖仉郏鄞璩萧荀丘邴逄乜庾訾郇须洪赖习满钮濮寿竺桓弓牧怀贡宦暨蒯巢厍殳禄弘"
)
_COMPOUND_SURNAMES = frozenset(
    [
        "欧阳",
        "司马",
        "上官",
        "诸葛",
        "东方",
        "皇甫",
        "尉迟",
        "公孙",
        "慕容",
        "令狐",
        "长孙",
        "宇文",
        "司徒",
        "夏侯",
        "轩辕",
        "端木",
        "独孤",
        "南宫",
        "西门",
        "呼延",
        "澹台",
        "申屠",
        "万俟",
        "闻人",
        "东郭",
        "公羊",
        "太史",
        "钟离",
        "司空",
        "百里",
    ]
)
NOT_NAMES = frozenset(
    [
        "佚名",
        "本报",
        "本站",
        "本网",
        "本台",
        "本刊",
        "记者",
        "通讯员",
        "新华社",
        "新华网",
        "综合",
        "编辑",
        "网络",
        "未知",
        "管理员",
        "系统",
        "匿名",
        "报道",
        "供稿",
        "供图",
        "摄影",
        "整理",
        "整合",
        "本报讯",
        "来源",
        "转载",
        "原创",
        "责编",
        "作者",
        "中新社",
        "中新网",
        "人民网",
        "央视网",
        "通讯社",
        "网友",
        "读者",
        "市民",
        "小编",
        "本版",
        "本文",
        "全文",
        "正文",
        "图片",
        "视频",
        "文字",
        "组图",
        "记者站",
        "综述",
        "编者",
        "联合",
        "原载",
        "特稿",
        "来稿",
        "投稿",
        "评论员",
        "本报评论员",
        "特约",
        "特约评论员",
        "通讯",
        "消息",
        "资料",
    ]
)
_ORG_SUFFIXES = (
    "日报",
    "晚报",
    "早报",
    "报社",
    "新闻",
    "中心",
    "政府",
    "公司",
    "集团",
    "大学",
    "学院",
    "报",
    "社",
    "网",
    "台",
    "站",
    "局",
    "厅",
    "委",
    "办",
    "部",
    "院",
    "所",
    "处",
    "会",
    "馆",
    "队",
    "组",
    "团",
    "科",
)
_TITLE_ENDINGS = (
    "经理",
    "主任",
    "主管",
    "老师",
    "同学",
    "师傅",
    "书记",
    "局长",
    "部长",
    "校长",
    "院长",
    "医生",
    "护士",
    "警官",
    "先生",
    "女士",
    "小姐",
    "妈妈",
    "爸爸",
    "母亲",
    "父亲",
    "阿姨",
    "大爷",
    "爷爷",
    "奶奶",
    "网友",
)
"""Job titles and kinship words: a word ending in one (``社区主任``, ``小花妈妈``) names a
role, not a person."""
_SHAPE = re.compile(rf"^(?:[{HAN}]{{2,4}}|[{HAN}]{{1,10}}[·•・.][{HAN}]{{1,12}})$")


def is_name(token: str) -> bool:
    """Return True when ``token`` has a name's shape and is no role, label or organisation."""
    if not _SHAPE.match(token) or token in NOT_NAMES or kind_of(token) is not None:
        return False
    if len(token) >= 3 and "·" not in token and token.endswith(_ORG_SUFFIXES):
        return False
    return not token.endswith(("记者", "通讯员", "编辑", *_TITLE_ENDINGS))


def is_compound_surname(token: str) -> bool:
    """Return True for a two-character surname (``欧阳``, ``司马``)."""
    return token in _COMPOUND_SURNAMES


def has_surname(token: str) -> bool:
    """Return True when ``token`` opens with a surname (four characters: a compound one)."""
    if re.search(r"[·•・.]", token):
        return True
    if token[:2] in _COMPOUND_SURNAMES:
        return len(token) >= 3
    return len(token) <= 3 and token[:1] in _SURNAMES


def is_person(token: str, *, vouched: bool = False) -> bool:
    """Return True when ``token`` reads as a person's name; ``vouched`` when a role word
    stands right before it, so that the name needs no known surname."""
    if not is_name(token):
        return False
    return vouched or has_surname(token)
