"""Students: registration of new people (one or a school's batch), the duplicate check
(第十一条), registry-number conversion, contact details."""

import datetime
import functools
from collections import defaultdict
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone
from pypinyin import Style

from cases.audit import audit, audit_many
from cases.bulk import blank_row, insert_rows, instances, reserve_ids
from cases.calendar import chinese_date
from cases.errors import RuleError
from cases.identity import (
    InvalidName,
    identity_key,
    lock_identities,
    name_pinyin,
    normalize_name,
    spelled,
    validate_name,
)
from cases.models import (
    ArchiveEntry,
    ArchiveEntryKind,
    AuxiliaryNumber,
    Gender,
    Guardian,
    HouseholdType,
    Registration,
    RegistrationEvent,
    RegistrationStatus,
    RegistryNumberChange,
    SchoolCategory,
    Stage,
    Student,
)
from cases.numbers.id_number import IdNumberError, validate_id_number
from cases.numbers.registry_number import (
    KIND_ID,
    RegistryNumberError,
    convert_temporary_to_id,
    make_generated_number,
    make_temporary_number,
)

from .auxiliary_numbers import layout_for
from .current import registrations_refresh_elsewhere
from .sequences import sequence_take

# Students whose registry number starts temporary (L): Hong Kong/Macao/Taiwan, foreign,
# no household register (national rule).
TEMPORARY_HOUSEHOLD_TYPES = {HouseholdType.NONE, HouseholdType.OVERSEAS}
STUDENT_FIELDS = {
    "name", "former_names", "gender", "birth_date", "ethnicity", "native_place", "household_type",
    "household_county", "household_address", "address", "is_migrant", "is_left_behind", "disability",
}
GENDERS = frozenset(Gender.values)  # Choices.values builds its list on every call
CONTACT_FIELDS = {"address", "is_migrant", "is_left_behind", "disability"}
CHUNK = 500


@functools.lru_cache(maxsize=65536)
def name_initials(name: str) -> str:
    """First letters of the pinyin (张伟 → zw), for search by initials (cached, as name_pinyin)."""
    return spelled(name.strip(), Style.FIRST_LETTER).lower()[:50]


DUPLICATE_REASONS = {
    "same_id_number": "公民身份号码相同",
    "same_name_gender_birth": "姓名、性别、出生日期相同",
    "similar_name_gender_birth": "姓名读音、性别、出生日期相同",
}


@dataclass(frozen=True)
class DuplicateMatch:
    student: Student
    reason: str  # a key of DUPLICATE_REASONS

    @property
    def message(self):
        text = DUPLICATE_REASONS[self.reason]
        return f"与已有学生 {self.student.name}(学籍号 {self.shown_number})重复:{text}"

    @property
    def shown_number(self):
        """The matched student's registry number as the registrar reads it: the check spans the
        province, so the student is usually held by another unit, and a G number (the ID
        number) is masked (cases/access.py); J/L numbers stay whole."""
        from cases.access import mask

        return mask("registry_number", self.student.registry_number)


@dataclass
class NewStudent:
    """One row of an intake: the person, the class, the guardians, and the reason when the age
    does not fit the stage (special education, late entry…; see ``age_rule``)."""

    data: dict
    school_class: object = None
    guardians: tuple = ()
    # Students the registrar ruled a different person (第十一条 查重裁定): a suspected match by
    # pinyin, gender and birth date with one of them does not block this row. Never an ID match.
    distinct_from: frozenset = frozenset()
    age_exception: str = ""


# 第五条: 年满六周岁 enters primary school; each stage starts at the age the one before ends.
ENTRY_AGE = {Stage.PRIMARY: 6, Stage.JUNIOR: 12, Stage.SENIOR: 15, Stage.VOCATIONAL: 15}
AGE_LATE_YEARS = 2  # older than the band by more than this is a late entry, with a reason


