"""A day's work in the demo (``manage.py seed_demo``): cases in every state at the demo
registrar's school, a certificate and its print job, so the dashboards and lists are not empty.

Everything goes through the services, as staff would do it in the admin: the registrar opens,
attaches evidence, submits and withdraws; the school's head decides the school step; the county
(or the authority of the stage) the last one. The students are taken in registry-number order,
so the same seed gives the same cases.
"""

import datetime
import random

from django.core.files.uploadedfile import SimpleUploadedFile

# A one-page PDF: evidence is checked by content (cases/services/cases.py).
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
COMPULSORY_FIRST = ("primary", "junior", "special", "senior", "vocational")
INTAKE = 8  # new pupils registered by the day's approved intake (the cases below need pupils)


def demo_registrar():
    """The registrar's profile of the demo logins table: the first county-supervised school of
    the demo county with a registrar account (None before the demo is built)."""
    from cases.demo import DEMO_COUNTY
    from cases.models import Role, StaffProfile

    return (StaffProfile.objects.select_related("user", "school")
            .filter(role=Role.REGISTRAR, school__county__code=DEMO_COUNTY, school__supervision="county",
                    user__username__startswith="school-").order_by("user__username").first())


def _attach_evidence(case, user):
    from cases.services.cases import evidence_attach, missing_evidence

    for kind in missing_evidence(case):
        evidence_attach(acting_user=user, case=case, kind=kind.code,
                        uploaded_file=SimpleUploadedFile(f"{kind.code}.pdf", PDF, "application/pdf"))


def _approve_all(case, users, head):
    """Each step approved by its approver: the school's head, else the authority's account."""
    from cases.services.cases import case_approve
    from cases.workflow import current_step

    while (state := current_step(case)) is not None:
        approver = head if state.approver_school_id else users[
            {2: "province", 4: f"city-{state.approver_code}", 6: f"county-{state.approver_code}"}[
                len(state.approver_code)]]
        case = case_approve(acting_user=approver, case=case, comment="材料齐全,同意")
    return case


def _intake_people(school_class, today):
    """INTAKE first-graders of the class's stage, at the entry age, with valid unused ID numbers."""
    from cases.demo import ENTRY_AGE, adult_name, child_name, phone_number
    from cases.models import Student
    from cases.numbers.id_number import make_id_number

    rng = random.Random(f"xueji-demo-day:{school_class.school.code}")
    people = []
    for index in range(INTAKE):
        gender = "MF"[index % 2]
        # Born between 2 September and 1 September: the entry age on 1 September (第五条).
        birth = datetime.date(school_class.cohort - ENTRY_AGE[school_class.stage] - 1, 9 + index % 4,
                              2 + 3 * index)
        sequence = 2 * rng.randrange(1, 500) - (gender == "M")
        while Student.objects.filter(id_number=make_id_number("620102", birth, sequence)).exists():
            sequence = sequence % 996 + 2
        name = child_name(rng, "汉族", gender)
        people.append({"name": name, "gender": gender, "birth_date": birth.isoformat(),
                       "id_number": make_id_number("620102", birth, sequence), "ethnicity": "汉族",
                       "native_place": "甘肃省兰州市城关区", "household_type": "resident",
                       "guardians": [{"name": adult_name(rng, "汉族", "M", name[0]), "relation": "父亲",
                                      "phone": phone_number(rng)}]})
    return people


