"""第三十八条: every read of a student's record is logged (cases/models/reads.py).

``student_reads_record`` is the one call for every door (admin pages, GraphQL, PDFs, exports):
one query for where the students are registered and one INSERT, however many students a page
shows. It is called after the door has checked scope, with the students actually shown.
"""

from django.db import transaction
from django.utils import timezone

from cases import models as m

MAX_WHAT = 200


def _scope_codes(student_ids):
    """student id → supervising code of the current school, in one query (the column the
    registration services keep on the student)."""
    return dict(m.Student.objects.filter(pk__in=student_ids).values_list("pk", "scope_code"))


@transaction.atomic
def student_reads_record(*, acting_user, students, door, what=""):
    """Record that ``acting_user`` read these students' records through ``door`` (a
    ``ReadDoor``); ``what`` says which part (学生详情, 学籍卡, 档案…). ``students`` are Student
    objects or ids. Returns the number of rows written; anonymous reads are not staff reads
    (the public lookup keeps its own log, LookupLog)."""
    if door not in m.ReadDoor.values:
        raise ValueError(f"unknown read door {door}")
    if acting_user is None or not acting_user.is_authenticated:
        return 0
    ids = list(dict.fromkeys(s.pk if isinstance(s, m.Student) else int(s) for s in students))
    if not ids:
        return 0
    codes = _scope_codes(ids)
    now = timezone.now()
    rows = [m.ReadLogEntry(at=now, user_id=acting_user.pk, username=acting_user.get_username()[:150], door=door,
                           what=what[:MAX_WHAT], student_id=student_id,
                           scope_code=codes.get(student_id) or "")
            for student_id in ids]
    m.ReadLogEntry.objects.bulk_create(rows)
    return len(rows)
