"""Site search over pages with Chinese text.

Full-text backends (SQLite FTS5, PostgreSQL's ``simple`` parser) split words at spaces and
punctuation, so a Chinese sentence is one "word" and a search for 转学 finds nothing inside it.
Pages index a segmented copy of their text (``search_text``: every CJK character a token) and
the query is segmented the same way and asked for as a phrase: the characters must be adjacent
and in order, which is what a reader typing 转学 means.
"""

import re

from wagtail.models import Page
from wagtail.search.query import Phrase, PlainText

CJK = re.compile(r"([\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff])")
# Quotes, brackets, operators: the full-text engines' query syntax (SQLite's FTS5 answers an
# unpaired " with an error); a reader's words are letters and digits.
NOT_A_WORD = re.compile(r"[^\w\s]|_")


def segment(text):
    """Each CJK character surrounded by spaces; other words kept whole."""
    return re.sub(r"\s+", " ", CJK.sub(r" \1 ", text or "")).strip()


def search_pages(query, queryset=None):
    query = (query or "").strip()[:100]
    queryset = Page.objects.live().public() if queryset is None else queryset
    terms = segment(NOT_A_WORD.sub(" ", query))
    if not terms:
        return queryset.none()
    search_query = Phrase(terms) if CJK.search(query) else PlainText(terms)
    return queryset.search(search_query, fields=None)
