"""Title, site name and authors from the page around the article text.

Titles: the <title> carries a site suffix ("_网易新闻"), the <h1> often does not; prefer a heading that
the <title> contains, else cut the suffix. Authors: credit lines in and around the body, then
bylines in the dateline ("作者：X 来源：Y"), then the editor as a last resort (small sites name only
the editor, and that is who the page credits).
"""

from __future__ import annotations

import re

from lxml import etree

from scrapers.article import Credit
from scrapers.credits import parse_credit_line
from scrapers.extraction.blocks import Block
from scrapers.extraction.config import (
    MAX_SITE_NAME_CHARS,
    MIN_TITLE_CHARS,
    SITE_WORDS,
    SURNAMES,
    TITLE_SEPARATORS,
)
from scrapers.extraction.document import text_content

_SPACES = re.compile(r"\s+")

# 记者 follows a paper's name ("河南商报记者马俊峰"); the other labels also occur inside prose
# ("与作者联系", "楼主有病"), so they need a boundary before and a colon or space after.
_BYLINE_LABEL = re.compile(
    r"(?P<loose>(?:本报|特约|见习|实习|融媒体?|全媒体)?记者)\s*[:：]?\s*|本贴由\s*"
    r"|(?:^|(?<=[\s(（\[【|｜,，。]))(?:作\s*者|撰\s*文|发帖人|楼\s*主)(?:\s*[:：]\s*|\s+)"
    r"|文\s*[/／]\s*"
)
_CREDIT_LABEL = re.compile(
    r"(?:(?P<reporter>(?:本报|特约|见习|实习|融媒体?|全媒体)?记者)|(?P<editor>责任编辑|责编|编辑|排版|校对|审核)"
    r"|(?P<photo>摄影)|(?P<author>作者|撰文|采写|文\s*[/／丨|]))\s*[:：/／丨|]?\s*"
)
_EDITOR_LABEL = re.compile(r"(?:责任编辑|责编|编辑)\s*[:：]\s*")
# Where a byline's names stop: the next label, a place of reporting, a date, punctuation.
_BYLINE_STOP = re.compile(
    r"[:：|｜/／()（）\[\]【】<>《》,，。;；!！?？\d_]|来源|时间|发布|日期|编辑|出处|发自|报道|摄影|摄|于|出版|"
    r"阅读|浏览|点击|字号|分享|通讯员|责任|出自|简介"
)
_SENTENCE_PUNCTUATION = frozenset("，,。;；!！?？:：")
_PLACE_BEFORE = frozenset(("报道", "发自"))
_HAN_NAME = re.compile(r"^[\u4e00-\u9fff]{2,4}$|^[\u4e00-\u9fff]{1,6}[·•][\u4e00-\u9fff]{1,8}$")
# A Latin-script user name; all-capital tokens are editor codes ("PN", "SF") or markup leftovers.
_LATIN_NAME = re.compile(r"^(?=.*[a-z])[A-Za-z][A-Za-z0-9_.\-]{2,19}$")
_POSTED_BY = re.compile(r"由\s*([\u4e00-\u9fff]{2,4}|[A-Za-z][A-Za-z0-9_.\-]{1,19})\s*(?:于|张贴|发表|发布)")
_PLACE_REPORT = re.compile(r"[（(]\s*([\u4e00-\u9fff]{2,4})\s+[\u4e00-\u9fff]{2,8}报道\s*[）)]")
_BRACKET_NAME = re.compile(r"[\[［]\s*([\u4e00-\u9fff]{2,4})\s*[\]］]")
# Words that stand where a byline name would but name nobody (labels, buttons, placeholders).
_NOT_NAME_WORDS = (
    "本报 记者 通讯员 编辑 作者 来源 原创 转载 未知 佚名 admin 管理员 匿名 网友 新华社 本站 "
    "关注 关闭 文化 分享 收藏 打印 返回 评论 登录 注册 更多 首页 全文 阅读 展开"
)
_NOT_NAMES = frozenset(_NOT_NAME_WORDS.split())
AUTHOR_ROLES = ("reporter", "author", "correspondent")


def _text(el: etree._Element) -> str:
    return _SPACES.sub(" ", text_content(el) or "").strip()


def meta_content(root: etree._Element, *keys: str) -> str | None:
    wanted = {k.lower() for k in keys}
    for meta in root.iter("meta"):
        key = (meta.get("property") or meta.get("name") or "").strip().lower()
        content = (meta.get("content") or "").strip()
        if key in wanted and content:
            return content
    return None


def page_title(root: etree._Element) -> str | None:
    for el in root.iter("title"):
        text = _text(el)
        if text:
            return text
    return None


def _compact(text: str) -> str:
    return _SPACES.sub("", text)


def choose_title(page: str | None, og_title: str | None, headings: list[str]) -> str | None:
    """A heading contained in the page title wins; else the page title without its site suffix."""
    for source in (page, og_title):
        if not source:
            continue
        compact = _compact(source)
        matching = [h for h in headings if len(_compact(h)) >= MIN_TITLE_CHARS and _compact(h) in compact]
        if matching:
            return max(matching, key=len)
    for source in (og_title, page):
        if source:
            return strip_site_suffix(source)
    return headings[0] if headings else None


