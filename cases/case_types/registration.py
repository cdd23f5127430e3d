"""新生注册/学籍建立 Registration of a school's new students (第五、八、十一、十二条) and 延期注册
deferred registration (第六条).

A school registers its intake as one case: the people, the household-register or ID copies,
the authority's approval. The duplicate check (查重) and the identity rules of the batch
service run at submission and again at the final approval, so every bad row is reported at
once and nothing is written until the whole intake passes (第十一条: 不得以虚假信息建立学籍,
不得重复建立学籍). On approval registry numbers are issued, auxiliary numbers allocated and the
archives opened, within one month of admission (第十二条).

A parent who cannot register on time applies through the school, with proof, for a later
deadline (第六条). There is no student record yet, so the approved case itself is the record
of the new deadline: ``deferred_deadline_for`` reads it, and the registration of the intake
starts its one-month clock from it.
"""

import calendar
import datetime

from django.utils import timezone

from cases.calendar import chinese_date
from cases.errors import RuleError
from cases.intake.checks import different_person_decisions
from cases.intake.checks import person_key as intake_person_key
from cases.models import Case, CaseState, Disability, Jurisdiction, Registration, SchoolClass
from cases.numbers.id_number import IdNumberError, validate_id_number
from cases.services.students import (
    NewStudent,
    _validated_identity,  # the batch service's own per-person check, reused so both agree
    age_rule,
    duplicates_for_batch,
    name_pinyin,
    students_register,
)

from . import register
from . import fields as f
from .base import AUTHORITY_APPROVAL, GENDERS, SCHOOL_REVIEW, STAGE, CaseType, EvidenceKind, effective_on, rule
from .fields import Field
from .transfer import HOUSEHOLD_TYPES
from .effects import record

HOUSEHOLD_OR_ID = EvidenceKind("household_register_or_id", "户口簿或身份证复印件")
DEFERRAL_PROOF = EvidenceKind("deferral_proof", "不能按期注册的有关证明")
GUARDIAN_FIELDS = {"name", "relation", "phone", "id_number"}
PERSON_EXTRA_FIELDS = {"guardians", "school_class", "age_exception"}  # the rest is the student's own data
DEFERRED = "deferred_registration"
LATE_ROWS_SHOWN = 20
GUARDIAN = (
    Field("name", f.TEXT, "监护人姓名", required=True, max_length=50),
    Field("relation", f.TEXT, "与学生关系", "如父亲、母亲", required=True, max_length=20),
    Field("phone", f.TEXT, "联系电话", max_length=20),
)
PERSON = (
    Field("name", f.TEXT, "姓名", required=True, max_length=50),
    Field("gender", f.CHOICE, "性别", required=True, choices=GENDERS),
    Field("birth_date", f.DATE, "出生日期", "须与公民身份号码一致(第十五条)", "第十五条", required=True),
    Field("id_number", f.ID_NUMBER, "公民身份号码", "无身份证号的学生可不填,学籍号为临时号(第十一条)", "第十五条"),
    Field("ethnicity", f.TEXT, "民族", max_length=20),
    Field("native_place", f.TEXT, "籍贯", max_length=100),
    Field("household_type", f.CHOICE, "户口性质", choices=HOUSEHOLD_TYPES),
    Field("school_class", f.SCHOOL_CLASS, "编入班级", "不选则编入“全体新生编入班级”", "第八条"),
    Field("guardians", f.ROWS, "监护人", "", "第十二条", rows=GUARDIAN, max_rows=2),
    # What the Excel intake's template also collects (cases/intake/workbook.py).
    Field("household_county", f.JURISDICTION, "户籍所在县(区)", "随迁子女辍学时档案移交户籍所在县(第三十二条)"),
    Field("household_address", f.TEXT, "户籍地址", max_length=200),
    Field("address", f.TEXT, "现住址", max_length=200),
    Field("is_migrant", f.BOOL, "进城务工人员随迁子女"),
    Field("is_left_behind", f.BOOL, "留守儿童"),
    Field("disability", f.CHOICE, "残疾类型", choices=tuple((k, str(v)) for k, v in Disability.choices if k)),
    Field("age_exception", f.TEXT, "年龄例外理由", "年龄与学段、年级不符时填写(延缓入学、随班就读、特殊教育等)",
          "第五条", max_length=200),
)
CLASS_ARTICLE = "第八条"  # 采集录入学籍信息: nobody is registered without a class and so a grade


