"""Lines that are page furniture, not article text, in Chinese news pages.

A line matching END_OF_ARTICLE ends the article it follows: what comes after it on a scraped page
(comment bars, "热门推荐" lists, related links) belongs to the page, never to the story.
"""

from __future__ import annotations

import re

END_OF_ARTICLE = re.compile(
    r"^\W*(?:"
    r"发布\W*(?:👍\s*\d+\s*)?举报"  # comment / like bar: "发布 👍 0 举报 写留言"
    r"|写留言|我要评论|网友评论|评论\s*\d*\s*$"
    r"|热门推荐|推荐阅读|相关阅读|相关新闻|相关文章|延伸阅读|猜你喜欢|为你推荐|精彩推荐|热点推荐"
    r"|分享到|扫一扫|版权所有|Copyright|免责声明|声明[:：]"
    r")",
    re.IGNORECASE,
)
LIST_ITEM = re.compile(r"^\s*[•·●▪◆■□►▶\-*]\s+")


def is_end_of_article(line: str) -> bool:
    return bool(END_OF_ARTICLE.search(line.strip()))
