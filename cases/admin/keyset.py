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


def keyset_page(queryset, *, key, size, after=None, before=None, count=False, cursor=None):
    """One page of ``queryset`` in ``key`` order (a unique, indexed column), after or before a
    key; the page's links carry each row's ``cursor`` attribute (default: the key).
    ``queryset`` may be a list of disjoint querysets (the parts of a scope, see
    cases.access.student_part): each is read as its own ordered range, and the pages merged."""
    parts = queryset if isinstance(queryset, list) else [queryset]
    rows = []
    for part in parts:
        if before:
            rows += part.filter(**{f"{key}__lt": before}).order_by(f"-{key}")[: size + 1]
        else:
            rows += (part.filter(**{f"{key}__gt": after}) if after else part).order_by(key)[: size + 1]
    rows.sort(key=lambda row: getattr(row, key), reverse=bool(before))
    if before:
        page = KeysetPage(rows[:size][::-1], has_next=True, has_previous=len(rows) > size, key=key,
                          cursor=cursor)
    else:
        page = KeysetPage(rows[:size], has_next=len(rows) > size, has_previous=bool(after), key=key,
                          cursor=cursor)
    if count:
        page.count = min(sum(bounded_count(part) for part in parts), COUNT_LIMIT + 1)
    return page