def seed_day(today, users, log=print):
    """The cases, certificate and print job of the demo school; returns how many cases."""
    from cases.demo import authority_username
    from cases.models import Case, Registration, RegistrationStatus, SchoolClass
    from cases.services.cases import case_approve, case_create, case_reject, case_submit, case_withdraw
    from cases.services.certificates import certificate_issue
    from cases.services.print_jobs import print_job_create

    profile = demo_registrar()
    if profile is None:
        return 0
    school, registrar = profile.school, profile.user
    head = users[f"{registrar.username}-head"]
    school_year = today.year if today.month >= 9 else today.year - 1
    first_grade = (SchoolClass.objects.filter(school=school, cohort=school_year)
                   .order_by("stage", "class_name").first())
    # 新生注册, approved: this year's first-graders (the demo school may be small).
    intake = case_create(acting_user=registrar, case_type="registration", school=school, stage=first_grade.stage,
                         effective_on=today, details={"people": _intake_people(first_grade, today),
                                                      "school_class": first_grade.pk})
    _attach_evidence(intake, registrar)
    _approve_all(case_submit(acting_user=registrar, case=intake), users, head)
    active = list(Registration.objects.filter(school=school, status=RegistrationStatus.ACTIVE)
                  .select_related("student", "school_class").order_by("student__registry_number"))
    order = {stage: i for i, stage in enumerate(COMPULSORY_FIRST)}
    active.sort(key=lambda r: order[r.stage])  # stable: registry-number order within a stage
    pupils = iter(active)

    def suspension(reason, note, days):
        registration = next(pupils)
        case = case_create(acting_user=registrar, case_type="suspension", school=school,
                           student=registration.student, reason=reason, reason_text=note, effective_on=today,
                           end_on=today + datetime.timedelta(days=days),
                           details={"hospital_county_level": True} if reason == "illness" else {})
        _attach_evidence(case, registrar)
        return case, registration

    def authority_of(registration):
        return users[authority_username(school, registration.stage)]

    # 草稿: opened this morning, evidence still to come.
    registration = next(pupils)
    case_create(acting_user=registrar, case_type="suspension", school=school, student=registration.student,
                reason="other", reason_text="随父母赴外省务工,家长已提交书面申请", effective_on=today,
                end_on=today + datetime.timedelta(days=150))
    # 审批中,在学校审核: submitted, waiting for the head.
    case, _ = suspension("illness", "肺炎住院治疗", 120)
    case_submit(acting_user=registrar, case=case)
    # 审批中,在县级审批: the head signed, the county decides.
    case, _ = suspension("illness", "骨折术后休养", 180)
    case_approve(acting_user=head, case=case_submit(acting_user=registrar, case=case), comment="情况属实,同意")
    # 退回修改 by the school: the head asks for a clearer copy.
    case, _ = suspension("other", "家庭特殊原因", 120)
    case_reject(acting_user=head, case=case_submit(acting_user=registrar, case=case),
                comment="书面申请未经家长签字,请补充后重新提交")
    # 退回修改 by the county (a rejection at the authority's step).
    case, registration = suspension("illness", "慢性病需长期治疗", 200)
    case = case_approve(acting_user=head, case=case_submit(acting_user=registrar, case=case), comment="同意")
    case_reject(acting_user=authority_of(registration), case=case, comment="诊断证明非县级及以上医院出具,不予同意")
    # 已撤回: the family changed its mind before the decision.
    case, _ = suspension("other", "拟随父母出国探亲", 90)
    case_withdraw(acting_user=registrar, case=case_submit(acting_user=registrar, case=case))
    # 已批准: a native-place correction, decided by the head and the authority (the record changes;
    # the registration's status does not).
    registration = next(pupils)
    case = case_create(acting_user=registrar, case_type="correction", school=school, student=registration.student,
                       effective_on=today, details={"changes": {"native_place": "甘肃省兰州市榆中县"}})
    _attach_evidence(case, registrar)
    case = case_approve(acting_user=head, case=case_submit(acting_user=registrar, case=case), comment="同意")
    case_approve(acting_user=authority_of(registration), case=case, comment="核对户口簿无误,同意")
    # 新生注册 draft: late arrivals to the first-grade class wait for their Excel list.
    case_create(acting_user=registrar, case_type="registration", school=school, stage=first_grade.stage,
                effective_on=today, details={"people": [], "school_class": first_grade.pk})
    cases = Case.objects.filter(school=school).count()
    # 学生证 issued and sent to print: the county's in compulsory education, the province's in
    # high school (第三条).
    registration = next(pupils)
    issuer = users["province"] if registration.stage in ("senior", "vocational") else authority_of(registration)
    certificate = certificate_issue(acting_user=issuer, kind="student_card", student=registration.student)
    print_job_create(acting_user=issuer, certificates=[certificate])
    log(f"{school.name}:学籍变动案卷 {cases} 件(新生注册 {INTAKE} 人已批准;草稿、审批中、退回、撤回、已批准),"
        "学生证 1 张及其打印任务")
    return cases
