"""Topic scores for an article and its sections, from a keyword taxonomy kept as a dbt seed."""

from rnw.topics.score import ArticleTopics, SectionTopics, TopicScore, score_topics
from rnw.topics.taxonomy import Topic, load_taxonomy

__all__ = ["ArticleTopics", "SectionTopics", "Topic", "TopicScore", "load_taxonomy", "score_topics"]