def age_on(birth_date, day):
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def age_band(stage, grade):
    """(youngest, oldest) age in full years for entering ``grade`` of ``stage``; None for
    special education, which takes children of every age (第十一条 送教上门)."""
    if stage not in ENTRY_AGE:
        return None
    expected = ENTRY_AGE[stage] + grade - 1
    youngest = 6 if stage == Stage.PRIMARY and grade == 1 else expected - 1
    return youngest, expected + AGE_LATE_YEARS


def age_rule(*, birth_date, stage, school, school_class, started_on, exception="", field=None):
    """第十一、十二条 (with 第五条): the age on the first day must fit the stage and grade. A
    special-education school takes every age; otherwise an age outside the band needs a reason
    (a disabled child in an ordinary class, a late entry), recorded with the registration."""
    if school.category == SchoolCategory.SPECIAL or not isinstance(birth_date, datetime.date):
        return None
    grade = (school_class.grade(started_on) if school_class is not None else None) or 1
    band = age_band(stage, grade)
    if band is None or (exception or "").strip():
        return None
    age = age_on(birth_date, started_on)
    if band[0] <= age <= band[1]:
        return None
    label = f"{Stage(stage).label}{grade}年级"
    return RuleError("registration_age_out_of_band",
                     f"年龄与学段不符:{chinese_date(started_on)}入学时{age}周岁,{label}一般为{band[0]}~{band[1]}周岁"
                     "(小学须年满六周岁,第五条);特殊教育或延缓入学请填写年龄例外理由",
                     field=field or "birth_date", article="第十一条")


def _chunks(items):
    items = list(items)
    for start in range(0, len(items), CHUNK):
        yield items[start:start + CHUNK]


# People per duplicate query: 4 parameters each, under SQLite's 32,766 and PostgreSQL's 65,535.
DUPLICATE_CHUNK = 5000
_DUPLICATE_COLUMNS = "s.id, s.name, s.registry_number, s.id_number, s.name_pinyin, s.gender, s.birth_date"


def _duplicate_candidates(people, exclude_pk):
    """One query per 5,000 people (any number on PostgreSQL): students sharing an ID number (or its G number), and, joined
    on the exact key (pinyin, gender, birth date), students of whom one side has no ID number.
    A join on a VALUES list, not ``pinyin IN (…) AND birth IN (…)``: that cross product fetched
    every same-pinyin student of every birth date in the batch."""
    table = Student._meta.db_table
    exclude = " AND s.id <> %s" if exclude_pk is not None else ""
    size = 100_000 if connection.vendor == "postgresql" else DUPLICATE_CHUNK  # arrays have no parameter cap
    for chunk in (people[i:i + size] for i in range(0, len(people), size)):
        ids = sorted({p["id_number"] for p in chunk if p["id_number"]})
        keys = {}
        for p in chunk:  # a key needs the "either side without ID" test unless someone lacks an ID
            key = (name_pinyin(p["name"]), p["gender"], p["birth_date"])
            keys[key] = keys.get(key, True) and bool(p["id_number"])
        parts, params = [], []
        # PostgreSQL takes the lists as arrays (four parameters, not 40,000 for the driver to
        # splice into the text); SQLite as placeholders.
        arrays = connection.vendor == "postgresql"
        if ids:
            numbers = ["G" + i for i in ids]  # the G number of a (validated) ID number
            if arrays:
                parts.append(f"SELECT {_DUPLICATE_COLUMNS} FROM {table} s WHERE (s.id_number = ANY(%s)"
                             f" OR s.registry_number = ANY(%s)){exclude}")
                params += [ids, numbers]
            else:
                marks = ", ".join(["%s"] * len(ids))
                parts.append(f"SELECT {_DUPLICATE_COLUMNS} FROM {table} s WHERE (s.id_number IN ({marks})"
                             f" OR s.registry_number IN ({marks})){exclude}")
                params += ids + numbers
            params += [exclude_pk] if exclude else []
        if keys:
            if arrays:
                columns = list(zip(*((*key, has_id) for key, has_id in keys.items())))
                parts.append(f"SELECT {_DUPLICATE_COLUMNS} FROM {table} s JOIN unnest(%s::text[], %s::text[], "
                             "%s::date[], %s::boolean[]) AS k(column1, column2, column3, column4)"
                             " ON s.name_pinyin = k.column1 AND s.gender = k.column2 AND s.birth_date = k.column3"
                             f" WHERE (k.column4 = %s OR s.id_number IS NULL){exclude}")
                params += [list(c) for c in columns] + [False]
            else:
                values = ", ".join(["(%s, %s, %s, %s)"] * len(keys))
                parts.append(f"SELECT {_DUPLICATE_COLUMNS} FROM {table} s JOIN (VALUES {values}) AS k"
                             " ON s.name_pinyin = k.column1 AND s.gender = k.column2 AND s.birth_date = k.column3"
                             f" WHERE (k.column4 = %s OR s.id_number IS NULL){exclude}")
                params += [v for key, has_id in keys.items() for v in (*key, has_id)] + [False]
            params += [exclude_pk] if exclude else []
        if parts:
            yield from Student.objects.raw(" UNION ".join(parts), params)


