"""Driving a case through the services, as the admin and the API do."""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile

from cases.models import (
    ArchiveEntry,
    AuxiliaryNumber,
    Registration,
    RegistrationEvent,
    Role,
    Student,
)
from cases.services.cases import case_approve, case_create, case_submit, evidence_attach
from cases.workflow import current_step
from tests.factories import staff_user

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def pdf(name="evidence.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


class World:
    """Users for every unit a case may route to, created on demand."""

    def __init__(self):
        self._users = {}

    def school_user(self, school):
        return self._user(("school", school.pk), lambda: staff_user(school, role=Role.REGISTRAR))

    def school_head(self, school):
        return self._user(("head", school.pk), lambda: staff_user(school, role=Role.HEAD))

    def authority_user(self, jurisdiction, role=Role.REVIEWER):
        return self._user(("jurisdiction", jurisdiction.pk, role), lambda: staff_user(jurisdiction, role=role))

    def exam_user(self, role=Role.REVIEWER):
        """Staff of the provincial exam authority (第二十二条), a unit of its own."""
        from cases.models import Jurisdiction, Office

        return self._user(("exam", role), lambda: staff_user(Jurisdiction.objects.get(code="62"), role=role,
                                                             office=Office.EXAM))

    def _user(self, key, make):
        if key not in self._users:
            self._users[key] = make()
        return self._users[key]

    def approver_of_current_step(self, case):
        from cases.models import Jurisdiction

        state = current_step(case)
        if state.approver_school_id:
            # Separation of duties: the registrar who submitted never decides; the school's
            # head does (docs/architecture.md).
            registrar = self.school_user(state.approver_school)
            if registrar.pk in (case.created_by_id, state.workflow_state.requested_by_id):
                return self.school_head(state.approver_school)
            return registrar
        if state.approver_office == "exam":
            return self.exam_user()
        return self.authority_user(Jurisdiction.objects.get(code=state.approver_code))


def open_case(world, *, case_type, school, student=None, evidence=(), effective_on=datetime.date(2026, 3, 2),
              **fields):
    submitter = world.school_user(school)
    case = case_create(acting_user=submitter, case_type=case_type, school=school, student=student,
                       effective_on=effective_on, **fields)
    for kind in evidence:
        evidence_attach(acting_user=submitter, case=case, kind=kind, uploaded_file=pdf())
    return case, submitter


def submit_and_approve_all(world, case, submitter):
    """Submit, then let each step's approver approve; returns the approvers in order."""
    case = case_submit(acting_user=submitter, case=case)
    approvers = []
    while current_step(case) is not None:
        approver = world.approver_of_current_step(case)
        approvers.append(approver)
        case = case_approve(acting_user=approver, case=case, comment="同意")
    return case, approvers


def registry_snapshot():
    """Everything a case may change, to assert that a refused, rejected or withdrawn case
    changed nothing."""
    return (
        list(Registration.objects.order_by("pk").values()),
        list(RegistrationEvent.objects.order_by("pk").values()),
        list(AuxiliaryNumber.objects.order_by("pk").values()),
        list(Student.objects.order_by("pk").values()),
        list(ArchiveEntry.objects.order_by("pk").values()),
    )
