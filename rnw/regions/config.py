"""Configuration of the regions area: file locations, name suffixes and matching rules.

Everything a maintainer may want to tune lives here, so that the seed builder and the matcher
never disagree about what a suffix or an ordinary word is.
"""

from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
REFERENCE_CSV = REPO_ROOT / "data" / "reference" / "yescallop_areacodes" / "result.csv"
SEED_DIR = REPO_ROOT / "dbt_project" / "seeds" / "regions"
REGIONS_SEED = SEED_DIR / "regions.csv"
VERSIONS_SEED = SEED_DIR / "region_versions.csv"
STOPLIST_SEED = SEED_DIR / "region_name_stoplist.csv"
GROUPS_SEED = SEED_DIR / "region_groups.csv"
GROUP_MEMBERS_SEED = SEED_DIR / "region_group_members.csv"

LEVELS = {"省级": "province", "地级": "prefecture", "县级": "county"}

# Suffixes stripped (longest first) to get the name people write without the administrative type.
PROVINCE_SUFFIXES = ("特别行政区", "自治区", "省", "市")
PREFECTURE_SUFFIXES = ("自治州", "地区", "盟", "市")
COUNTY_SUFFIXES = ("自治县", "自治旗", "特区", "林区", "新区", "矿区", "县", "区", "市", "旗")
# Short forms written with a one-character type: 凉山彝族自治州 -> 凉山州, 青龙满族自治县 -> 青龙县.
AUTONOMOUS_SHORT_SUFFIX = {"自治州": "州", "自治县": "县", "自治旗": "旗"}

# The 55 recognised minorities, as they appear inside autonomous-area names (凉山彝族自治州).
ETHNIC_GROUPS = [
    "蒙古",
    "回",
    "藏",
    "维吾尔",
    "苗",
    "彝",
    "壮",
    "布依",
    "朝鲜",
    "满",
    "侗",
    "瑶",
    "白",
    "土家",
    "哈尼",
    "哈萨克",
    "傣",
    "黎",
    "傈僳",
    "佤",
    "畲",
    "高山",
    "拉祜",
    "水",
    "东乡",
    "纳西",
    "景颇",
    "柯尔克孜",
    "土",
    "达斡尔",
    "仫佬",
    "羌",
    "布朗",
    "撒拉",
    "毛南",
    "仡佬",
    "锡伯",
    "阿昌",
    "普米",
    "塔吉克",
    "怒",
    "乌孜别克",
    "俄罗斯",
    "鄂温克",
    "德昂",
    "保安",
    "裕固",
    "京",
    "塔塔尔",
    "独龙",
    "鄂伦春",
    "赫哲",
    "门巴",
    "珞巴",
    "基诺",
    "各",
]

# A short name needs at least this many characters: one-character leftovers (赵县 -> 赵) are not names.
MIN_SHORT_NAME_CHARS = 2

# A short name followed by one of these (as whole words) is part of a smaller place or a street
# (山南村, 川沙新镇, 北京路), not the region itself; 北京时间 is a time zone. Official full names are exempt.
NON_REGION_FOLLOWERS = (
    "村",
    "镇",
    "乡",
    "新镇",
    "街道",
    "路",
    "街",
    "大街",
    "大道",
    "巷",
    "胡同",
    "社区",
    "小区",
    "里弄",
    "时间",
)

# A region name may end inside a longer word only when that word makes it an organisation, office or
# body of the place (北京大学, 天津师范大学, 巴彦淖尔市委, 天津开发区, 香港媒体); other long words
# (大同小异) are not mentions.
ORG_WORD_SUFFIXES = (
    "大学",
    "学院",
    "中学",
    "小学",
    "日报",
    "晚报",
    "电视台",
    "广播电台",
    "银行",
    "医院",
    "公司",
    "集团",
    "政府",
    "委",
    "研究院",
    "研究所",
    "法院",
    "检察院",
    "海关",
    "机场",
    "站",
    "中心",
    "兵团",
    "开发区",
    "高新区",
    "自贸区",
    "保税区",
    "媒体",
    "人",
)

# Disambiguation weights. Order of strength: the parent written right before the name (北京通州),
# the full official name, the name being in use in the publication year, the size of the place, then
# what the rest of the article and the source's home region say.
ADJACENT_PARENT_SCORE = 100
FULL_NAME_SCORE = 50
IN_USE_SCORE = 20
LEVEL_SCORE = {"province": 10, "prefecture": 3, "county": 0}
CONTEXT_PARENT_SCORE = 4
CONTEXT_ANCESTOR_SCORE = 2  # a province named elsewhere says little about which 西安 is meant
CONTEXT_DESCENDANT_SCORE = 4
CONTEXT_SAME_PROVINCE_SCORE = 2
HOME_REGION_SCORE = 3
MAX_SUCCESSOR_HOPS = 6
# Primary region: a title mention counts as three body mentions; the source's home region weighs half
# again; walk down to a sub-region while it holds at least half of its parent's weight.
TITLE_WEIGHT = 3.0
HOME_FACTOR = 1.5
DESCEND_SHARE = 0.5
# A region named only in passing is not the article's region: when the body names regions only in one
# short passage (all mentions within PASSING_SPAN_CHARS characters, about one sentence) that starts after
# the lead (the first LEAD_CHARS characters, where Chinese news says where it happens), and neither the
# title nor the source's home region backs it, the article has no primary region (深圳 as one economist's
# example in a national economy report; 黄石 as Yellowstone in a US story).
LEAD_CHARS = 200
PASSING_SPAN_CHARS = 60
