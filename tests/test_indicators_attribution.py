"""Period, region, change kind and plausibility of extracted statements."""

from datetime import date
from pathlib import Path

import pytest

from rnw.indicators import CHANGE_KINDS, INDICATOR_EXTRACTOR_VERSION, extract_observations

TIANJIN, BEIJING, HEBEI, CHENGDE = "120000", "110000", "130000", "130800"


INDICATOR_TEXTS = Path(__file__).parent / "fixtures" / "indicators" / "texts"


@pytest.fixture(scope="module")
def indicator_texts() -> dict[str, str]:
    """Real article texts of the indicator gold, by name."""
    return {path.stem: path.read_text(encoding="utf-8") for path in INDICATOR_TEXTS.glob("*.txt")}


def by_span(text: str, **kwargs) -> dict:
    kwargs.setdefault("published", None)
    return {text[o.char_start : o.char_end]: o for o in extract_observations(text, **kwargs)}


def mention(text: str, name: str, code: str | None) -> tuple[int, int, str | None]:
    start = text.index(name)
    return start, start + len(name), code


def test_last_year_resolves_against_publication_and_plan_end_to_its_year():
    text = "其中，我市PM2.5年均浓度由“十二五”末70微克/立方米下降到去年39微克/立方米，协同治霾成效显著。"
    found = by_span(text, published=date(2022, 2, 26))
    assert (found["70微克/立方米"].period_year, found["70微克/立方米"].period_label) == (2015, "十二五末")
    assert (found["39微克/立方米"].period_year, found["39微克/立方米"].period_label) == (2021, "去年")


def test_relative_year_without_publication_date_stays_unresolved():
    found = by_span("去年投资9.43亿元。")
    assert found["9.43亿元"].period_year is None
    assert found["9.43亿元"].period_label == "去年"


def test_same_year_takes_the_previous_year_written():
    text = "环保部在2014年7月份发布了方案，同年8月，三地签署协议，投入资金3亿元。"
    assert by_span(text)["3亿元"].period_year == 2014


def test_year_of_a_statistics_paragraph_carries_to_its_next_sentences():
    text = "2021年，西昌市环境空气质量综合指数2.68。PM2.5平均浓度21.0克每立方米。\n全州15个国考断面。"
    found = by_span(text)
    assert found["21.0克每立方米"].period_year == 2021
    assert found["15个"].period_year is None  # a new paragraph states no year


def test_region_nearest_in_the_clause_else_primary():
    text = "天津9家三级甲等专科医院与河北省40多家医院和北京市5家医院分别建立联盟。全市382家医保机构全部开通。"
    regions = [
        mention(text, "天津", TIANJIN),
        mention(text, "河北省", HEBEI),
        mention(text, "北京市", BEIJING),
    ]
    found = by_span(text, region_mentions=regions, primary_region=TIANJIN)
    assert found["9家"].region_code == TIANJIN
    assert found["40多家"].region_code == HEBEI
    assert found["5家"].region_code == BEIJING
    assert found["382家"].region_code == TIANJIN  # no region in the sentence: the primary region


def test_clause_subject_owns_the_amount():
    text = "天津市向承德市累计投入三级财政援助资金16.52亿元，实施帮扶项目415个。"
    regions = [mention(text, "天津市", TIANJIN), mention(text, "承德市", CHENGDE)]
    found = by_span(text, region_mentions=regions, primary_region=None)
    assert found["16.52亿元"].region_code == TIANJIN
    assert found["415个"].region_code == TIANJIN


def test_region_group_keeps_the_primary_region_off():
    text = "京津冀三地PM2.5年均浓度降至30—40微克/立方米范围内，其中，我市PM2.5年均浓度下降到39微克/立方米。"
    regions = [mention(text, "京津冀", None)]
    found = by_span(text, region_mentions=regions, primary_region=TIANJIN)
    assert found["30—40微克/立方米"].region_code is None
    assert found["39微克/立方米"].region_code == TIANJIN  # 我市 is the article's own region


