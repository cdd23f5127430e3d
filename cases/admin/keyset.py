"""Keyset pages for the admin's big listings: ``?after=<cursor>`` / ``?before=<cursor>`` instead
of ``?p=<n>`` (an OFFSET walks every earlier row; a count walks them all). The total is counted
only when asked (``?count=1``) and only up to ``COUNT_LIMIT``.

The cursor in the URL is the boundary row's ``cursor`` attribute (default: the key itself). The
students' list pages by registry number but puts the primary key in its links: a G number is
"G" + the ID number, which a unit that does not hold the student must not read (cases/access.py)."""

from dataclasses import dataclass, field

COUNT_LIMIT = 10_000


@dataclass
class KeysetPage:
    object_list: list
    has_next: bool
    has_previous: bool
    key: str
    cursor: str | None = None  # the attribute the links carry (default: the key)
    count: int | None = None  # None: not asked; COUNT_LIMIT + 1: more than COUNT_LIMIT
    paginator: object = field(default=None, repr=False)

    @property
    def next_key(self):
        return getattr(self.object_list[-1], self.cursor or self.key) if self.object_list else None

    @property
    def previous_key(self):
        return getattr(self.object_list[0], self.cursor or self.key) if self.object_list else None

    @property
    def count_is_bounded(self):
        return self.count is not None and self.count > COUNT_LIMIT

    def has_other_pages(self):
        return self.has_next or self.has_previous

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self):
        return len(self.object_list)


def bounded_count(queryset, limit=COUNT_LIMIT):
    """COUNT(*) over at most ``limit + 1`` rows."""
    return queryset.order_by()[: limit + 1].count()


def bounded_total(parts, limit=COUNT_LIMIT):
    """The size of disjoint querysets together, each counted only up to ``limit + 1`` rows; at
    most ``limit + 1`` (more than ``limit``)."""
    return min(sum(bounded_count(part, limit) for part in parts), limit + 1)


def keyset_page(queryset, *, key, size, after=None, before=None, count=False, fetch=None, counted=None,
                cursor=None):
    """One page of ``queryset`` in ``key`` order (a unique, indexed column), after or before a
    key; the page's links carry each row's ``cursor`` attribute (default: the key).
    ``queryset`` may be a list of querysets (the parts of a scope, see
    cases.access.student_part, and the branches of a search): each is read as its own ordered
    range, and the pages merged (a row found by two is shown once).

    ``fetch(keys)``, when given, loads the rows of a subquery of keys: each part then selects
    only its page's keys (an index-only scan when an index covers the part's columns, however
    many rows match) and the page's rows are fetched by key, instead of reading every match
    to sort them. ``counted``: the disjoint querysets whose sizes add up to the total (default:
    the parts)."""
    parts = queryset if isinstance(queryset, list) else [queryset]
    found = {}
    for part in parts:
        if before:
            ranged = part.filter(**{f"{key}__lt": before}).order_by(f"-{key}")[: size + 1]
        else:
            ranged = (part.filter(**{f"{key}__gt": after}) if after else part).order_by(key)[: size + 1]
        for row in (fetch(ranged.values(key)) if fetch is not None else ranged):
            found.setdefault(getattr(row, key), row)
    rows = [found[k] for k in sorted(found, reverse=bool(before))]
    if before:
        page = KeysetPage(rows[:size][::-1], has_next=True, has_previous=len(rows) > size, key=key,
                          cursor=cursor)
    else:
        page = KeysetPage(rows[:size], has_next=len(rows) > size, has_previous=bool(after), key=key,
                          cursor=cursor)
    if count:
        page.count = bounded_total(counted or parts)
    return page
