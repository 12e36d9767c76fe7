"""Person identity across articles: same name is one person only when title or organisation agree."""

from rnw.people import NameMention, cluster_same_person, person_key, same_person


def test_person_key_prefers_organisation_then_title():
    assert person_key("王会芝", "副所长", "天津社会科学院") == "王会芝|天津社会科学院|"
    assert person_key("郎昆", "导演", None) == "郎昆||导演"
    assert person_key("李强", None, None) == "李强||"


def test_same_name_needs_agreeing_title_or_organisation():
    a = NameMention("a1", "李强", "总理", "国务院")
    b = NameMention("a2", "李强", "原党组书记、总理", None)
    c = NameMention("a3", "李强", "教授", "清华大学")
    d = NameMention("a4", "李强", None, None)
    assert same_person(a, b)
    assert not same_person(a, c)
    assert not same_person(a, d)
    assert same_person(d, NameMention("a4", "李强", "教授", None))  # same article


def test_clusters_share_the_most_informative_key():
    mentions = [
        NameMention("a1", "李强", "总理", "国务院"),
        NameMention("a2", "李强", "总理", None),
        NameMention("a3", "李强", "教授", "清华大学"),
        NameMention("a4", "李强", None, None),
    ]
    keys = cluster_same_person(mentions)
    assert keys[0] == keys[1] == "李强|国务院|"
    assert len({keys[0], keys[2], keys[3]}) == 3
