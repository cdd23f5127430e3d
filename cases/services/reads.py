"""第三十八条: every read of a student's record is logged (cases/models/reads.py).

``student_reads_record`` is the one call for every door (admin pages, GraphQL, PDFs, exports):
one query for where the students are registered and one INSERT, however many students a page
shows. It is called after the door has checked scope, with the students actually shown.
"""

from django.utils import timezone

from cases import chain
from cases import models as m

MAX_WHAT = 200


def _scope_codes(students, student_ids):
    """student id → supervising code of the current school (the column the registration
    services keep on the student): from the Student objects the door already loaded, else in
    one query."""
    known = {s.pk: s.scope_code for s in students if isinstance(s, m.Student) and "scope_code" in s.__dict__}
    missing = [pk for pk in student_ids if pk not in known]
    if missing:
        known.update(m.Student.objects.filter(pk__in=missing).values_list("pk", "scope_code"))
    return known


def student_reads_record(*, acting_user, students, door, what=""):
    """Record that ``acting_user`` read these students' records through ``door`` (a
    ``ReadDoor``); ``what`` says which part (学生详情, 学籍卡, 档案…). ``students`` are Student
    objects or ids. Returns the number of rows written; anonymous reads are not staff reads
    (the public lookup keeps its own log, LookupLog)."""
    if door not in m.ReadDoor.values:
        raise ValueError(f"unknown read door {door}")
    if acting_user is None or not acting_user.is_authenticated:
        return 0
    students = list(students)
    ids = list(dict.fromkeys(s.pk if isinstance(s, m.Student) else int(s) for s in students))
    if not ids:
        return 0
    return _record(acting_user, students, ids, door, what)


def _record(acting_user, students, ids, door, what):
    codes = _scope_codes(students, ids)
    now = timezone.now()
    username, what = acting_user.get_username()[:150], what[:MAX_WHAT]
    # Linked into the read log's chain in one statement on PostgreSQL (cases/chain.py).
    chain.append(m.ReadLogEntry, [{"student_id": student_id, "scope_code": codes.get(student_id) or ""}
                                  for student_id in ids],
                 common={"at": now, "user_id": acting_user.pk, "username": username, "door": door, "what": what})
    return len(ids)