def test_time_frame_takes_neither_primary_region_nor_carried_year():
    text = "2021年，天津市工业增加值增长9.6%。8年来，三地公共服务合作不断深化。"
    found = by_span(text, region_mentions=[mention(text, "天津市", TIANJIN)], primary_region=TIANJIN)
    assert (found["9.6%"].region_code, found["9.6%"].period_year) == (TIANJIN, 2021)
    assert (found["8年"].region_code, found["8年"].period_year) == (None, None)


def test_national_scope_word_keeps_the_primary_region_off():
    text = "全国90多个城市发布了建设计划，本市建成3条线路。"
    found = by_span(text, primary_region="440400")
    assert found["90多个"].region_code is None
    assert found["3条"].region_code == "440400"


@pytest.mark.parametrize(
    ("text", "places", "values"),
    [
        pytest.param(
            "上海、江苏和浙江省电厂的超发电价将分别提高至每兆瓦时280元、300元和338元。",
            ("上海", "江苏", "浙江省"),
            ("280元", "300元", "338元"),
            id="in order",
        ),
        pytest.param(  # 国际 is a scope word, not one of the three
            "华能国际发布公告表示，上海、江苏和浙江省电厂的超发电价将分别提高至每兆瓦时280元、300元和338元。",
            ("上海", "江苏", "浙江省"),
            ("280元", "300元", "338元"),
            id="skips a scope word before the enumeration",
        ),
        pytest.param(
            "上海、江苏、浙江的燃煤机组执行核定电价。\n\n\u3000\u3000而超发电量分别执行每千瓦时0.26元、0.28元、0.328元。",
            ("上海", "江苏", "浙江"),
            ("0.26元", "0.28元", "0.328元"),
            id="enumeration of the previous sentence",
        ),
    ],
)
def test_respectively_pairs_regions_and_values(
    text: str, places: tuple[str, ...], values: tuple[str, ...]
) -> None:
    codes = ["310000", "320000", "330000"]
    regions = [mention(text, place, code) for place, code in zip(places, codes, strict=True)]
    found = by_span(text, region_mentions=regions)
    assert [found[s].region_code for s in values] == codes


def test_region_after_the_unit_owns_a_count_only_without_punctuation_between():
    text = "淮安的客运强度为0.1万人次，天水的客运强度为0.02万人次。"
    regions = [mention(text, "淮安", "320800"), mention(text, "天水", "620500")]
    found = by_span(text, region_mentions=regions)
    assert found["0.1万人次"].region_code == "320800"
    assert found["0.02万人次"].region_code == "620500"


def test_origin_of_a_trip_owns_its_duration():
    text = "从天津到北京30分钟，从北京到保定1小时。"
    regions = [
        mention(text, "天津", TIANJIN),
        (text.index("北京"), text.index("北京") + 2, BEIJING),
        (text.rindex("北京"), text.rindex("北京") + 2, BEIJING),
        mention(text, "保定", "130600"),
    ]
    found = by_span(text, region_mentions=regions, primary_region=HEBEI)
    assert found["30分钟"].region_code == TIANJIN
    assert found["1小时"].region_code == BEIJING


def test_statement_about_an_enumeration_of_regions_has_no_single_region():
    text = "曲靖市、玉溪市、普洱市各有2家，整体里程在50公里以上的只有沈阳和武汉。昭通市入选5家。"
    regions = [
        mention(text, name, code)
        for name, code in [
            ("曲靖市", "530300"),
            ("玉溪市", "530400"),
            ("普洱市", "530800"),
            ("沈阳", "210100"),
            ("武汉", "420100"),
            ("昭通市", "530600"),
        ]
    ]
    found = by_span(text, region_mentions=regions, primary_region="530000")
    assert found["2家"].region_code is None
    assert found["50公里"].region_code is None
    assert found["5家"].region_code == "530600"


def test_time_frame_opening_a_sentence_takes_the_subject_after_it():
    text = "8年来，天津深入推进京津冀产业协同。"
    found = by_span(text, region_mentions=[mention(text, "天津", TIANJIN)], primary_region=HEBEI)
    assert found["8年"].region_code == TIANJIN


