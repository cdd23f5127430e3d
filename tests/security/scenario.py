"""One small province for the security checks: two counties of two cities, a student who
transferred from 甲校 (chengguan) to 丙校 (qinzhou), a student of 丙校 only, a student of 甲校,
a draft transfer from 丙校 naming 乙校 (chengguan) as destination, evidence, certificates,
archive entries, guardians. Names and numbers that must never reach an out-of-scope reader
are kept on the scenario (``secrets_of``)."""

import datetime
from dataclasses import dataclass, field

from cases import models as m
from cases.models import ArchiveEntryKind, Jurisdiction, Role
from cases.services.archives import archive_entry_append
from cases.services.cases import case_create, evidence_attach
from cases.services.certificates import certificate_issue
from tests.case_types.helpers import World, pdf, submit_and_approve_all
from cases.services.students import student_register
from tests.factories import SchoolClassFactory, SchoolFactory, id_number_for, register_student, staff_user


@dataclass
class Scenario:
    schools: dict
    students: dict
    cases: dict
    users: dict = field(default_factory=dict)
    certificates: dict = field(default_factory=dict)
    archive: dict = field(default_factory=dict)


def build(db=None):
    chengguan = Jurisdiction.objects.get(code="620102")
    qinzhou = Jurisdiction.objects.get(code="620502")
    jia = SchoolFactory(category="1", county=chengguan, name="城关甲校")
    yi = SchoolFactory(category="1", county=chengguan, name="城关乙校")
    bing = SchoolFactory(category="1", county=qinzhou, name="秦州丙校")
    for school in (jia, yi, bing):
        SchoolClassFactory(school=school, stage="junior", cohort=2024)
    guardian = ({"name": "监护人甲", "relation": "母亲", "phone": "13912345678", "id_number": "620102198001011234"},)
    id_number, birth = id_number_for(datetime.date(2012, 5, 1))
    # Grade 2 in spring 2026 (cohort 2024): a first-year transfer is "generally refused" (第二十六条).
    mover = student_register(acting_user=None, school=jia, stage="junior", started_on=datetime.date(2024, 9, 1),
                             school_class=m.SchoolClass.objects.get(school=jia, cohort=2024), guardians=guardian, data={"name": "转出生", "gender": "M", "birth_date": birth,
                                                       "id_number": id_number, "address": "兰州市城关区转出路1号",
                                                       "household_address": "兰州市城关区户籍街1号"})
    stayer = register_student(school=jia, name="在读生", address="兰州市城关区在读路2号")
    outsider = register_student(school=bing, name="域外生", address="天水市秦州区域外路3号")
    incoming = register_student(school_class=m.SchoolClass.objects.get(school=bing, cohort=2024), name="拟转生",
                                address="天水市秦州区拟转路4号", started_on=datetime.date(2024, 9, 1))
    world = World()
    # 转出生 moves from 甲校 to 丙校 through an approved transfer: 甲校 becomes the former school.
    transfer = case_create(acting_user=world.school_user(jia), case_type="transfer", school=jia,
                           student=mover.student, transfer_scope="within", destination_school=bing,
                           reason="relocation", effective_on=datetime.date(2026, 3, 2),
                           details={"destination_class": m.SchoolClass.objects.get(school=bing, cohort=2024).pk})
    for kind in ("transfer_application", "residence_proof"):
        evidence_attach(acting_user=world.school_user(jia), case=transfer, kind=kind, uploaded_file=pdf())
    submit_and_approve_all(world, transfer, world.school_user(jia))
    # After the hand-over 丙校 acts for the student: a certificate, an archive note, a new case.
    bing_registrar = world.school_user(bing)
    certificate = certificate_issue(acting_user=None, kind="archive_dossier", student=mover.student)
    note = archive_entry_append(acting_user=bing_registrar, student=mover.student, school=bing,
                                kind=ArchiveEntryKind.AWARD, title="丙校三好学生")
    later = case_create(acting_user=bing_registrar, case_type="dropout", school=bing, student=mover.student,
                        reason="absent", effective_on=datetime.date(2026, 5, 6),
                        details={"absent_since": "2026-04-20", "township_reported_on": "2026-04-27"})
    # A draft transfer from 丙校 naming 乙校: 乙校 may read whom it is asked to take, masked.
    draft = case_create(acting_user=bing_registrar, case_type="transfer", school=bing, student=incoming.student,
                        transfer_scope="within", destination_school=yi, reason="relocation",
                        effective_on=datetime.date(2026, 6, 1),
                        details={"destination_class": m.SchoolClass.objects.get(school=yi, cohort=2024).pk})
    evidence_attach(acting_user=bing_registrar, case=draft, kind="residence_proof", uploaded_file=pdf(),
                    title="丙校拟转生户口簿")
    superuser = staff_user(Jurisdiction.objects.get(code="62"), role=Role.HEAD)
    superuser.is_superuser = True
    superuser.save()
    users = {
        "school": world.school_user(jia), "destination_school": world.school_user(yi), "new_school": bing_registrar,
        "county": staff_user(chengguan, role=Role.REVIEWER), "city": staff_user(Jurisdiction.objects.get(code="6201"),
                                                                                   role=Role.REVIEWER),
        "province": staff_user(Jurisdiction.objects.get(code="62"), role=Role.REVIEWER), "superuser": superuser,
        "other_county": staff_user(qinzhou, role=Role.REVIEWER),
        # The other demo roles: a school's head (decides its school's step) and the provincial
        # exam authority (confirms proficiency-exam results, 第二十二条).
        "school_head": world.school_head(jia), "exam": world.exam_user(),
    }
    return Scenario(schools={"jia": jia, "yi": yi, "bing": bing},
                    students={"mover": mover.student, "stayer": stayer.student, "outsider": outsider.student,
                              "incoming": incoming.student},
                    cases={"transfer": transfer, "later": later, "draft": draft}, users=users,
                    certificates={"after": certificate}, archive={"after": note})