def duplicates_for_batch(people, exclude_pk=None):
    """第十一条 查重, set-based (see ``_duplicate_candidates``).

    ``people`` are dicts with name, gender, birth_date and id_number (normalized or None).
    A person with an ID number matches the same ID (or its G number); anyone matches those
    *without* an ID number who share gender, birth date and the pinyin of the name.
    Returns {index: [DuplicateMatch, …]}.
    """
    by_id, by_person = {}, defaultdict(list)
    for student in _duplicate_candidates(list(people), exclude_pk):
        if student.id_number or student.registry_number.startswith("G"):
            by_id[student.id_number or student.registry_number[1:]] = student
        by_person[(student.name_pinyin, student.gender, student.birth_date)].append(student)
    found = {}
    for index, person in enumerate(people):
        matches = []
        if person["id_number"] and person["id_number"] in by_id:
            matches.append(DuplicateMatch(by_id[person["id_number"]], "same_id_number"))
        for student in by_person.get((name_pinyin(person["name"]), person["gender"], person["birth_date"]), []):
            if person["id_number"] and student.id_number:
                continue  # both have ID numbers: the ID decides
            if any(match.student.pk == student.pk for match in matches):
                continue
            same = student.name == normalize_name(person["name"])
            matches.append(DuplicateMatch(student, "same_name_gender_birth" if same else "similar_name_gender_birth"))
        if matches:
            found[index] = matches
    return found


def student_find_duplicates(*, name, gender, birth_date, id_number=None, exclude=None):
    """The matches of one person (see ``duplicates_for_batch``)."""
    person = {"name": name, "gender": gender, "birth_date": birth_date, "id_number": id_number}
    return duplicates_for_batch([person], exclude_pk=exclude.pk if exclude else None).get(0, [])


def _validated_identity(data, field_prefix=""):
    """Check one person's data; the ID number must agree with birth date and gender (第十五条)."""
    unknown = set(data) - STUDENT_FIELDS - {"id_number"}
    if unknown:
        raise RuleError("student_field_unknown", f"未知字段:{','.join(sorted(unknown))}", field=field_prefix or None)
    if not isinstance(data.get("name"), str):
        raise RuleError("name_required", "姓名不能为空", field=f"{field_prefix}name")
    try:
        data["name"] = validate_name(data["name"])
    except InvalidName as error:
        raise RuleError(error.code, error.message, field=f"{field_prefix}name") from error
    if data.get("gender") not in GENDERS:
        raise RuleError("gender_invalid", "性别应为男或女", field=f"{field_prefix}gender")
    if not isinstance(data.get("birth_date"), datetime.date):
        raise RuleError("birth_date_required", "出生日期不能为空", field=f"{field_prefix}birth_date")
    if data["birth_date"] > datetime.date.today():
        raise RuleError("birth_date_future", "出生日期不能晚于今天", field=f"{field_prefix}birth_date",
                        article="第十五条")
    id_number = (data.get("id_number") or "").strip().upper() or None
    if id_number:
        try:
            id_number = validate_id_number(id_number, birth_date=data["birth_date"], gender=data["gender"])
        except IdNumberError as error:
            raise RuleError(error.code, error.message, field=f"{field_prefix}id_number", article="第十五条") from error
    return id_number


