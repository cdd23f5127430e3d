"""Archive entries added by staff (第十二、十三条): health, awards, aid, quality reports….
Nothing in an archive is ever deleted or rewritten; a correction is a new entry that points at
the entry it corrects."""

from django.db import transaction

from cases.audit import audit
from cases.errors import RuleError
from cases.models import ArchiveEntry, ArchiveEntryKind

# Entries staff may add by hand; base data and case evidence are written by the cases.
STAFF_KINDS = {ArchiveEntryKind.QUALITY, ArchiveEntryKind.HEALTH, ArchiveEntryKind.AWARD, ArchiveEntryKind.AID,
               ArchiveEntryKind.OTHER}


@transaction.atomic
def archive_entry_append(*, acting_user, student, kind, title, body="", school=None, corrects=None):
    if kind not in STAFF_KINDS:
        raise RuleError("archive_kind", "基本信息和学籍变动材料只能由学籍变动案卷写入档案", field="kind", article="第十二条")
    if not (title or "").strip():
        raise RuleError("archive_title", "请填写标题", field="title")
    if corrects is not None and corrects.student_id != student.pk:
        raise RuleError("archive_corrects_other", "只能更正同一学生的档案条目", field="corrects", article="第十三条")
    entry = ArchiveEntry.objects.create(student=student, school=school, kind=kind, title=title.strip(), body=body,
                                        corrects=corrects, recorded_by=acting_user)
    audit(entry, "xueji.archive.append", acting_user=acting_user,
          data={"kind": kind, "corrects": corrects.pk if corrects else None})
    return entry


@transaction.atomic
def calendar_override_set(*, acting_user, day, is_working_day, note=""):
    """The province enters a year's holiday arrangement before the library knows it."""
    from cases.models import CalendarOverride

    override, _ = CalendarOverride.objects.update_or_create(
        day=day, defaults={"is_working_day": is_working_day, "note": note})
    audit(override, "xueji.calendar.override", acting_user=acting_user,
          data={"day": str(day), "is_working_day": is_working_day, "note": note})
    return override
