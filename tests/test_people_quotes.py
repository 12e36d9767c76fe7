"""Quoted people: organisation + title + name split, short organisation names, quote text."""

from pathlib import Path

from rnw.people import extract_people

TEXTS = Path(__file__).parent / "fixtures" / "people" / "texts"


def _people(name):
    return {p.name: p for p in extract_people((TEXTS / f"{name}.txt").read_text(encoding="utf-8"), [])}


def test_organisation_title_name_split_and_direct_quote():
    person = _people("sample-jjj")["王会芝"]
    assert (person.role, person.organization, person.title) == (
        "quoted",
        "天津社会科学院资源环境与生态研究所",
        "副所长",
    )
    assert person.quote_text.startswith("‘871’重大生态工程")


def test_short_organisation_name_resolves_to_full_name():
    person = _people("sample-jjj")["任立"]
    assert (person.role, person.title, person.organization) == (
        "quoted",
        "副总经理",
        "天津清科环保科技有限公司",
    )
    assert any(q.startswith("我们按照") for q in person.quotes)  # the later “...”任立说 quote is kept


def test_ju_intro_pattern():
    person = _people("sample-jjj")["吕云飞"]
    assert (person.role, person.title, person.organization) == ("quoted", "副主任", "天津市科技创新发展中心")


def test_quote_before_speaker_and_postfix_title_with_latin_alias():
    people = _people("cwced-23d035c36392")
    assert (people["宋国青"].title, people["宋国青"].organization) == ("教授", "北大中国经济研究中心")
    assert people["李扬"].quote_text == "我主张宏观政策相对稳定，但是改革一定要加快。"
    assert (people["哈继铭"].title, people["哈继铭"].organization) == ("首席经济学家", "中国国际金融有限公司")


def test_compound_title_from_interview_and_appointment():
    person = _people("cwced-dd593296ed4a")["李金泽"]
    assert person.role == "quoted"
    assert (person.title, person.organization) == ("党委书记、董事长兼总经理", "黑龙江省勃农机械有限责任公司")


def test_titled_officials_are_mentioned_with_title_and_organisation():
    people = _people("magic_html-530e116717e6")
    assert (people["郑栅洁"].role, people["郑栅洁"].title, people["郑栅洁"].organization) == (
        "mentioned",
        "主任",
        "国家发展改革委",
    )
    assert (people["李强"].role, people["李强"].organization) == ("quoted", "国务院")


def test_adverbs_and_anonymous_people_are_not_names():
    text = "马上说，这件事不难。严格地说，村民徐女士介绍，情况如此。有关负责人表示，将加快进度。"
    assert extract_people(text, []) == []