def _number_taken(numbers):
    numbers = list(numbers)
    taken = set()
    for chunk in _chunks(numbers):
        taken |= set(Student.objects.filter(registry_number__in=chunk).values_list("registry_number", flat=True))
        taken |= set(RegistryNumberChange.objects.filter(old_number__in=chunk).values_list("old_number", flat=True))
    return taken


def _assign_registry_numbers(people, area):
    """G for an ID number; L (temporary) for those without a household register; J otherwise.
    J sequences follow the ID parity rule (odd male, even female), so each gender of each
    birth date draws a block from its own counter."""
    try:
        j_groups = defaultdict(list)
        for person in people:
            if person["id_number"]:  # validated with the person (_validated_identity)
                person["registry_number"] = KIND_ID + person["id_number"]
            elif person.get("household_type") in TEMPORARY_HOUSEHOLD_TYPES:
                person["registry_number"] = None  # drawn below
            else:
                j_groups[(person["birth_date"], person["gender"])].append(person)
        for (birth, gender), group in j_groups.items():
            first = sequence_take(f"J{area}{birth:%Y%m%d}{gender}", len(group))
            for offset, person in enumerate(group):
                n = first + offset
                person["registry_number"] = make_generated_number(area, birth, 2 * n - 1 if gender == Gender.MALE else 2 * n)
        for _ in range(20):
            pending = [p for p in people if p["registry_number"] is None]
            if not pending:
                break
            for person in pending:
                person["registry_number"] = make_temporary_number(area, person["birth_date"])
            taken = _number_taken(p["registry_number"] for p in pending)
            drawn = [p["registry_number"] for p in pending]
            for person in pending:
                if person["registry_number"] in taken or drawn.count(person["registry_number"]) > 1:
                    person["registry_number"] = None
        taken = _number_taken(p["registry_number"] for p in people if p["registry_number"] and not p["id_number"])
        if taken or any(p["registry_number"] is None for p in people):
            raise RuleError("registry_number_exhausted", "学籍号生成冲突,请重试", article="第九条")
    except RegistryNumberError as error:
        raise RuleError(error.code, error.message, article="第九条") from error


