"""Region mentions: traps, shared names, old names, groups, roles and the primary region."""

from __future__ import annotations

from datetime import date

import pytest

from rnw.regions import RegionGazetteer, RegionMention

PUBLISHED = date(2022, 2, 25)


@pytest.fixture(scope="module")
def gazetteer() -> RegionGazetteer:
    return RegionGazetteer.load()


def codes(mentions: list[RegionMention]) -> list[tuple[str, str]]:
    return [(m.surface, m.region_code) for m in mentions]


def test_mentions_carry_offsets_into_the_text(gazetteer: RegionGazetteer) -> None:
    text = "初春的凉山，州府西昌市环境空气质量综合指数2.68。"
    mentions = gazetteer.find_mentions(text, PUBLISHED)
    assert codes(mentions) == [("凉山", "513400"), ("西昌市", "513401")]
    assert all(text[m.char_start : m.char_end] == m.surface for m in mentions)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("加强环境保护合作的协议", []),
        ("甘南州合作市召开会议", [("甘南州", "623000"), ("合作市", "623001")]),
        ("天津市382家医保定点医疗机构全部开通", [("天津市", "120000")]),
        ("从天津到保定1小时", [("天津", "120000"), ("保定", "130600")]),
        ("吸纳创新资源和优质产业", []),
        ("广西资源县的漓江源头", [("广西", "450000"), ("资源县", "450329")]),
        ("侵占湖岸四川片的山南村布尔角", [("四川", "510000")]),  # 山南村 is a village
        ("北京时间9：45，在岸人民币兑美元跌0.06%", []),
    ],
)
def test_ordinary_words_villages_and_time_zones_are_not_regions(
    gazetteer: RegionGazetteer, text: str, expected: list[tuple[str, str]]
) -> None:
    assert codes(gazetteer.find_mentions(text, PUBLISHED)) == expected


@pytest.mark.parametrize(
    ("text", "home_region", "tongzhou"),
    [
        ("天津北部同北京通州生态公园相接", None, "110112"),
        ("南通市通州区举行招商会", None, "320612"),
        ("南通今年新增企业两千家，通州的增速最快", None, "320612"),
        ("通州的增速最快", "320600", "320612"),
    ],
)
def test_tongzhou_in_both_senses(
    gazetteer: RegionGazetteer, text: str, home_region: str | None, tongzhou: str
) -> None:
    found = dict(codes(gazetteer.find_mentions(text, PUBLISHED, home_region)))
    assert found[next(name for name in found if name.startswith("通州"))] == tongzhou


def test_hebei_the_province(gazetteer: RegionGazetteer) -> None:
    text = "北京与天津、河北及时跟进，分别签署了合作协议"
    assert codes(gazetteer.find_mentions(text, PUBLISHED, home_region="120000")) == [
        ("北京", "110000"),
        ("天津", "120000"),
        ("河北", "130000"),
    ]


def test_hebei_the_tianjin_district(gazetteer: RegionGazetteer) -> None:
    assert codes(gazetteer.find_mentions("天津市河北区举办灯会", PUBLISHED)) == [
        ("天津市", "120000"),
        ("河北区", "120105"),
    ]
    assert codes(gazetteer.find_mentions("天津河北的意式风情区", PUBLISHED)) == [
        ("天津", "120000"),
        ("河北", "120105"),
    ]


def test_jingjinji_is_a_group_not_three_regions(gazetteer: RegionGazetteer) -> None:
    text = "京津冀协同发展8周年，长三角和大湾区也在提速"
    assert gazetteer.find_mentions(text, PUBLISHED) == []
    groups = [(g.group_id, g.surface) for g in gazetteer.find_group_mentions(text)]
    assert groups == [
        ("jingjinji", "京津冀"),
        ("yangtze_river_delta", "长三角"),
        ("greater_bay_area", "大湾区"),
    ]


def test_xiongan_is_a_group_with_its_three_counties(gazetteer: RegionGazetteer) -> None:
    text = "服务支持雄安新区建设"
    assert gazetteer.find_mentions(text, PUBLISHED) == []
    (group,) = gazetteer.find_group_mentions(text)
    assert group.group_id == "xiongan"
    assert set(gazetteer.groups["xiongan"].member_codes) == {"130638", "130629", "130632"}


@pytest.mark.parametrize(
    ("published", "expected"),
    [
        (date(2005, 6, 1), "110103"),  # 崇文区 in use
        (date(2015, 6, 1), "110101"),  # merged into 东城区 in 2010
        (None, "110103"),  # no date: the name's own code, history is not rewritten
    ],
)
def test_old_name_resolves_to_the_code_valid_at_publication(
    gazetteer: RegionGazetteer, published: date | None, expected: str
) -> None:
    assert codes(gazetteer.find_mentions("北京市崇文区天坛街道", published))[1] == ("崇文区", expected)


def test_reused_code_old_name_in_an_old_article(gazetteer: RegionGazetteer) -> None:
    """新市区 was 130602 (保定) until 2015; the code now means 竞秀区."""
    text = "保定市新市区召开会议"
    assert codes(gazetteer.find_mentions(text, date(2010, 1, 1)))[1] == ("新市区", "130602")


