"""学籍信息调取 Data release (第三十八条): nothing leaves the registry without the registry
authority's written approval.

A unit asks in writing for named items of one student's record; the school files the request
as a case, the authority approves it, and the approved extract (those items, as they stand at
approval, and nothing else) is kept on the case, with an archive entry saying who received
what (第四十条(七): leaks are violations, so every release is on file). The unit's letter stays
on the case: it is not evidence of the student's status and does not enter the archive.
"""

from django.utils import timezone

from cases.audit import audit
from cases.models import ArchiveEntry, ArchiveEntryKind, Registration

from . import register
from . import fields as f
from .base import AUTHORITY_APPROVAL, CaseType, EvidenceKind, effective_on, rule
from .fields import Field

WRITTEN_REQUEST = EvidenceKind("written_request", "书面申请")
ARTICLE = "第三十八条"


def _live_number(student, registration):
    number = registration.auxiliary_numbers.filter(cancelled_at__isnull=True).first()
    return number.number if number else ""


# The items a unit may ask for: code → (label, value from the student and the registration).
# Identity documents, addresses, guardians, household and disability data are not releasable.
# Note: a G registry number is "G" + the ID number, so asking for it discloses the ID number too.
ALLOWED_FIELDS = {
    "registry_number": ("学籍号", lambda s, r: s.registry_number),
    "name": ("姓名", lambda s, r: s.name),
    "gender": ("性别", lambda s, r: str(s.get_gender_display())),
    "birth_date": ("出生日期", lambda s, r: s.birth_date.isoformat()),
    "ethnicity": ("民族", lambda s, r: s.ethnicity),
    "native_place": ("籍贯", lambda s, r: s.native_place),
    "school": ("就读学校", lambda s, r: r.school.name),
    "stage": ("学段", lambda s, r: str(r.get_stage_display())),
    "grade": ("年级", lambda s, r: r.grade_label(timezone.localdate())),
    "class_name": ("班级", lambda s, r: r.school_class.class_name if r.school_class_id else ""),
    "status": ("学籍状态", lambda s, r: str(r.get_status_display())),
    "started_on": ("入学日期", lambda s, r: r.started_on.isoformat()),
    "ended_on": ("离校日期", lambda s, r: r.ended_on.isoformat() if r.ended_on else ""),
    "auxiliary_number": ("学籍辅号", _live_number),
}


def requested_fields(case):
    """The requested items in the order asked, each once."""
    fields = (case.details or {}).get("fields")
    return list(dict.fromkeys(fields)) if isinstance(fields, list) else []


@register
class DataRelease(CaseType):
    """``details``: {"requester": unit name, "purpose": text, "fields": [item codes]}; after
    approval also {"extract": {item code: value}}."""

    code = "data_release"
    changes_status = False  # the registration's status is untouched
    name = "学籍信息调取"
    articles = (ARTICLE,)
    steps = (AUTHORITY_APPROVAL,)
    evidence = {"*": (WRITTEN_REQUEST,)}
    fields = (
        effective_on("申请日期", article=ARTICLE),
        Field("requester", f.TEXT, "申请调取的单位", "来函单位全称", ARTICLE, required=True, max_length=100),
        Field("purpose", f.LONGTEXT, "调取用途", "", ARTICLE, required=True, max_length=1000),
        Field("fields", f.MULTICHOICE, "调取项目", "只提供所列项目;身份证件、住址、监护人等信息不提供(第三十八条)",
              ARTICLE, required=True, choices=tuple((code, label) for code, (label, _) in ALLOWED_FIELDS.items())),
    )

    def validate(self, case):
        errors = super().validate(case)
        details = case.details or {}
        if not str(details.get("requester") or "").strip():
            errors.append(rule("data_release_requester", "请填写申请调取的单位", ARTICLE, field="requester"))
        if not str(details.get("purpose") or "").strip():
            errors.append(rule("data_release_purpose", "请填写调取用途", ARTICLE, field="purpose"))
        return errors

    def check_eligibility(self, case):
        fields = requested_fields(case)
        if not fields:
            return [rule("data_release_no_fields", "请列明申请调取的学籍信息项目", ARTICLE, field="fields")]
        return [rule("data_release_field_not_allowed", f"不提供的学籍信息项目:{field}", ARTICLE, field="fields")
                for field in fields if field not in ALLOWED_FIELDS]

    def apply(self, case, *, acting_user):
        registration = Registration.objects.select_related("student", "school", "school_class").get(
            pk=case.registration_id)
        student = registration.student
        fields = requested_fields(case)
        extract = {field: ALLOWED_FIELDS[field][1](student, registration) for field in fields}
        # The case is being finalized under lock in this transaction: the extract is saved with it.
        case.details = {**case.details, "extract": extract}
        case.save(update_fields=["details"])
        requester = case.details["requester"].strip()
        labels = "、".join(ALLOWED_FIELDS[field][0] for field in fields)
        # An "other" entry (第十二条(七)); effects.record writes base-data entries only.
        entry = ArchiveEntry.objects.create(
            student=student, school=case.school, kind=ArchiveEntryKind.OTHER, case=case, recorded_by=acting_user,
            title=f"学籍信息调取:{requester}",
            body=f"经学籍主管部门书面批准(案卷 {case.number}),向{requester}提供:{labels}。"
                 f"用途:{case.details['purpose'].strip()}",
        )
        audit(entry, "xueji.archive.append", acting_user=acting_user,
              data={"case": case.number, "requester": requester, "fields": fields})
