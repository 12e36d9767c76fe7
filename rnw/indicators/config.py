"""Configuration of the indicator extractor: where its seeds live, and the word lists that are too small
or too grammatical to deserve a seed of their own (units, magnitudes, year words, change cues, ranges
and scope words are seeds, see dbt_project/seeds/indicators)."""

from pathlib import Path

INDICATOR_EXTRACTOR_VERSION = "indicators-0.2.0"

# The seeds are the dbt seeds, so the warehouse and the extractor read one copy of each table.
SEED_DIR = Path(__file__).resolve().parents[2] / "dbt_project" / "seeds" / "indicators"

# ---- text structure ------------------------------------------------------------------------------------
# Characters that end a sentence and a clause; attribution looks no further than these.
# A semicolon joins what are in effect separate sentences in official prose.
SENTENCE_END = "。！？!?；;\n"
CLAUSE_END = SENTENCE_END + "，,：:"
# Items of an enumeration ("875平方公里湿地、736平方公里屏障") each name their own indicator, and
# spaces separate the parts of a headline ("PM2.5年均浓度 降至39微克/立方米 断流26年").
PHRASE_END = CLAUSE_END + '、（）()《》“”"「」【】 \u3000'

# ---- numbers -------------------------------------------------------------------------------------------
# Approximation words written between a number and its unit ("30多种", "100余天").
APPROXIMATORS = "多余"
# Separators of a numeric range ("30—40", "100亿～120亿", "15-18万元").
RANGE_SEPARATORS = ("——", "—", "–", "-", "~", "～", "至", "到")
# "三分之一": denominator, this mark, numerator.
FRACTION_MARK = "分之"
# Signs written right before a number that make it negative, and the characters that make a following
# 负 part of a word (减负, 肩负, 胜负) rather than a minus sign.
MINUS_SIGNS = "-−负"
NEGATIVE_WORD_HEADS = "减肩担辜抱胜自背欠正"
# Words before a unitless number that make it an index value ("综合指数2.68"), and the short words that
# may stand between cue and number.
INDEX_CUES = ("指数", "系数", "得分", "评分", "分值", "指标值")
INDEX_LINKS = ("", "为", "是", "达", "达到", "仅")
# Unit text between a number and its unit joined by these marks a rate ("元/千瓦时", "人次/公里").
PER_MARKS = ("/", "／", "每")

# ---- numbers that are no measurement ---------------------------------------------------------------------
# A Chinese "一" before a classifier is an article ("一个缩影"), "零" a word part ("零部件", "零头").
CHINESE_DETERMINER_VALUES = (0.0, 1.0)
# Set phrases whose numeral is no measurement.
IDIOM_TRAPS = (
    "位数",
    "三位一体",
    "四位一体",
    "五位一体",
    "一年四季",
    "十年九旱",
    "三番五次",
    "一把手",
    "二元结构",
    "二元经济",
)
# Characters before a Chinese numeral that make it vague ("几十米", "数百家") rather than a value.
VAGUE_PREFIXES = "几数若好上"
# Characters that follow "N年" when it is a calendar year written short ("98年获", "04年中", "80年代").
SHORT_YEAR_FOLLOWERS = "月底初末中获代度"
# "1年期NDF": a duration followed by this character names a product's tenor.
TENOR_SUFFIX = "期"
DURATION_DIMENSIONS = ("time", "time_long")
# Written right after a duration, these make it a time frame ("8年来", "十年间", "60年以来").
TIME_FRAME_SUFFIXES = ("来", "以来", "间")

# ---- periods -------------------------------------------------------------------------------------------
# Words naming the present, resolved to the publication year.
PRESENT_WORDS = ("目前", "截至目前", "至今", "当前", "现阶段")
# Year words that resolve against the previous year written in the text rather than the publication,
# and the characters before them that make them another word (不同年龄, 相同年份).
ANAPHORIC_YEAR_WORDS = {"同年": 0, "当年": 0, "次年": 1, "翌年": 1}
ANAPHORA_BLOCKERS = "不相共如"
# Five-year plans: the n-th plan (n >= 6) starts in FIRST_PLAN_YEAR + 5 * (n - FIRST_PLAN_NUMBER).
FIRST_PLAN_NUMBER = 6
FIRST_PLAN_YEAR = 1981
PLAN_END_WORDS = ("末", "期末")

