"""What a certificate template sees: the record, the student's data at print time, the QR.

Read-only; the services render with it. Kept apart from the services so that batch printing
and previews build the same context.
"""

import segno
from django.db.models import Prefetch

from cases import models as m

K = m.CertificateKind


def authority_name(school, stage):
    if school is None:
        return ""
    try:
        jurisdiction = school.authority(stage)
    except m.Jurisdiction.DoesNotExist:
        return ""
    return f"{jurisdiction.name}教育局" if len(jurisdiction.code) > 2 else f"{jurisdiction.name}教育厅"


def _reason_label(case):
    case_type = case.case_type_class
    return getattr(case_type, "reasons", {}).get(case.reason, case.reason) if case_type else case.reason


def case_field_texts(case):
    if case is None or case.case_type_class is None:
        return {}
    return {item["key"]: item.get("text", "") for item in case.case_type_class.display(case)}


def qr_for(certificate):
    """The QR code of the verification URL (error level M survives a stamp's smudge)."""
    from cases.services.certificates import verification_url

    return segno.make(verification_url(certificate), error="m", micro=False)


def study_period(registration):
    """(from, to) of the stage as it really ran: from the first day at any school of that stage
    (a transferred student began elsewhere) to the day the registration ended (第三十四条)."""
    if registration is None:
        return None, None
    first = (m.Registration.objects.filter(student_id=registration.student_id, stage=registration.stage,
                                           started_on__lte=registration.started_on)
             .order_by("started_on", "id").values_list("started_on", flat=True).first())
    return first or registration.started_on, registration.ended_on


def month(day):
    return f"{day.year}年{day.month}月" if day else ""


def context_for(certificate, viewer=None):
    """``viewer``: who prints (None: the system). The only unit that prints without holding the
    student is the origin school, its own 转学证明 after the hand-over (第二十二条): it reads the
    student's G registry number masked, like everywhere else (cases/access.py)."""
    from cases import access
    from cases.services.certificates import PAGE_SIZE, chinese_date, verification_url

    if viewer is not None:
        access.personal_view(viewer, [certificate.student])

    registration = certificate.registration
    school = certificate.school
    stage = registration.stage if registration else ""
    case = certificate.case
    period_from, period_to = study_period(registration)
    context = {
        "period_from": month(period_from),
        "period_to": month(period_to),
        "certificate": certificate,
        "title": certificate.get_kind_display(),
        "student": certificate.student,
        "registration": registration,
        "school": school,
        "case": case,
        # The case's declared fields as a person reads them ({key: text}): one source with the case page.
        "case_fields": case_field_texts(case),
        "stage_label": registration.get_stage_display() if registration else "",
        "grade_label": registration.grade_label() if registration else "",
        "class_name": registration.school_class.class_name if registration and registration.school_class_id else "",
        "authority": authority_name(school, stage),
        "issued_on": chinese_date(certificate.issued_at),
        "birth_date": chinese_date(certificate.student.birth_date),
        "page_size": PAGE_SIZE.get(certificate.kind, "A4"),
        "verify_url": verification_url(certificate),
        "qr_data_uri": qr_for(certificate).png_data_uri(scale=4, border=2),
    }
    if certificate.kind == K.TRANSFER and case is not None:
        destination = case.destination_school
        context.update({
            "destination_name": destination.name if destination else case.external_school,
            "destination_authority": authority_name(destination, stage) if destination else "",
            "transfer_reason": "  ".join(filter(None, [_reason_label(case), case.reason_text])),
        })
    if certificate.kind == K.SUSPENSION:
        context.update({
            "suspended_from": chinese_date(case.effective_on) if case and case.effective_on else "",
            "suspended_until": chinese_date((case.end_on if case else None) or registration.suspended_until),
        })
    if certificate.kind == K.ARCHIVE_DOSSIER:
        student = certificate.student
        context.update({
            "registrations": student.registrations.select_related("school", "school_class").prefetch_related(
                Prefetch("events", queryset=m.RegistrationEvent.objects.order_by("recorded_at", "id")))
            .order_by("started_on", "id"),
            "archive_entries": student.archive_entries.select_related("school").order_by("recorded_at", "id"),
        })
    return context
