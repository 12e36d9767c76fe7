"""Tunable knobs and word lists for HTML extraction, kept in one place.

Every number here was chosen by measuring body F1 over the whole development corpus
(``bench/extraction_eval.py``), never to fix one page.
"""

from __future__ import annotations

import re

# Elements whose content is never article text.
_DROP_TAG_NAMES = (
    "script style noscript iframe select textarea input button object embed svg canvas "
    "video audio map title meta link base nav aside footer"
)
DROP_TAGS = tuple(_DROP_TAG_NAMES.split())
# Elements that start a new text block (paragraph) in the flattened page.
_BLOCK_TAG_NAMES = (
    "p div h1 h2 h3 h4 h5 h6 li ul ol dl dt dd table tbody thead tr td th section article header "
    "blockquote pre center form figure figcaption main br hr address body html"
)
BLOCK_TAGS = frozenset(_BLOCK_TAG_NAMES.split())
# Blocks owned by these are parts of an article; their score goes to the container.
PARAGRAPH_TAGS = frozenset(
    ["p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "dd", "dt", "blockquote", "pre", "figcaption", "address"]
)
HEADING_TAGS = frozenset(["h1", "h2", "h3", "h4", "h5", "h6"])

# class/id words marking page furniture: such a container is a poor body candidate, and inside the
# chosen container its blocks are dropped. A furniture word beats a content word ("comment-txt").
NEGATIVE_ATTR = re.compile(
    r"comment|share|sharing|related|relate|recommend|tuijian|footer|foot\b|breadcrumb|crumb|sidebar|"
    r"side[-_]|\bhot|rank|menu|navbar|\bnav|copyright|banner|advert|\bad[-_]|\bads?\b|guanggao|"
    r"toolbar|login|search|weixin|wechat|qrcode|erweima|popup|modal|subscribe|reply|pinglun|xgyd|"
    r"xgxw|more[-_]?news|tags?\b|keywords|bottom|friend[-_]?link|pagination|paging",
    re.IGNORECASE,
)
# class words of article containers: on a page without one headline, repeated containers with such a
# class are separate articles (see multi.py).
POSITIVE_ATTR = re.compile(
    r"article|content|text|body|main|detail|zhengwen|news[-_]?con|story|entry|post|cont\b|txt|"
    r"neirong|conText|endText|artibody",
    re.IGNORECASE,
)
NEGATIVE_FACTOR = 0.3

# A text block counts as prose (scores for its containers) from this many characters.
MIN_PROSE_CHARS = 20
# Above this share of linked characters a block is a link list, not prose.
MAX_LINK_DENSITY = 0.5
# How much of a block's score its ancestors receive, by distance.
ANCESTOR_DECAY = (1.0, 0.5, 0.25)
# Candidates lose score with their distance (in blocks) below the headline, faster above it.
TITLE_DISTANCE_SCALE = 8.0
TITLE_ABOVE_PENALTY = 3.0
TEASER_ENDINGS = ("...", "…", "。。。")
PUNCTUATION = re.compile(r"[，。！？；、：“”,.!?;:]")

# Lines that end the article: the rest of the candidate block is page furniture.
END_MARKERS = re.compile(
    r"^\W*(?:相关(?:阅读|新闻|文章|链接|报道|推荐|专题)|推荐阅读|延伸阅读|热门推荐|热点推荐|精彩推荐|"
    r"猜你喜欢|为你推荐|热门文章|热门新闻|热点新闻|更多精彩|更多新闻|网友评论|我要评论|发表评论|"
    r"评论区|已有\d+人参与|分享到|版权所有|版权声明|免责声明|Copyright|©|声明[:：]|"
    r"(?:上|下)一篇|打印本页|关闭窗口|【?(?:打印|关闭)】?)",
    re.IGNORECASE,
)
# Lines that are furniture wherever they stand; dropped without ending the article.
NOISE_LINES = re.compile(
    r"^\W*(?:责任编辑|责编|编辑[:：]|(?:文章|信息|新闻|稿件)?来源[:：]|原标题[:：]|点击(?:查看|进入|播放)|扫一扫|扫描二维码|"
    r"(?:字号|字体)[:：]?\s*[大中小]|返回(?:顶部|首页)|本文(?:来源|链接)|举报|收藏|"
    r"未经.{0,8}(?:授权|许可|同意).{0,8}(?:不得|请勿|禁止|严禁)|.{0,20}专稿[，,]|(?:您|你)的浏览器不支持|该视频|视频加载|播放器|分享[:：]?$|标签[:：]|(?:播报|朗读)(?:文章|本文)?$|语音播报)",
    re.IGNORECASE,
)

# Title separators before a site suffix, e.g. "标题_网易新闻", "标题-中国科普网", "标题 | 人民网".
TITLE_SEPARATORS = re.compile(r"\s*(?:[_|｜»>]|--?|—+|–|::|\s-\s)\s*")
MIN_TITLE_CHARS = 4
# Words that make a <title> suffix a site's name rather than a column or a subtitle.
SITE_WORDS = re.compile(
    r"网|报|新闻|频道|电视|广播|台$|在线|官网|门户|政府|中心|论坛|社区|博客|资讯|传媒|日报|晚报|"
    r"\.(?:com|cn|net|org)|[A-Z][a-z]+ ?[A-Z]?|[A-Z]{2,}",
)

# A page whose chosen container holds less prose than this has no article (index or error page).
MIN_BODY_PROSE_CHARS = 40
# Multi-article pages: each repeated article container holds at least this much prose, and sits at
# most this many levels above the chosen container.
MIN_MULTI_ARTICLE_CHARS = 200
MAX_ANCESTOR_STEPS = 4

# Line lengths (characters) that separate furniture lines from prose.
MAX_META_LINE_CHARS = 90  # datelines, source lines, end markers
MAX_HEADING_CHARS = 40  # section headings inside the body
MAX_CREDIT_LINE_CHARS = 50  # bylines at the body's edges
MAX_HEADLINE_CHARS = 60  # per-article headlines and subtitles
MAX_SITE_NAME_CHARS = 20

# How many blocks around the body are searched: datelines and bylines above and below it, an
# unlabelled byline under the headline, a post's headline above it on multi-article pages, a
# heading above the text when the <title> names none, a subtitle under the headline.
CONTEXT_BEFORE = 12
CONTEXT_AFTER = 8
BYLINE_SEARCH = 4
HEADLINE_SEARCH = 4
HEADING_SEARCH = 8
SUBTITLE_SEARCH = 2

# Common Chinese surnames (the most frequent ~150 single ones and the usual compound ones): a line
# holding only a 2-4 character word is taken for a byline only when it starts with one of these.
_COMPOUND_SURNAMES = "欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 长孙 夏侯 令狐 宇文 司徒 端木"
SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
    "常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季"
    "裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦"
    "戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻"
    "苑迟邝官封谈匡鞠惠荆乐冀郁胥南班储原栗燕楚鄢劳谌奚皮粟冼蔺楼盘满闻位厉伊仝区郜海阚花权强帅屠豆朴盖练"
    "廉禹井祖漆巴丰支卿国狄平计索宣晋相初门云容敬来扈晁芮都普阙浦戈伏鹿薄邸雍辜羊阿乌母裘亓修邰赫杭况那宿"
    "鲜印逯隆茹诸战慕危玉银亢嵇公哈湛宾戎勾茅利於呼居揭干但尉冶斯元束檀衣信展阴昝智幸奉植衡富尧闭由"
) | frozenset(_COMPOUND_SURNAMES.split())
