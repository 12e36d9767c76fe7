"""Number forms, units and the traps that must stay out (rnw.indicators.scanner through the public API)."""

from pathlib import Path

import pytest

from rnw.indicators import extract_observations

INDICATOR_TEXTS = Path(__file__).parent / "fixtures" / "indicators" / "texts"


@pytest.fixture(scope="module")
def indicator_texts() -> dict[str, str]:
    """Real article texts of the indicator gold, by name."""
    return {path.stem: path.read_text(encoding="utf-8") for path in INDICATOR_TEXTS.glob("*.txt")}


def observations(text: str):
    return extract_observations(text, published=None)


def only(text: str):
    found = observations(text)
    assert len(found) == 1, [(o.value_text, o.unit) for o in found]
    return found[0]


def written(text: str) -> list[str]:
    return [text[o.char_start : o.char_end] for o in observations(text)]


@pytest.mark.parametrize(
    ("text", "value", "unit", "normalized_value", "normalized_unit"),
    [
        ("全年完成工业增加值增长9.6%。", 9.6, "%", 9.6, "percent"),
        ("税率由10％调整为", 10, "％", 10, "percent"),
        ("比重提高了0.8个百分点。", 0.8, "个百分点", 0.8, "pp"),
        ("占比达到百分之九十。", 90, "百分之", 90, "percent"),
        ("工资缩水三分之一。", 1 / 3, "分之", 100 / 3, "percent"),
        ("林地面积达到18.6万亩。", 18.6, "万亩", 186_000, "mu"),
        ("林地面积达到十八万亩。", 18, "万亩", 180_000, "mu"),
        ("财政援助资金16.52亿元。", 16.52, "亿元", 1.652e9, "CNY"),
        ("补贴１２３元。", 123, "元", 123, "CNY"),
        ("投资3千万美元。", 3, "千万美元", 3e7, "USD"),
        ("凉山有485.8万儿女。", 485.8, "万", 4_858_000, "number"),
        ("湿地875平方公里。", 875, "平方公里", 875, "km2"),
        ("复绿2.47万平方米。", 2.47, "万平方米", 24_700, "m2"),
        ("保护区20公顷。", 20, "公顷", 0.2, "km2"),
        ("海岸线153公里。", 153, "公里", 153, "km"),
        ("距离5千米。", 5, "千米", 5, "km"),
        ("不到10米的空地", 10, "米", 0.01, "km"),
        ("浓度39微克/立方米。", 39, "微克/立方米", 39, "ug/m3"),
        ("浓度0.5毫克/立方米。", 0.5, "毫克/立方米", 500, "ug/m3"),
        ("铁路1.5小时通达", 1.5, "小时", 1.5, "hour"),
        ("从天津到北京30分钟。", 30, "分钟", 0.5, "hour"),
        ("下县驻场100余天督办", 100, "天", 2400, "hour"),
        ("运营13年后停运", 13, "年", 13, "year"),
        ("产假延长3个月。", 3, "个月", 0.25, "year"),
        ("注册用户4836家。", 4836, "家", 4836, "count"),
        ("帮扶项目415个。", 415, "个", 415, "count"),
        ("发布成果8487项。", 8487, "项", 8487, "count"),
        ("会集专家3836人。", 3836, "人", 3836, "count"),
        ("选派干部382人次。", 382, "人次", 382, "count"),
        ("培训216名教师", 216, "名", 216, "count"),
        ("建成3所学校", 3, "所", 3, "count"),
        ("投放4台机器", 4, "台", 4, "count"),
        ("有23座城市", 23, "座", 23, "count"),
        ("12条产业链", 12, "条", 12, "count"),
        ("3辆机动车", 3, "辆", 3, "count"),
        ("从这七个方面发力", 7, "个", 7, "count"),
        ("成本4000万元。", 4000, "万元", 4e7, "CNY"),
        ("综合指数2.68，", 2.68, "", 2.68, "index"),
        ("月缴费150元/辆，", 150, "元/辆", 150, "CNY/count"),
        ("客运强度为0.1万人次/公里·日。", 0.1, "万人次/公里·日", 1000, "count/km"),
    ],
)
def test_number_forms_and_units(text, value, unit, normalized_value, normalized_unit):
    obs = only(text)
    assert obs.value == pytest.approx(value)
    assert obs.unit == unit
    assert obs.normalized_value == pytest.approx(normalized_value)
    assert obs.normalized_unit == normalized_unit


def test_range_keeps_both_bounds_and_one_span():
    text = "京津冀三地PM2.5年均浓度降至30—40微克/立方米范围内"
    obs = only(text)
    assert (obs.value, obs.value_high, obs.value_text) == (30, 40, "30—40")
    assert text[obs.char_start : obs.char_end] == "30—40微克/立方米"


def test_range_shares_the_magnitude_written_after_it():
    obs = only("价格大约为15-18万元。")
    assert (obs.value, obs.value_high, obs.normalized_value) == (15, 18, 150_000)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("PM2.5年均浓度", []),  # the 2.5 names the pollutant
        ("2021年完成", []),  # a year
        ("环保部在2014年7月份就发布了", []),  # a date
        ("二〇二一年，", []),
        ("98年获国务院政府特殊津贴", []),  # a short year, not a 98-year duration
        ("天津市全面落实“1+4”框架协议", []),
        ("以“1+1+9+N”为核心", []),
        ("天津大力实施“871”生态工程", []),
        ("京雄津保“1小时交通圈”已经形成", []),
        ("1. 降低家庭育儿成本\n（2）支持托育服务\n一、加大支持", []),
        ("举报投诉电话：0471-6621170", []),
        ("YE4系列高效率电动机", []),
        ("第二轮省督", []),
        ("四川省凉山州三地一体", []),
        ("职教援建只是一个缩影", []),
        ("再往西走百余米，几十米开外", []),
        ("8条产业链增加值实现两位数增长", ["8条"]),
        ("人民币兑美元1年期NDF", []),
        ("完成了目标的零头", []),
        ("在八一年，针对一些问题", []),  # a year in Chinese digits
        ("大概一两年前，三四个人", []),  # approximations, not values
        ("城乡二元结构", []),
    ],
)
def test_non_indicators_stay_out(text, expected):
    assert written(text) == expected


def test_duration_is_kept_as_a_duration_not_a_year():
    obs = only("断流26年的永定河干流实现全线通水。")
    assert (obs.value, obs.normalized_unit, obs.change_kind, obs.period_year) == (
        26,
        "year",
        "duration",
        None,
    )


def test_rank_is_read_from_its_ordinal():
    text = "在全省市州中排名第3位。"
    obs = only(text)
    assert (obs.value, obs.normalized_unit, obs.change_kind) == (3, "rank", "rank")
    assert text[obs.char_start : obs.char_end] == "3位"


def test_negative_value_keeps_its_sign_in_the_span():
    text = "企业数量-3家，"
    obs = only(text)
    assert obs.value == -3
    assert text[obs.char_start : obs.char_end] == "-3家"


def test_offsets_slice_the_real_article_to_number_and_unit(indicator_texts):
    for name in ("sample-jingjinji", "sample-liangshan", "magic_html-0e24ec062e7a"):
        text = indicator_texts[name]
        found = extract_observations(text, published=None)
        assert len(found) > 40
        for obs in found:
            span = text[obs.char_start : obs.char_end]
            assert span.startswith(obs.value_text)
            assert span.endswith(obs.unit)
            assert obs.sentence and span in obs.sentence