def one_month_after(day):
    """The same day of the next month, or its last day (31 January → 28/29 February)."""
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def filed_on(case):
    """The day the case is filed: its submission once submitted, else today (the check run at
    submission itself)."""
    if case.state == CaseState.IN_REVIEW and case.submitted_at:
        return timezone.localdate(case.submitted_at)
    return timezone.localdate()


def _row(index, code, message, article, field):
    return rule(code, f"第{index + 1}行:{message}", article, field=field)


def _people(case):
    people = (case.details or {}).get("people")
    return people if isinstance(people, list) else []


def _class_of(case, person):
    """The class a pupil joins: the row's own, else the one chosen for the whole intake."""
    return person.get("school_class") or (case.details or {}).get("school_class")


def _class_rules(case, classes=None):
    """Every pupil has a class of the school and stage (the grade follows from it): a row
    without one, with no class chosen for the whole intake, is refused at save, at submission
    and at the final approval, so no approved intake leaves a pupil without class and grade."""
    if classes is None:
        classes = SchoolClass.objects.filter(school=case.school, stage=case.stage).in_bulk()
    errors = []
    default = (case.details or {}).get("school_class")
    if default and default not in classes:
        errors.append(rule("class_mismatch", "全体新生编入班级不属于本校该学段", CLASS_ARTICLE, field="school_class"))
    for index, person in enumerate(_people(case)):
        if not isinstance(person, dict):
            continue
        own = person.get("school_class")
        if own and own not in classes:
            errors.append(_row(index, "class_mismatch", "编入班级不属于本校该学段", CLASS_ARTICLE,
                               f"people[{index}].school_class"))
        elif not own and not default:
            errors.append(_row(index, "registration_class_required",
                               "请选择编入班级(或在名单上方为全体新生选定班级),每名新生都须编入班级", CLASS_ARTICLE,
                               f"people[{index}].school_class"))
    return errors


def _student_data(person):
    """The person's own data as the batch service takes it (birth date as a date), or None
    when the birth date is not an ISO date."""
    data = {k: v for k, v in person.items() if k not in PERSON_EXTRA_FIELDS}
    if isinstance(data.get("birth_date"), str):
        try:
            data["birth_date"] = datetime.date.fromisoformat(data["birth_date"])
        except ValueError:
            return None
    return data


def deferred_deadlines(id_numbers, *, school=None):
    """{ID number: new deadline} of approved deferred registrations (the latest decision wins)."""
    numbers = sorted({n for n in id_numbers if n})
    if not numbers:
        return {}
    cases = Case.objects.filter(case_type=DEFERRED, state=CaseState.APPROVED, details__id_number__in=numbers)
    if school is not None:
        cases = cases.filter(school=school)
    found = {}
    for case in cases.order_by("decided_at", "id").only("details"):
        found[case.details["id_number"]] = datetime.date.fromisoformat(case.details["new_deadline"])
    return found


def deferred_deadline_for(id_number, *, school=None):
    """The registration deadline granted by an approved 延期注册 case, or None (第六条)."""
    try:
        number = validate_id_number(id_number or "")
    except IdNumberError:
        return None
    return deferred_deadlines([number], school=school).get(number)


