"""Staff search for students, shaped for five million rows: the shape of the query decides the
lookup, and every lookup is an index scan (no ``icontains``).

- a registry number (G/J/L + 18) or an ID number (18): exact, by the unique indexes; an old
  temporary number (L → G) finds the student too;
- a registry-number prefix (a letter and at least six digits): a range on the unique index;
- Chinese characters: a prefix of the name (``name LIKE '张伟%'``);
- Latin letters: a prefix of the pinyin (zhangw) or of the initials (zw), lower case.

On PostgreSQL the prefix matches use the ``varchar_pattern_ops`` indexes of ``Student.Meta``;
SQLite runs the same queries (its LIKE is the same for these inputs).

Numbers that are, or begin, an ID number match only the students the user holds
(``access.students_held_q``): an ID number, a G registry number ("G" + the ID number) and every
number prefix. Otherwise a unit that merely reads a student (the former school, the school named
in a draft transfer) could type a full ID number and learn that this person is that student,
which the masked ID number on the record is meant to hide. A J or L number embeds no ID number
and finds its student in the visible set, as a name does. The restriction is one more condition
on the same index look-up: the number picks the rows, the holder check runs on those rows only.
No door needs a number match beyond the holder: a transfer within the province is started by
the origin (the holder), who names the destination school; the destination reads the case and
its student from its case list, never by searching a number; a transfer in from outside the
province registers a new person, whose duplicate check (第十一条) is the registration service's,
not this search.
"""

import re

from django.db.models import Q

from cases.access import NOTHING, students_held_q
from cases.models import RegistryNumberChange

REGISTRY_NUMBER = re.compile(r"^[GJL]\d{17}[\dX]$")
ID_NUMBER = re.compile(r"^\d{17}[\dX]$")
NUMBER_PREFIX = re.compile(r"^[GJL]?\d{6,18}X?$")
HAN = re.compile(r"^[\u3400-\u9fff·]+$")
LATIN = re.compile(r"^[a-z]+$")


def normalise(text):
    return re.sub(r"\s+", "", text or "")


def query_kind(text):
    """What the staff typed: registry_number, id_number, number_prefix, name, pinyin or None."""
    q = normalise(text)
    upper, lower = q.upper(), q.lower()
    if REGISTRY_NUMBER.match(upper):
        return "registry_number"
    if ID_NUMBER.match(upper):
        return "id_number"
    if NUMBER_PREFIX.match(upper):
        return "number_prefix"
    if HAN.match(q):
        return "name"
    if LATIN.match(lower):
        return "pinyin"
    return None


def student_exact_query(text):
    """Whether the query names one student by number (one index look-up, whatever the scope)."""
    return query_kind(text) in ("registry_number", "id_number")


def _prefix_range(field, prefix):
    return Q(**{f"{field}__gte": prefix, f"{field}__lt": prefix + "\uffff"})


def student_search_branches(text, *, user):
    """The staff's query as Qs whose union is ``student_search_filter``: one per index, so that
    a page reads each as its own index range (an OR of two indexes is a bitmap scan that visits
    every matching row; each branch alone is an index-only scan of the page's keys)."""
    if query_kind(text) == "pinyin":
        q = normalise(text).lower()
        return [Q(name_pinyin__startswith=q), Q(name_initials__startswith=q)]
    return [student_search_filter(text, user=user)]


def student_search_filter(text, *, user, prefix=""):
    """A Q over Student (or over a model whose ``prefix``-ed relation is a student, e.g.
    ``student__``) for ``user``'s query; NOTHING for a query of no known shape. Number matches
    that reveal an ID number are restricted to the students ``user`` holds (see above)."""
    kind, q = query_kind(text), normalise(text)
    if kind == "registry_number":
        number = q.upper()
        # One indexed look-up of the history, so the OR below stays two index scans.
        old = list(RegistryNumberChange.objects.filter(old_number=number).values_list("student_id", flat=True)[:1])
        match = Q(**{f"{prefix}registry_number": number}) | (Q(**{f"{prefix}pk__in": old}) if old else NOTHING)
        return match if number[0] in "JL" else match & students_held_q(user, prefix)
    if kind == "id_number":
        number = q.upper()
        match = Q(**{f"{prefix}id_number": number}) | Q(**{f"{prefix}registry_number": "G" + number})
        return match & students_held_q(user, prefix)
    if kind == "number_prefix":
        number = q.upper()
        # an ID number's beginning: the G number starts with it
        match = _prefix_range(f"{prefix}registry_number", "G" + number if number[0].isdigit() else number)
        return match & students_held_q(user, prefix)
    if kind == "name":
        return Q(**{f"{prefix}name__startswith": q})
    if kind == "pinyin":
        q = q.lower()
        return Q(**{f"{prefix}name_pinyin__startswith": q}) | Q(**{f"{prefix}name_initials__startswith": q})
    return NOTHING