def test_place_the_reporter_went_to_is_the_scene_until_another_place_is_named():
    text = (
        "记者首先前往视频拍摄的地点——浦东新区合庆镇益民村。\n小型车辆月缴费150元。\n"
        "有村民拨打上海12345热线反映，月租3辆车。\n而在闵行区，月租100元。\n临时停车每小时5元。"
    )
    regions = [
        mention(text, "浦东新区", "310115"),
        mention(text, "上海", "310000"),
        mention(text, "闵行区", "310112"),
    ]
    found = by_span(text, region_mentions=regions, primary_region="310000")
    assert found["150元"].region_code == "310115"
    assert found["3辆"].region_code == "310000"  # named in its sentence
    assert found["100元"].region_code == "310112"
    assert found["5元"].region_code == "310000"  # 闵行区 ended the scene: the primary region


def test_region_opening_a_company_name_is_not_the_place():
    text = "李金泽现任黑龙江省勃农机械有限责任公司董事长。先后荣获9项国家专利。"
    found = by_span(text, region_mentions=[mention(text, "黑龙江省", "230000")], primary_region="230921")
    assert found["9项"].region_code == "230921"


def test_group_inside_a_quoted_name_is_no_place():
    text = "“国投京津冀协同创新基金”目前已完成23个投资项目。"
    found = by_span(text, region_mentions=[mention(text, "京津冀", None)], primary_region=TIANJIN)
    assert found["23个"].region_code == TIANJIN


@pytest.mark.parametrize(
    ("text", "span", "kind"),
    [
        ("全年完成工业增加值增长9.6%，", "9.6%", "increase"),
        ("优良天数率同比上升0.8%。", "0.8%", "increase"),
        ("销量比去年同期减少9.1%。", "9.1%", "decrease"),
        ("PM2.5年均浓度下降到39微克/立方米。", "39微克/立方米", "level"),
        ("占全市规上工业比重达到72.7%。", "72.7%", "share"),
        ("预计到2025年末，为纳税人减负180亿元。", "180亿元", "target"),
        ("排名第3位。", "3位", "rank"),
        ("注册用户4836家。", "4836家", "count"),
        ("铁路1.5小时通达。", "1.5小时", "duration"),
        ("湿地875平方公里。", "875平方公里", "level"),
    ],
)
def test_change_kind(text, span, kind):
    assert kind in CHANGE_KINDS
    assert by_span(text, published=date(2022, 2, 26))[span].change_kind == kind


def test_unit_typo_in_a_real_article_is_flagged_and_kept(indicator_texts):
    text = indicator_texts["sample-liangshan"]
    found = by_span(text)
    typo = found["21.0克每立方米"]
    assert typo.quality_flag == "unit_typo_suspected"
    assert typo.normalized_value == pytest.approx(21e6)
    assert "PM2.5" in typo.indicator
    assert found["98.6%"].quality_flag is None


def test_share_above_whole_and_negative_count_are_implausible():
    found = by_span("蓝绿空间占比提升到165%，企业数量-3家，增长率达到165%。")
    assert found["165%"].quality_flag == "implausible_value"
    assert found["-3家"].quality_flag == "implausible_value"


def test_plausible_growth_above_hundred_percent_is_not_flagged():
    assert by_span("出口额同比增长165%。")["165%"].quality_flag is None


def test_indicator_is_the_measured_thing_as_phrased():
    text = "京津冀三地PM2.5年均浓度降至30—40微克/立方米范围内。天津市382家医保定点医疗机构全部开通。"
    found = by_span(text, region_mentions=[mention(text, "天津市", TIANJIN)])
    assert found["30—40微克/立方米"].indicator.endswith("PM2.5年均浓度")
    assert found["382家"].indicator.startswith("医保定点医疗机构")


def test_version_is_exposed():
    assert INDICATOR_EXTRACTOR_VERSION.startswith("indicators-")
