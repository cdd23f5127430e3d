"""Building blocks of ``apply``: each calls a service, so history and audit come with it."""

from cases.models import ArchiveEntry, ArchiveEntryKind, Registration
from cases.services.auxiliary_numbers import (
    auxiliary_number_cancel,
    auxiliary_number_issue,
)
from cases.services.registrations import registration_change_status


def open_registration(case):
    """The case's registration, locked and re-read: apply acts on what is true now."""
    return Registration.objects.select_for_update().get(pk=case.registration_id)


def record(case, *, acting_user, title="", body="", student=None, school=None):
    """The archive entry of the change (unless ``title`` is empty, when the service wrote it)
    plus one entry per piece of evidence (第十二、十三条)."""
    student = student or case.student
    school = school or case.school
    entries = [ArchiveEntry(student=student, school=school, kind=ArchiveEntryKind.BASE_DATA, case=case,
                            title=title, body=body, recorded_by=acting_user)] if title else []
    entries += [ArchiveEntry(student=student, school=school, kind=ArchiveEntryKind.EVIDENCE, case=case,
                             document=evidence.document, title=f"{case.type_name}证明材料:{evidence.document.title}",
                             recorded_by=acting_user)
                for evidence in case.evidence.select_related("document")]
    ArchiveEntry.objects.bulk_create(entries)


def change_status(case, registration, status, *, acting_user, cancel_number=False, occurred_on=None):
    if cancel_number:
        auxiliary_number_cancel(acting_user=acting_user, registration=registration, reason=case.type_name)
    return registration_change_status(acting_user=acting_user, registration=registration, status=status,
                                      occurred_on=occurred_on or case.effective_on,
                                      reason=f"{case.type_name}({case.number})")


def reissue_number(registration, *, acting_user):
    return auxiliary_number_issue(acting_user=acting_user, registration=registration)
