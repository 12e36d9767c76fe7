"""Organisation names: suffix rules, kinds, joined names, short names resolved within the article."""

from pathlib import Path

from rnw.people import extract_organizations
from rnw.people.organizations import derived_short_name

TEXTS = Path(__file__).parent / "fixtures" / "people" / "texts"


def _orgs(name):
    return extract_organizations((TEXTS / f"{name}.txt").read_text(encoding="utf-8"))


def test_explicit_short_name_occurrences_carry_the_full_name():
    mentions = _orgs("sample-jjj")
    short = [m for m in mentions if m.surface == "清科环保"]
    assert short and all(m.name == "天津清科环保科技有限公司" and m.kind == "company" for m in short)


def test_kinds_and_joined_names():
    by_name = {m.name: m.kind for m in _orgs("sample-jjj")}
    assert by_name["天津社会科学院资源环境与生态研究所"] == "institute"
    assert by_name["天津市科技创新发展中心"] == "center"
    assert by_name["天津市合作交流办"] == "agency"
    assert by_name["北京师范大学"] == by_name["天津师范大学"] == "university"


def test_parenthetical_inside_company_name_and_generic_nouns_dropped():
    names = {m.name for m in _orgs("cwced-9637b8684ad7")}
    assert {
        "北新建材（昆明）有限公司",
        "云南曲靖呈钢钢铁（集团）有限公司",
        "工信部",
        "省工业和信息化厅",
    } <= names
    assert "有限公司" not in names


def test_partial_name_resolves_to_longer_full_name():
    mentions = _orgs("cwced-2ab54de3b460")
    assert {m.name for m in mentions if m.surface == "体育运动科学系"} == {"香港中文大学体育运动科学系"}


def test_derived_short_name_drops_place_and_legal_form():
    assert derived_short_name("天津清科环保科技有限公司") == "清科环保"
    assert derived_short_name("天津市科技创新发展中心") is None
