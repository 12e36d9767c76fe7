"""Topic scoring of articles and sections against the seed taxonomy."""

import csv
from pathlib import Path

from rnw.topics import load_taxonomy, score_topics
from rnw.topics.taxonomy import TAXONOMY_PATH

TEXTS = Path(__file__).parent / "fixtures" / "people" / "texts"
REQUIRED = {
    "ecology_environment",
    "industry_economy",
    "transport",
    "science_innovation",
    "education",
    "health",
    "elderly_social_security",
    "poverty_alleviation",
    "government_services",
    "agriculture_rural",
    "culture_tourism",
    "public_safety_law",
}


def test_taxonomy_seed_has_required_topics_and_keywords():
    topics = {t.topic_id: t for t in load_taxonomy()}
    assert REQUIRED <= set(topics)
    assert all(t.keywords and t.weight > 0 and t.name_zh for t in topics.values())
    with TAXONOMY_PATH.open(encoding="utf-8") as handle:
        assert next(csv.reader(handle)) == ["topic_id", "name_en", "name_zh", "keywords", "weight"]


def test_sections_score_their_own_subject():
    text = (TEXTS / "sample-jjj.txt").read_text(encoding="utf-8")
    headings = ["环保协同", "产业协同", "交通协同", "创新协同", "共建共享", "对口帮扶"]
    starts = [text.index(h + " ") for h in headings] + [len(text)]
    sections = [(h, starts[i], starts[i + 1]) for i, h in enumerate(headings)]
    result = score_topics(text, sections)
    tops = [s.scores[0].topic_id for s in result.sections]
    assert tops[0] == "ecology_environment"
    assert "industry_economy" in [s.topic_id for s in result.sections[1].scores[:2]]
    assert tops[2:] == ["transport", "science_innovation", "government_services", "poverty_alleviation"]
    assert [s.rank for s in result.scores] == list(range(1, len(result.scores) + 1))


def test_article_top_topic():
    text = (TEXTS / "sample-liangshan.txt").read_text(encoding="utf-8")
    assert score_topics(text).top_topic == "ecology_environment"
    assert score_topics("今天天气晴朗。").scores == []


def test_ranking_over_found_keywords_equals_scoring_every_keyword():
    """The Aho-Corasick pass only skips keywords that add nothing: same scores as the plain loop."""
    from rnw.topics.score import CHARS_PER_UNIT, MIN_SCORE, _rank, _raw_score

    taxonomy = load_taxonomy()
    keywords = [k for t in taxonomy for k in t.keywords]
    texts = [p.read_text(encoding="utf-8") for p in sorted(TEXTS.glob("*.txt"))]
    texts += ["", "今天天气晴朗。", "".join(keywords), "生态生态生态环境" * 50, keywords[3] * 3 + "。" * 300]
    texts += [t[i : i + 500] for t in texts[:5] for i in range(0, len(t), 137)]
    for text in texts:
        units = max(1.0, len(text) / CHARS_PER_UNIT)
        raw = [(t.topic_id, _raw_score(text, t) / units) for t in taxonomy]
        hits = sorted((r for r in raw if r[1] > MIN_SCORE), key=lambda r: (-r[1], r[0]))
        expected = [(topic_id, round(score, 4), rank) for rank, (topic_id, score) in enumerate(hits, 1)]
        assert [(s.topic_id, s.score, s.rank) for s in _rank(text, taxonomy)] == expected