@register
class NewStudentRegistration(CaseType):
    code = "registration"
    name = "新生注册"
    articles = ("第十一条", "第五条", "第八条", "第十二条")
    steps = (AUTHORITY_APPROVAL,)
    evidence = {"*": (HOUSEHOLD_OR_ID,)}
    subject = None
    fields = (
        STAGE,
        effective_on("入学日期", "学校应自入学之日起1个月内建立学籍档案(第十二条)", "第十二条"),
        Field("school_class", f.SCHOOL_CLASS, "全体新生编入班级",
              "名单中未另选班级的新生编入此班;每名新生都须有班级(年级由班级推算)", CLASS_ARTICLE),
        # A draft may wait for its Excel list (cases/services/intake.py); submission needs it.
        Field("people", f.ROWS, "新生名单", "每行一名学生;查重在保存和提交时进行(第十一条)", "第八条",
              required=lambda case: case.state not in ("draft", "returned"), rows=PERSON),
    )

    def student_required(self, case):
        return False  # a school's batch: the students do not exist yet

    def display(self, case, labels=None, user=None):
        """A pupil who names no class of their own shows the intake's class (每名新生都有班级)."""
        items = super().display(case, labels, user)
        intake_class = next((item["text"] for item in items if item["key"] == "school_class"), "")
        for item in items:
            if item["key"] == "people" and intake_class:
                label = next(p.label for p in PERSON if p.key == "school_class")
                if label not in item["columns"]:  # nobody named a class of their own
                    item["columns"].append(label)
                    for row in item["rows"]:
                        row.append("")
                column = item["columns"].index(label)
                for row in item["rows"]:
                    row[column] = row[column] or intake_class
        return items

    def validate(self, case):
        errors = super().validate(case)
        if "people" not in (case.details or {}):
            return errors  # a draft waiting for its Excel list (cases/services/intake.py); submit needs it
        people = case.details["people"]
        if not isinstance(people, list) or not people or not all(isinstance(p, dict) for p in people):
            errors.append(rule("registration_people", "请填写新生名单", "第八条", field="people"))
        elif case.school_id and case.stage and not case.school.offers(case.stage):
            errors.append(rule("registration_school_stage", f"{case.school.name}不设该学段", "第三条", field="stage"))
        elif case.school_id and case.stage:
            errors += _class_rules(case)
        # Each row's own fields (guardians' names and relations…) are checked by the declaration.
        return errors

    def check_eligibility(self, case):
        errors = []
        if not _people(case):
            errors.append(rule("registration_people", "请填写新生名单", "第八条", field="details"))
        if not case.school.offers(case.stage):
            errors.append(rule("registration_school_stage", f"{case.school.name}不设该学段", "第三条", field="stage"))
        rows = self._checked_rows(case, errors)
        errors += self._duplicates(rows, different_person_decisions(case))
        late = self._late_rule(case, rows)
        if late is not None:
            errors.append(late)
        return errors

    def _checked_rows(self, case, errors):
        """Every person through the batch service's own identity check (ID number against
        birth date and gender, 第十五条), without writing; the failures go to ``errors``."""
        classes = SchoolClass.objects.filter(school=case.school, stage=case.stage).in_bulk()
        class_errors = _class_rules(case, classes)
        errors += class_errors
        refused = {error.field.split(".")[0] for error in class_errors if error.field}
        rows = []
        for index, person in enumerate(_people(case)):
            prefix = f"people[{index}]."
            data = _student_data(person)
            if data is None:
                errors.append(_row(index, "birth_date_invalid", "出生日期格式应为 YYYY-MM-DD", "第十五条",
                                   f"{prefix}birth_date"))
                continue
            try:
                id_number = _validated_identity(data, prefix)
            except RuleError as error:
                errors.append(_row(index, error.code, error.message, error.article or "第十一条", error.field))
                continue
            class_id = _class_of(case, person)
            if f"people[{index}]" in refused or "school_class" in refused:
                continue  # reported by _class_rules
            if case.effective_on is not None:
                age_error = age_rule(birth_date=data["birth_date"], stage=case.stage, school=case.school,
                                     school_class=classes.get(class_id), started_on=case.effective_on,
                                     exception=person.get("age_exception") or "", field=f"{prefix}birth_date")
                if age_error is not None:
                    errors.append(_row(index, age_error.code, age_error.message, age_error.article, age_error.field))
                    continue
            rows.append({**data, "name": data["name"].strip(), "id_number": id_number, "_index": index})
        return rows

    @staticmethod
    def _duplicates(rows, distinct):
        """第十一条 查重: the same person twice in the intake, and anyone already registered
        (except a suspected match the registrar ruled a different person, ``distinct``)."""
        errors, seen = [], {}
        for row in rows:
            key = row["id_number"] or (name_pinyin(row["name"]), row["gender"], row["birth_date"])
            if key in seen:
                errors.append(_row(row["_index"], "duplicate_in_batch", f"与第{seen[key] + 1}行是同一学生", "第十一条",
                                   f"people[{row['_index']}].name"))
            seen.setdefault(key, row["_index"])
        for position, matches in sorted(duplicates_for_batch(rows).items()):
            row = rows[position]
            field = "id_number" if row["id_number"] else "name"
            cleared = distinct.get(intake_person_key(row["name"], row["gender"], row["birth_date"]), set())
            for match in matches:
                if match.reason != "same_id_number" and match.student.pk in cleared:
                    continue
                errors.append(_row(row["_index"], "duplicate_person", match.message, "第十一条",
                                   f"people[{row['_index']}].{field}"))
        return errors

    @staticmethod
    def _late_rule(case, rows):
        """第十二条: the archive is built within one month of admission (``effective_on``); for a
        person granted a later deadline (第六条) the month runs from that deadline."""
        if case.effective_on is None:
            return None
        filed = filed_on(case)
        deadlines = deferred_deadlines((r["id_number"] for r in rows), school=case.school)
        late = [row["_index"] + 1 for row in rows
                if filed > one_month_after(max(case.effective_on, deadlines.get(row["id_number"], case.effective_on)))]
        if not late:
            return None
        limit = one_month_after(case.effective_on)
        message = (f"学校应当从学生入学之日起1个月内为其建立学籍档案:入学{chinese_date(case.effective_on)},"
                   f"期限{chinese_date(limit)},办理{chinese_date(filed)}")
        if len(late) < len(rows):
            shown = "、".join(str(n) for n in late[:LATE_ROWS_SHOWN])
            message += f";逾期:第{shown}行" + (f"等{len(late)}人" if len(late) > LATE_ROWS_SHOWN else "")
        return rule("registration_after_one_month", message, "第十二条", generally=True)

    def apply(self, case, *, acting_user):
        people = _people(case)
        classes = {c.pk: c for c in SchoolClass.objects.filter(
            pk__in=[_class_of(case, p) for p in people if _class_of(case, p)], school=case.school, stage=case.stage)}
        distinct = different_person_decisions(case)
        counties = Jurisdiction.objects.in_bulk({p["household_county"] for p in people if p.get("household_county")})
        new_students = []
        for person in people:
            data = _student_data(person)
            if data.get("household_county"):
                data["household_county"] = counties.get(data["household_county"])
            new_students.append(NewStudent(
                data=data, school_class=classes[_class_of(case, person)],  # checked by _class_rules
                age_exception=person.get("age_exception") or "",
                guardians=tuple({k: v for k, v in g.items() if k in GUARDIAN_FIELDS} for g in person.get("guardians") or ()),
                distinct_from=frozenset(distinct.get(intake_person_key(data["name"], data["gender"], data["birth_date"]),
                                                     ()))))
        registrations = students_register(
            acting_user=acting_user, school=case.school, stage=case.stage, started_on=case.effective_on,
            reason=f"新生注册({case.number})", people=new_students,
        )
        # students_register wrote each archive's base entry; the case adds the evidence (第十二条(二)).
        for registration in registrations:
            record(case, acting_user=acting_user, student=registration.student)
        return registrations