@transaction.atomic
def students_register(*, acting_user, school, stage, started_on, people, reason="新生注册",
                      issue_auxiliary_numbers=True):
    """Register a school's intake: lifelong records, open registrations and their history,
    the archive's first entries and the auxiliary numbers, all or nothing (第九、十一、十二条).

    ``people`` is a list of ``NewStudent``. Every failure of every row is reported at once
    (fields named ``people[i].field``) and nothing is written.
    """
    if not school.offers(stage):
        raise RuleError("school_stage", f"{school.name}不设该学段", field="stage", article="第三条")
    errors, rows = [], []
    for index, new in enumerate(people):
        prefix = f"people[{index}]."
        try:
            id_number = _validated_identity(new.data, prefix)
            if new.school_class is not None and (new.school_class.school_id != school.pk or new.school_class.stage != stage):
                raise RuleError("class_mismatch", "班级不属于该学校或学段", field=f"{prefix}school_class")
            age_error = age_rule(birth_date=new.data["birth_date"], stage=stage, school=school,
                                 school_class=new.school_class, started_on=started_on, exception=new.age_exception,
                                 field=f"{prefix}birth_date")
            if age_error is not None:
                raise age_error
        except RuleError as error:
            errors.append(error)
            continue
        rows.append({**new.data, "id_number": id_number, "_new": new, "_index": index})
    # Serialise with every concurrent registration of the same people (第十一条): the check
    # below then sees what they committed, and they wait for what this one commits.
    lock_identities(identity_key(row["name"], row["gender"], row["birth_date"]) for row in rows)
    seen = {}
    for row in rows:  # the same person twice in one intake
        key = row["id_number"] or (name_pinyin(row["name"]), row["gender"], row["birth_date"])
        if key in seen:
            errors.append(RuleError("duplicate_in_batch", f"第{seen[key] + 1}行与第{row['_index'] + 1}行是同一学生",
                                    field=f"people[{row['_index']}].name", article="第十一条"))
        seen.setdefault(key, row["_index"])
    for position, matches in duplicates_for_batch(rows).items():
        row = rows[position]
        matches = [m for m in matches
                   if m.reason == "same_id_number" or m.student.pk not in row["_new"].distinct_from]
        if not matches:
            continue
        field = "id_number" if row["id_number"] else "name"
        errors.append(RuleError("duplicate_person", matches[0].message, field=f"people[{row['_index']}].{field}",
                                article="第十一条"))
    if errors:
        raise ValidationError(errors)

    _assign_registry_numbers(rows, school.county.code)
    # Written as rows ({attname: value}; COPY on PostgreSQL, cases/bulk.py): model objects only
    # for what is returned, made without a Model.__init__ per row.
    now = timezone.now()
    recorded_by = acting_user.pk if acting_user is not None else None
    blank = blank_row(Student, now)
    student_rows = [{**blank, **_student_columns(row), "id_number": row["id_number"],
                     "registry_number": row["registry_number"], "name_pinyin": name_pinyin(row["name"]),
                     "name_initials": name_initials(row["name"]), "current_school_id": school.pk,
                     "scope_code": school.scope_code} for row in rows]
    # New people have exactly this one registration: it is their current one. On PostgreSQL
    # its id is reserved first and written with the student (the foreign key is checked at
    # commit); elsewhere it is set by an UPDATE once the registrations exist.
    reserved = reserve_ids(Registration, len(rows)) if connection.vendor == "postgresql" else [None] * len(rows)
    for student_row, pk in zip(student_rows, reserved):
        student_row["current_registration_id"] = pk
    try:
        with transaction.atomic():
            insert_rows(Student, student_rows)
    except IntegrityError as error:  # a concurrent registration of the same person
        raise RuleError("duplicate_person", "该学生已存在(公民身份号码或学籍号重复)", article="第十一条") from error
    blank = blank_row(Guardian, now)
    insert_rows(Guardian, [{**blank, **guardian, "student_id": student_row["id"]}
                           for student_row, row in zip(student_rows, rows) for guardian in row["_new"].guardians])
    classes = [row["_new"].school_class for row in rows]
    blank = blank_row(Registration, now)
    registration_rows = insert_rows(Registration, [
        {**blank, "id": pk, "student_id": student_row["id"], "school_id": school.pk,
         "school_class_id": school_class.pk if school_class is not None else None, "stage": stage,
         "started_on": started_on}
        for student_row, school_class, pk in zip(student_rows, classes, reserved)])
    if reserved[:1] == [None]:
        for start in range(0, len(student_rows), DUPLICATE_CHUNK):
            Student.objects.filter(pk__in=[s["id"] for s in student_rows[start:start + DUPLICATE_CHUNK]]).update(
                current_registration=Subquery(Registration.objects.filter(student=OuterRef("pk")).values("pk")[:1]))
        for student_row, registration_row in zip(student_rows, registration_rows):
            student_row["current_registration_id"] = registration_row["id"]
    blank = blank_row(RegistrationEvent, now)
    insert_rows(RegistrationEvent, [
        {**blank, "registration_id": registration_row["id"], "status_to": RegistrationStatus.ACTIVE,
         "occurred_on": started_on, "reason": _with_age_exception(reason, row["_new"]), "recorded_by_id": recorded_by}
        for registration_row, row in zip(registration_rows, rows)])
    blank = blank_row(ArchiveEntry, now)
    entered = chinese_date(started_on)
    insert_rows(ArchiveEntry, [
        {**blank, "student_id": student_row["id"], "school_id": school.pk, "kind": ArchiveEntryKind.BASE_DATA,
         "recorded_by_id": recorded_by, "title": f"{reason}:{school.name}",
         "body": _with_age_exception(f"学籍号 {student_row['registry_number']},{entered}入学", row["_new"])}
        for student_row, row in zip(student_rows, rows)])
    students = instances(Student, student_rows, current_school=school)
    registrations = instances(Registration, registration_rows, student=students, school=school,
                              school_class=classes)
    current = Student._meta.get_field("current_registration")
    for student, registration in zip(students, registrations):
        current.set_cached_value(student, registration)
    scope = (school.scope_code, school.pk)
    audit_many(students, "xueji.student.register", acting_user=acting_user, scope=scope,
               data=lambda s: {"registry_number": s.registry_number, "school": school.code, "stage": stage})
    if issue_auxiliary_numbers:
        _issue_auxiliary_numbers(acting_user=acting_user, registrations=registrations, scope=scope)
    return registrations