def test_roles_mark_qualifiers_and_datelines(gazetteer: RegionGazetteer) -> None:
    text = "新华社北京5月19日电 河北省遵化市积极推行数字农机服务"
    roles = [(m.surface, m.role) for m in gazetteer.find_mentions(text, date(2024, 5, 19))]
    assert roles == [("北京", "dateline"), ("河北省", "qualifier"), ("遵化市", "mention")]


def test_primary_region_is_none_without_regions(gazetteer: RegionGazetteer) -> None:
    text = "美国本质上是在保护自己的低端过剩产能。"
    assert gazetteer.primary_region(gazetteer.find_mentions(text), title=None) is None
    dateline_only = gazetteer.find_mentions("新华社北京11月17日电 记者从国家卫生健康委获悉")
    assert gazetteer.primary_region(dateline_only) is None


def test_primary_region_walks_down_to_the_place_written_about(gazetteer: RegionGazetteer) -> None:
    text = "河北省遵化市东新庄镇，无人驾驶农机在播种玉米。河北省遵化市的田间地头。"
    mentions = gazetteer.find_mentions(text, date(2024, 5, 15))
    assert gazetteer.primary_region(mentions, home_region="130000") == "130281"


def test_primary_region_counts_the_title(gazetteer: RegionGazetteer) -> None:
    body = gazetteer.find_mentions("北京和上海的代表到会。", PUBLISHED)
    assert gazetteer.primary_region(body, title="成都召开大会") == "510100"


def test_a_province_named_elsewhere_does_not_pull_a_famous_city_into_it(gazetteer: RegionGazetteer) -> None:
    """吉林 (the province) in the text must not turn 西安 into 西安区 of 辽源, Jilin."""
    found = codes(gazetteer.find_mentions("金成晓（吉林大学）、冯涛（西安交通大学）", PUBLISHED))
    assert ("西安", "610100") in found


def test_a_named_prefecture_picks_its_own_county(gazetteer: RegionGazetteer) -> None:
    """台江 is 台江县 under 黔东南 in Guizhou here, not 台江区 of Fuzhou."""
    text = "他来到贵州黔东南苗族侗族自治州台江县。来台江前，他最放心不下母亲。"
    assert {m.region_code for m in gazetteer.find_mentions(text, PUBLISHED) if m.surface == "台江"} == {
        "522630"
    }


# A national story: no region in its lead (the first LEAD_CHARS characters) nor in its title.
NATIONAL_LEAD = (
    "国家统计局今天发布数据，一季度国内生产总值同比增长百分之五点三，工业生产增速创下近年来的新高。"
    "多位经济学家在报告会上表示，当前经济运行总体平稳，但部分行业出现偏热迹象，需要关注投资增速和物价走势。"
    "专家认为，宏观调控应当更加注重总量平衡，利率和汇率政策都有调整空间，财政政策也要保持连续性和稳定性。"
    "与会者还讨论了就业、消费和外贸形势，认为全国居民消费需求正在逐步恢复。"
    "报告指出，今后一个时期要坚持稳中求进，继续扩大内需，推动高质量发展。"
)


@pytest.mark.parametrize(
    "aside",
    [
        "周其仁从深圳带回来的资料显示，深圳的工资增长了六倍。",  # one passage, one example city
        "在黄石，他和公园负责人谈了很久。",  # a single passing mention
    ],
)
def test_primary_region_is_none_for_a_region_named_only_in_passing(
    gazetteer: RegionGazetteer, aside: str
) -> None:
    text = NATIONAL_LEAD + aside + "报告最后建议，货币政策要保持稳健。"
    mentions = gazetteer.find_mentions(text, PUBLISHED)
    assert mentions and min(m.char_start for m in mentions) >= 200
    assert gazetteer.primary_region(mentions) is None


@pytest.mark.parametrize(
    ("text", "title", "home_region", "expected"),
    [
        # named in the lead: where the story happens
        ("深圳市今天发布数据。" + NATIONAL_LEAD, None, None, "440300"),
        # named in the title
        (NATIONAL_LEAD + "深圳的工资增长了六倍。", "深圳工资六倍", None, "440300"),
        # a local source names its own place once (it writes 我市, 全市 otherwise)
        (NATIONAL_LEAD + "深圳的工资增长了六倍。", None, "440000", "440300"),
        # named again further on: not a passing aside
        (
            NATIONAL_LEAD + "深圳的工资增长了六倍。" + NATIONAL_LEAD + "深圳将继续推进改革。",
            None,
            None,
            "440300",
        ),
    ],
)
def test_a_region_named_once_is_kept_when_the_lead_title_or_home_backs_it(
    gazetteer: RegionGazetteer, text: str, title: str | None, home_region: str | None, expected: str
) -> None:
    mentions = gazetteer.find_mentions(text, PUBLISHED, home_region)
    assert gazetteer.primary_region(mentions, title=title, home_region=home_region) == expected


def test_threads_asking_at_once_share_one_gazetteer() -> None:
    """A worker's warm-up thread and its first regions task can ask together: one build, not two."""
    import threading

    from rnw.regions import matcher

    matcher._load.cache_clear()
    got: list[RegionGazetteer] = []
    threads = [threading.Thread(target=lambda: got.append(RegionGazetteer.load())) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert got[0] is got[1]
    assert matcher._load.cache_info().misses == 1