def strip_site_suffix(title: str) -> str:
    """The headline part of a <title>: the longest part between separators, since site and column
    names ("_网易新闻", "千龙网--汽车--") are shorter than headlines and may stand on either side."""
    parts = [p.strip() for p in TITLE_SEPARATORS.split(title.strip()) if p.strip()]
    if not parts:
        return title.strip()
    head = max(parts, key=len)
    return head if len(head) >= MIN_TITLE_CHARS else title.strip()


def site_name(root: etree._Element, page: str | None) -> str | None:
    """The site's own name (og:site_name), else a <title> suffix that reads like a site's name
    (a suffix may also be a column or a subtitle: "_饮食", "| 测试...")."""
    named = meta_content(root, "og:site_name", "application-name", "sitename", "site_name")
    if named:
        return named
    parts = [p.strip() for p in TITLE_SEPARATORS.split(page or "") if p.strip()]
    if len(parts) < 2:
        return None
    headline = max(parts, key=len)
    for part in reversed(parts):
        if part != headline and len(part) <= MAX_SITE_NAME_CHARS and SITE_WORDS.search(part):
            return part
    return None


def _names_after(text: str, loose_label: bool = False) -> list[str]:
    """Names right after a byline label. After a label that also opens prose ("记者获悉，"), the
    names must start with a surname and end at a byline boundary, not inside a sentence."""
    cut = _BYLINE_STOP.search(text)
    if loose_label and cut and cut.group(0) in _SENTENCE_PUNCTUATION:
        return []
    segment = text[: cut.start()] if cut else text
    tokens = [t for t in re.split(r"[\s、，,]+", segment.strip()) if t]
    if cut and cut.group(0) in _PLACE_BEFORE and len(tokens) > 1:
        tokens = tokens[:-1]  # "彭冲 山东冠县报道": the last word is where, not who
    names = []
    for token in tokens:
        if token in _NOT_NAMES:
            continue
        if (loose_label or names) and _HAN_NAME.match(token) and not has_surname(token):
            break  # after a loose label, or after the first name, a name must look like one
        if _HAN_NAME.match(token) or _LATIN_NAME.match(token):
            names.append(token)
        else:
            break
    return names


def byline_names(line: str) -> list[str]:
    """Person names a dateline or byline credits as writers."""
    for match in _BYLINE_LABEL.finditer(line):
        names = _names_after(line[match.end() :], loose_label=bool(match.group("loose")))
        if names:
            return names
    for pattern in (_POSTED_BY, _PLACE_REPORT):
        found = pattern.search(line)
        if found and found.group(1) not in _NOT_NAMES:
            return [found.group(1)]
    return []


def has_surname(name: str) -> bool:
    return name[0] in SURNAMES or name[:2] in SURNAMES


def bare_name(block: Block) -> str | None:
    """A line holding nothing but a person's name, as bylines under a headline often are."""
    text = block.text.strip()
    if block.link_density > 0 or text in _NOT_NAMES:
        return None
    if _HAN_NAME.match(text) and len(text) <= 4 and has_surname(text):
        return text
    return text if _LATIN_NAME.match(text) and not text.isdigit() else None


def line_credits(line: str) -> list[Credit]:
    """Every credit in a byline such as "编辑 周褶褶 ｜ 排版 魏蔚" or "（总台央视记者 奚丹霓 张赛）",
    including the forms ``parse_credit_line`` does not take (a paper's name before 记者, "编辑/X",
    "...报道" after the names)."""
    credits: list[Credit] = []
    for match in _CREDIT_LABEL.finditer(line):
        role = match.lastgroup or "author"
        names = _names_after(line[match.end() :], loose_label=role != "author")
        credits.extend(Credit(role=role, name=name) for name in names)
    return credits


def editor_names(line: str) -> list[str]:
    match = _EDITOR_LABEL.search(line)
    return _names_after(line[match.end() :]) if match else []


def find_authors(
    credits: list[Credit], context: list[Block], has_date: re.Pattern[str], under_headline: list[Block]
) -> list[str]:
    """Writers credited in the body's credits, else in the lines around the body, else a bare name
    between the headline and the text."""
    names = [c.name for c in credits if c.role in AUTHOR_ROLES]
    if names:
        return list(dict.fromkeys(names))
    for block in context:
        parsed = parse_credit_line(block.text)
        if parsed:
            names = [c.name for c in parsed if c.role in AUTHOR_ROLES]
            if names:
                return list(dict.fromkeys(names))
        found = byline_names(block.text)
        if found:
            return found
        if has_date.search(block.text):
            bracket = _BRACKET_NAME.search(block.text)
            if bracket and bracket.group(1) not in _NOT_NAMES:
                return [bracket.group(1)]
    for block in under_headline:
        name = bare_name(block)
        if name:
            return [name]
    editors = [c.name for c in credits if c.role == "editor"]
    for block in context:
        editors = editors or editor_names(block.text)
    return list(dict.fromkeys(editors))
