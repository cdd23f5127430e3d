"""The rules as data: parsing the source text, anchors, and which case types cite an article.

One source of truth: an article's case types come from ``cases.case_types.CASE_TYPES[…].articles``
at render time, never copied into the page.
"""

import html
import re
from dataclasses import dataclass, field

from django.conf import settings

DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
NUMERAL = "零〇一二两三四五六七八九十百"
ARTICLE_RE = re.compile(rf"^第([{NUMERAL}]+)条$")
CHAPTER_RE = re.compile(rf"^第([{NUMERAL}]+)章\s*(.*)$")
SECTION_RE = re.compile(rf"^第([{NUMERAL}]+)节\s*(.*)$")
PART_RE = re.compile(r"^([一二三四五六七八九十]+)、(.*)$")

RULES_FILE = settings.BASE_DIR / "cms" / "data" / "gansu-registry-rules.zh.txt"


def chinese_to_int(text):
    """一 → 1, 十 → 10, 二十二 → 22, 四十 → 40, 一百零五 → 105."""
    total, current = 0, 0
    for char in text:
        if char == "百":
            total += (current or 1) * 100
            current = 0
        elif char == "十":
            total += (current or 1) * 10
            current = 0
        elif char in DIGITS:
            current = DIGITS[char]
        else:
            raise ValueError(f"not a Chinese numeral: {text!r}")
    return total + current


def anchor_for_number(number):
    """第二十二条 → art-22: the anchor the loader gives an article (editors keep it stable)."""
    match = ARTICLE_RE.match(number.strip())
    if not match:
        raise ValueError(f"not an article number: {number!r}")
    return f"art-{chinese_to_int(match.group(1))}"


# --- parsing the source ---------------------------------------------------------------------
@dataclass
class Article:
    number: str
    anchor: str
    paragraphs: list = field(default_factory=list)

    def body_html(self):
        return "".join(f"<p>{html.escape(p)}</p>" for p in self.paragraphs)


@dataclass
class Section:
    title: str = ""
    articles: list = field(default_factory=list)


@dataclass
class Chapter:
    title: str
    sections: list = field(default_factory=list)


@dataclass
class Regulation:
    title: str
    chapters: list
    appendix_title: str
    appendix: list

    def articles(self):
        return [a for c in self.chapters for s in c.sections for a in s.articles]


def parse_rules(text):
    """The source text → the regulation (part 二) and its appendix (part 三, the legacy number).

    The source is a web page: lines before part 二 and the page furniture after part 三 are left
    out. A chapter heading is either one line (第一章总则) or two (第二章 / 学籍建立).
    """
    lines = [line.strip() for line in text.splitlines()]
    lines = [line for line in lines if line]
    title, chapters, appendix_title, appendix = "", [], "", []
    part, pending_chapter = None, None
    article = None
    for line in lines:
        part_match = PART_RE.match(line)
        if part_match:
            part = chinese_to_int(part_match.group(1))
            if part == 2:
                title = part_match.group(2)
            elif part == 3:
                appendix_title = part_match.group(2)
            continue
        if part == 3:
            if line.startswith("95%") or line == "其他人推荐看":  # the web page's furniture
                break
            appendix.append(line)
            continue
        if part != 2:
            continue
        if pending_chapter is not None:  # the second line of a two-line chapter heading
            pending_chapter.title = f"{pending_chapter.title} {line}"
            pending_chapter = None
            continue
        chapter_match = CHAPTER_RE.match(line)
        if chapter_match:
            heading = f"第{chapter_match.group(1)}章"
            chapter = Chapter(title=f"{heading} {chapter_match.group(2)}".strip())
            chapter.sections.append(Section())
            chapters.append(chapter)
            if not chapter_match.group(2):
                pending_chapter = chapter
            article = None
            continue
        section_match = SECTION_RE.match(line)
        if section_match:
            section = Section(title=f"第{section_match.group(1)}节 {section_match.group(2)}".strip())
            sections = chapters[-1].sections
            if not sections[-1].title and not sections[-1].articles:
                sections[-1] = section
            else:
                sections.append(section)
            article = None
            continue
        if ARTICLE_RE.match(line):
            article = Article(number=line, anchor=anchor_for_number(line))
            chapters[-1].sections[-1].articles.append(article)
            continue
        if article is None:
            raise ValueError(f"text outside an article: {line!r}")
        article.paragraphs.append(line)
    return Regulation(title=title, chapters=chapters, appendix_title=appendix_title, appendix=appendix)


def load_rules(path=RULES_FILE):
    return parse_rules(path.read_text(encoding="utf-8"))


def stream_data(regulation):
    """The regulation as the RegulationPage body's raw StreamField data."""
    return [
        {"type": "chapter", "value": {
            "title": chapter.title,
            "sections": [
                {"title": section.title, "articles": [
                    {"number": a.number, "anchor": a.anchor, "body": a.body_html()} for a in section.articles
                ]}
                for section in chapter.sections
            ],
        }}
        for chapter in regulation.chapters
    ]


# --- articles ↔ case types ------------------------------------------------------------------
def case_types_citing():
    """Article number → the case types that cite it, in registry order (computed, not stored)."""
    from cases.case_types import CASE_TYPES

    citing = {}
    for case_type in CASE_TYPES.values():
        for number in case_type.articles:
            citing.setdefault(number, []).append(case_type)
    return citing


def outline(page):
    """The page's chapters → sections → articles, each article with the case types citing it."""
    citing = case_types_citing()
    return [
        {"title": chapter.value["title"], "sections": [
            {"title": section["title"], "articles": [
                {"number": a["number"], "anchor": a["anchor"], "body": a["body"],
                 "case_types": citing.get(a["number"], [])}
                for a in section["articles"]
            ]}
            for section in chapter.value["sections"]
        ]}
        for chapter in page.body
    ]


def regulation_page():
    from cms.models import RegulationPage

    return RegulationPage.objects.live().order_by("path").first()


def article_url(number, page=None):
    """The URL of an article on the (first live) regulation page, with its anchor: for links
    from the case editor and elsewhere. '' when no regulation page is published."""
    page = page or regulation_page()
    if page is None:
        return ""
    anchor = page.anchor_for(number)
    if anchor is None:
        try:
            anchor = anchor_for_number(number)
        except ValueError:
            return page.url or ""
    return f"{page.url}#{anchor}"