# The person's fields that are relations (the household county) are written by their key.
_STUDENT_RELATIONS = {f.name: f.attname for f in Student._meta.concrete_fields if f.is_relation and f.name in STUDENT_FIELDS}


def _student_columns(data):
    """The person's fields of ``data`` as Student columns {attname: value}."""
    columns = {key: value for key, value in data.items() if key in STUDENT_FIELDS}
    for name, attname in _STUDENT_RELATIONS.items():
        if name in columns:
            related = columns.pop(name)
            columns[attname] = related.pk if related is not None else None
    return columns


def _with_age_exception(text, new):
    reason = (new.age_exception or "").strip()
    return f"{text};年龄例外:{reason}" if reason else text


def _issue_auxiliary_numbers(*, acting_user, registrations, scope):
    """Numbers for a whole intake: one counter lock per number prefix, one INSERT."""
    # The layout depends on school, stage and entry year only: compute it once per cohort.
    cohorts = defaultdict(list)
    for registration in registrations:
        cohort = registration.school_class.cohort if registration.school_class else registration.started_on.year
        cohorts[cohort].append(registration)
    rows = []
    blank = {**blank_row(AuxiliaryNumber, timezone.now()), "issued_by_id": acting_user.pk if acting_user else None}
    for group in cohorts.values():
        kind, layout = layout_for(group[0])
        first = sequence_take(layout.prefix, len(group))
        rows += [{**blank, "number": number, "kind": kind, "registration_id": r.pk, "school_id": r.school_id}
                 for r, number in zip(group, layout.render_range(first, len(group)))]
    issued = instances(AuxiliaryNumber, insert_rows(AuxiliaryNumber, rows))
    audit_many(issued, "xueji.auxiliary.issue", acting_user=acting_user, scope=scope,
               data=lambda a: {"number": a.number, "registration": a.registration_id})
    return issued


def student_register(*, acting_user, school, stage, started_on, data, school_class=None, guardians=(),
                     issue_auxiliary_number=True, reason="新生注册", age_exception=""):
    """Register one new student: an intake of one. Field errors are named plainly (``id_number``)."""
    try:
        (registration,) = students_register(
            acting_user=acting_user, school=school, stage=stage, started_on=started_on, reason=reason,
            people=[NewStudent(data=data, school_class=school_class, guardians=tuple(guardians),
                               age_exception=age_exception)],
            issue_auxiliary_numbers=issue_auxiliary_number,
        )
    except RuleError as error:
        raise _unprefixed(error) from error
    except ValidationError as error:
        raise ValidationError([_unprefixed(e) for e in error.error_list]) from error
    return registration


def _unprefixed(error):
    if isinstance(error, RuleError) and error.field and error.field.startswith("people[0]."):
        error.field = error.field[len("people[0]."):]
    return error