# ---- regions -------------------------------------------------------------------------------------------
# A region named this close after a count's unit is what is counted ("179项北京政务服务事项"); one ending
# this close before the number owns it ("河北省40多家医院").
REGION_AFTER_UNIT_CHARS = 1
REGION_BEFORE_NUMBER_CHARS = 0
# "A、B、C分别为x、y、z": regions and quantities pair up in order.
RESPECTIVELY = "分别"
# A place this close to the start of its sentence sets the topic of the paragraph's next sentences.
TOPIC_POSITION_CHARS = 12
# What may stand between the regions of an enumeration ("上海、江苏和浙江省", "沈阳和武汉"). A statement
# about an enumeration is about several regions; 分别 pairs an enumeration with its quantities.
ENUMERATION_JOINS = ("、", "和", "及", "与", "以及", "、和")
# "从天津到保定1小时": a place after an origin mark, followed by a destination mark, is where a trip or a
# flow starts, and owns the quantity (the README's "giver or origin").
ORIGIN_MARKS = ("从", "由")
DESTINATION_MARKS = ("到", "至")
# "8年来，天津深入推进……": a place this close to the start of the clause after a sentence-opening time
# frame is its subject.
SUBJECT_POSITION_CHARS = 2
# "记者首先前往……浦东新区合庆镇益民村": the reporter, a motion verb at most SCENE_GAP_CHARS later (same
# clause), then the first place in the sentence is the scene of what the report describes next.
SCENE_SUBJECT = "记者"
SCENE_VERBS = ("前往", "来到", "走进", "走访", "探访", "抵达", "赶到", "赶赴", "奔赴", "到达", "深入")
SCENE_GAP_CHARS = 8
# A region followed by at most ORG_NAME_CHARS name characters and an organisation suffix (organisations
# seed) opens an organisation's name ("黑龙江省勃农机械有限责任公司"); these characters between them mark
# a phrase rather than a name ("天津市的公司", "北京等地公司").
ORG_NAME_CHARS = 12
NOT_IN_NAMES = "的是在和与及等各有为"
# A quotation this short without clause punctuation is a name (“国投京津冀协同创新……基金”, “全国文明城市”),
# not speech: the group and scope words in it name the thing, not its place.
QUOTED_NAME_CHARS = 30

# ---- indicator phrases ---------------------------------------------------------------------------------
# Verbs and adverbs trimmed off the phrase before a number to leave the measured thing.
# fmt: off
PHRASE_TRAILING_NOISE = (
    "同比增长", "同比上升", "同比下降", "同比减少", "比去年同期", "分别为", "分别达", "增长到", "下降到", "提升到", "提高到", "提高至",
    "提升至", "上升至", "下降至", "下滑至", "降至", "升至", "增至", "达到", "超过", "接近", "不足", "不到", "仅为", "约为", "保持",
    "实现", "完成", "累计", "共计", "合计", "总计", "只有", "高达", "多达", "近", "约", "达", "为", "是", "有", "了", "至",
    "到", "由", "从", "比", "已", "仅", "共", "增长", "上升", "下降", "减少", "提高", "提升", "增加", "降低", "投入", "新增",
    "每",
)
PHRASE_LEADING_NOISE = (
    "其中", "同时", "此外", "另外", "截至目前", "目前", "全年", "我市", "我省", "我州", "我区", "我县", "全市", "全省", "全州",
    "全区", "全县", "全国", "并", "而", "在",
)
# fmt: on
# A phrase shorter than this before the number means the measured thing follows the unit ("382家医保机构").
MIN_PHRASE_CHARS = 2
MAX_PHRASE_CHARS = 24

# ---- plausibility --------------------------------------------------------------------------------------
# Rescaling factors tried on an implausible value to tell a unit typo from an impossible value, and the
# dimensions whose units carry metric prefixes, where such a typo can happen.
UNIT_TYPO_RESCALES = (1e-3, 1e-6, 1e-9, 1e3, 1e6)
UNIT_TYPO_DIMENSIONS = ("concentration", "mass", "length", "area", "volume", "energy", "power")
