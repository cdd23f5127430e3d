"""Students: registration of a new person, the duplicate check (第十一条), number conversion."""

import datetime
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Q
from pypinyin import lazy_pinyin

from cases.audit import audit
from cases.errors import RuleError
from cases.models import (
    ArchiveEntry,
    ArchiveEntryKind,
    Gender,
    Guardian,
    HouseholdType,
    Registration,
    RegistrationEvent,
    RegistrationStatus,
    RegistryNumberChange,
    Student,
)
from cases.numbers.id_number import IdNumberError, validate_id_number
from cases.numbers.registry_number import (
    RegistryNumberError,
    convert_temporary_to_id,
    make_generated_number,
    make_temporary_number,
    registry_number_from_id,
)

from .auxiliary_numbers import auxiliary_number_issue
from .sequences import sequence_next

# Students whose registry number starts temporary (L): Hong Kong/Macao/Taiwan, foreign,
# no household register (national rule).
TEMPORARY_HOUSEHOLD_TYPES = {HouseholdType.NONE, HouseholdType.OVERSEAS}
STUDENT_FIELDS = {
    "name", "former_names", "gender", "birth_date", "ethnicity", "native_place", "household_type",
    "household_county", "household_address", "address", "is_migrant", "is_left_behind", "disability",
}
CONTACT_FIELDS = {"address", "is_migrant", "is_left_behind", "disability"}


def name_pinyin(name: str) -> str:
    """Tone-less pinyin: 张玮 and 张伟 meet here, so a typo does not hide a duplicate."""
    return "".join(lazy_pinyin(name.strip())).lower()


@dataclass(frozen=True)
class DuplicateMatch:
    student: Student
    reason: str  # same_id_number | same_name_gender_birth | similar_name_gender_birth

    @property
    def message(self):
        text = {
            "same_id_number": "公民身份号码相同",
            "same_name_gender_birth": "姓名、性别、出生日期相同",
            "similar_name_gender_birth": "姓名读音、性别、出生日期相同",
        }[self.reason]
        return f"与已有学生 {self.student.name}(学籍号 {self.student.registry_number})重复:{text}"


def student_find_duplicates(*, name, gender, birth_date, id_number=None, exclude=None):
    """第十一条 查重: exact ID number first; then name + gender + birth date among those who
    have no ID number (or when the newcomer has none). Returns every match with its reason."""
    matches = []
    others = Student.objects.all() if exclude is None else Student.objects.exclude(pk=exclude.pk)
    if id_number:
        for student in others.filter(Q(id_number=id_number) | Q(registry_number=registry_number_from_id(id_number))):
            matches.append(DuplicateMatch(student, "same_id_number"))
    candidates = others.filter(gender=gender, birth_date=birth_date, name_pinyin=name_pinyin(name))
    if id_number:
        candidates = candidates.filter(id_number__isnull=True)
    for student in candidates.exclude(pk__in=[m.student.pk for m in matches]):
        reason = "same_name_gender_birth" if student.name == name.strip() else "similar_name_gender_birth"
        matches.append(DuplicateMatch(student, reason))
    return matches


def _validated_identity(data):
    """Check the ID number against birth date and gender (第十五条); raise every failure at once."""
    id_number = (data.get("id_number") or "").strip().upper() or None
    if id_number:
        try:
            id_number = validate_id_number(id_number, birth_date=data["birth_date"], gender=data["gender"])
        except IdNumberError as error:
            raise RuleError(error.code, error.message, field="id_number", article="第十五条") from error
    if data["birth_date"] > datetime.date.today():
        raise RuleError("birth_date_future", "出生日期不能晚于今天", field="birth_date", article="第十五条")
    if data["gender"] not in Gender.values:
        raise RuleError("gender_invalid", "性别应为男或女", field="gender")
    return id_number