@transaction.atomic
def student_convert_temporary_number(*, acting_user, student, id_number):
    """L → G once the ID number is verified; the temporary number stays in the history and is
    never given to anyone else."""
    student = Student.objects.select_for_update().get(pk=student.pk)
    try:
        new_number = convert_temporary_to_id(student.registry_number, id_number)
        validate_id_number(id_number, birth_date=student.birth_date, gender=student.gender)
    except (RegistryNumberError, IdNumberError) as error:
        raise RuleError(error.code, error.message, field="id_number", article="第九条") from error
    normalized = new_number[1:]
    clash = Student.objects.filter(Q(id_number=normalized) | Q(registry_number=new_number)).exclude(pk=student.pk).first()
    if clash:
        raise RuleError("duplicate_person", f"该公民身份号码已属于学生 {clash.name}(学籍号 {clash.registry_number})",
                        field="id_number", article="第十一条")
    RegistryNumberChange.objects.create(student=student, old_number=student.registry_number, new_number=new_number,
                                        reason="核实公民身份号码,临时学籍号转为正式学籍号", changed_by=acting_user)
    old_number = student.registry_number
    student.registry_number, student.id_number = new_number, normalized
    student.save(update_fields=["registry_number", "id_number"])
    # the copies of the number on the registrations of units the student left (one UPDATE)
    registrations_refresh_elsewhere(Registration.objects.filter(student=student))
    ArchiveEntry.objects.create(student=student, kind=ArchiveEntryKind.BASE_DATA, recorded_by=acting_user,
                                title="临时学籍号转为正式学籍号", body=f"{old_number} → {new_number}")
    audit(student, "xueji.student.number_convert", acting_user=acting_user, data={"old": old_number, "new": new_number})
    return student


@transaction.atomic
def student_update_contact(*, acting_user, student, changes, guardians=None):
    """Contact details and flags only. Name, birth date, native place and numbers change only
    through a correction case with evidence (第十五条)."""
    forbidden = set(changes) - CONTACT_FIELDS
    if forbidden:
        raise RuleError("student_field_protected", f"以下信息须通过信息变更办理:{','.join(sorted(forbidden))}",
                        article="第十五条")
    student = Student.objects.select_for_update().get(pk=student.pk)
    before = {field: getattr(student, field) for field in changes}
    for field, value in changes.items():
        setattr(student, field, value)
    student.save(update_fields=list(changes) or None)
    if guardians is not None:
        student.guardians.all().delete()  # guardians are contact data, not archive history
        Guardian.objects.bulk_create([Guardian(student=student, **guardian) for guardian in guardians])
    audit(student, "xueji.student.edit", acting_user=acting_user,
          data={"before": {k: str(v) for k, v in before.items()}, "after": {k: str(v) for k, v in changes.items()}})
    return student


CORRECTABLE_FIELDS = {"name", "birth_date", "native_place", "gender", "ethnicity"}


@transaction.atomic
def student_correct(*, acting_user, student, changes, case):
    """Correct base data from a household-register copy (第十五条). Only a correction case's
    ``apply`` calls this; the old values stay in the archive entry."""
    unknown = set(changes) - CORRECTABLE_FIELDS
    if unknown:
        raise RuleError("student_field_protected", f"不能更正的字段:{','.join(sorted(unknown))}", article="第十五条")
    student = Student.objects.select_for_update().get(pk=student.pk)
    before = {field: getattr(student, field) for field in changes}
    if "name" in changes:
        try:
            changes = {**changes, "name": validate_name(changes["name"])}
        except InvalidName as error:
            raise RuleError(error.code, error.message, field="details", article="第十五条") from error
    if "name" in changes and changes["name"] != student.name:
        names = [n for n in student.former_names.split(",") if n]
        student.former_names = ",".join([*names, student.name])
        student.name_pinyin = name_pinyin(changes["name"])
        student.name_initials = name_initials(changes["name"])
    for field, value in changes.items():
        setattr(student, field, value)
    if student.id_number:
        try:
            validate_id_number(student.id_number, birth_date=student.birth_date, gender=student.gender)
        except IdNumberError as error:
            raise RuleError(error.code, error.message, field="details", article="第十五条") from error
    student.save()
    body = ";".join(f"{Student._meta.get_field(f).verbose_name}:{before[f]} → {changes[f]}" for f in changes)
    ArchiveEntry.objects.create(student=student, kind=ArchiveEntryKind.BASE_DATA, case=case, recorded_by=acting_user,
                                school=case.school, title="学籍信息变更", body=body)
    audit(student, "xueji.student.edit", acting_user=acting_user,
          data={"before": {k: str(v) for k, v in before.items()}, "after": {k: str(v) for k, v in changes.items()},
                "case": case.number})
    return student