@register
class DeferredRegistration(CaseType):
    """``effective_on`` is the registration date the school set (规定时间); ``details`` name the
    admitted child and the new deadline."""

    code = DEFERRED
    name = "延期注册"
    articles = ("第六条",)
    steps = (SCHOOL_REVIEW,)
    evidence = {"*": (DEFERRAL_PROOF,)}
    subject = None
    fields = (
        STAGE,
        effective_on("规定的注册日期", article="第六条"),
        Field("name", f.TEXT, "学生姓名", "", "第六条", required=True, max_length=50),
        Field("id_number", f.ID_NUMBER, "公民身份号码", "", "第六条", required=True),
        Field("new_deadline", f.DATE, "延期注册截止日期", "应晚于规定的注册日期", "第六条", required=True),
    )

    def student_required(self, case):
        return False  # not registered yet

    def validate(self, case):
        errors = super().validate(case)
        details = case.details or {}
        if not (details.get("name") or "").strip():
            errors.append(rule("deferred_name", "请填写学生姓名", "第六条", field="name"))
        try:
            # Stored normalized, so that deferred_deadline_for finds it however it was typed.
            case.details = {**details, "id_number": validate_id_number(details.get("id_number") or "")}
        except IdNumberError as error:
            errors.append(rule(error.code, error.message, "第六条", field="id_number"))
        try:
            deadline = datetime.date.fromisoformat(details.get("new_deadline") or "")
        except (TypeError, ValueError):
            errors.append(rule("deferred_new_deadline", "请填写延期注册截止日期", "第六条", field="new_deadline"))
        else:
            if case.effective_on and deadline <= case.effective_on:
                errors.append(rule("deferred_deadline_not_later", "延期注册截止日期应晚于规定的注册日期", "第六条",
                                   field="new_deadline"))
        return errors

    def check_eligibility(self, case):
        id_number = (case.details or {}).get("id_number")
        if id_number and Registration.objects.open().filter(
                student__id_number=id_number, school=case.school, stage=case.stage).exists():
            return [rule("deferred_already_registered", "该学生已在本校注册,无需延期注册", "第六条")]
        return []

    def apply(self, case, *, acting_user):
        """Nothing in the registry to change: there is no student record before registration.
        The approved case *is* the record of the new deadline (``deferred_deadline_for`` reads
        it) and case_finalize writes its approval to the audit log in this same transaction."""
        return None