def _new_registry_number(*, id_number, data, school):
    """G for an ID number; L (temporary) for those without a household register; J otherwise."""
    area = school.county.code
    if id_number:
        return registry_number_from_id(id_number)
    try:
        if data.get("household_type") in TEMPORARY_HOUSEHOLD_TYPES:
            for _ in range(20):
                number = make_temporary_number(area, data["birth_date"])
                if not _number_taken(number):
                    return number
            raise RuleError("registry_number_exhausted", "临时学籍号生成失败,请重试", article="第九条")
        # J: the sequence's parity follows the ID rule (odd male, even female), so each
        # gender draws from its own counter.
        birth = data["birth_date"].strftime("%Y%m%d")
        while True:
            n = sequence_next(f"J{area}{birth}{data['gender']}")
            sequence = 2 * n - 1 if data["gender"] == Gender.MALE else 2 * n
            number = make_generated_number(area, data["birth_date"], sequence)
            if not _number_taken(number):
                return number
    except RegistryNumberError as error:
        raise RuleError(error.code, error.message, article="第九条") from error


def _number_taken(number):
    return Student.objects.filter(registry_number=number).exists() or RegistryNumberChange.objects.filter(
        old_number=number
    ).exists()


@transaction.atomic
def student_register(*, acting_user, school, stage, started_on, data, school_class=None, guardians=(),
                     issue_auxiliary_number=True, reason="新生注册"):
    """Create the lifelong record, the open registration, its history, the archive's first
    entry and (by default) the auxiliary number, all or nothing."""
    unknown = set(data) - STUDENT_FIELDS - {"id_number"}
    if unknown:
        raise RuleError("student_field_unknown", f"未知字段:{','.join(sorted(unknown))}")
    if not school.offers(stage):
        raise RuleError("school_stage", f"{school.name}不设该学段", field="stage", article="第三条")
    if school_class is not None and (school_class.school_id != school.pk or school_class.stage != stage):
        raise RuleError("class_mismatch", "班级不属于该学校或学段", field="school_class")
    if not (data.get("name") or "").strip():
        raise RuleError("name_required", "姓名不能为空", field="name")
    id_number = _validated_identity(data)
    duplicates = student_find_duplicates(
        name=data["name"], gender=data["gender"], birth_date=data["birth_date"], id_number=id_number
    )
    if duplicates:
        raise RuleError("duplicate_person", duplicates[0].message, field="id_number" if id_number else "name",
                        article="第十一条")
    fields = {key: value for key, value in data.items() if key in STUDENT_FIELDS}
    fields["name"] = fields["name"].strip()
    student = Student(**fields, id_number=id_number, name_pinyin=name_pinyin(fields["name"]),
                      registry_number=_new_registry_number(id_number=id_number, data=data, school=school))
    try:
        with transaction.atomic():
            student.save()
    except IntegrityError as error:  # a concurrent registration of the same person
        raise RuleError("duplicate_person", "该学生已存在(公民身份号码或学籍号重复)", field="id_number",
                        article="第十一条") from error
    Guardian.objects.bulk_create([Guardian(student=student, **guardian) for guardian in guardians])
    registration = Registration.objects.create(
        student=student, school=school, school_class=school_class, stage=stage, started_on=started_on
    )
    RegistrationEvent.objects.create(
        registration=registration, status_to=RegistrationStatus.ACTIVE, occurred_on=started_on, reason=reason,
        recorded_by=acting_user,
    )
    ArchiveEntry.objects.create(
        student=student, school=school, kind=ArchiveEntryKind.BASE_DATA, recorded_by=acting_user,
        title=f"{reason}:{school.name}", body=f"学籍号 {student.registry_number},{started_on:%Y年%m月%d日}入学",
    )
    audit(student, "xueji.student.register", acting_user=acting_user,
          data={"registry_number": student.registry_number, "school": school.code, "stage": stage})
    if issue_auxiliary_number:
        auxiliary_number_issue(acting_user=acting_user, registration=registration)
    return registration


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
