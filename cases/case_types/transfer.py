"""转学 Transfer (第二十一~二十六条).

Destination school consents → origin school signs → origin authority confirms → destination
authority approves (第二十二条); a general-high-school student leaving the province also needs
the provincial exam authority's confirmation of proficiency-exam scores. On approval the
origin auxiliary number is cancelled and the destination authority issues a new one (第二十三条),
the registration moves, the archive follows the student and the paper file is sealed and
carried (第二十四条); the origin school keeps read-only access to the history (第十四条).
"""

import datetime

from cases.edge import is_digits
from cases.models import STAGE_YEARS, RegistrationStatus, SchoolClass, Stage, Student, TransferScope
from cases.services.auxiliary_numbers import entry_cohort, grade_of
from cases.services.registrations import registration_open
from cases.services.students import NewStudent, students_register

from . import register
from . import fields as f
from .base import GENDERS, REASON_TEXT, STAGE, CaseType, EvidenceKind, Step, effective_on, reason_field, rule
from .fields import Field
from .effects import change_status, open_registration, record, reissue_number

APPLICATION = EvidenceKind("transfer_application", "转学申请及《甘肃省中小学生转学证明》")
RESIDENCE = EvidenceKind("residence_proof", "迁居或务工证明")
HOUSEHOLD = EvidenceKind("household_register", "户口簿复印件")
ARTICLE = "第二十六条"
PROVINCES = (("11", "北京市"), ("12", "天津市"), ("13", "河北省"), ("14", "山西省"), ("15", "内蒙古自治区"),
             ("21", "辽宁省"), ("22", "吉林省"), ("23", "黑龙江省"), ("31", "上海市"), ("32", "江苏省"),
             ("33", "浙江省"), ("34", "安徽省"), ("35", "福建省"), ("36", "江西省"), ("37", "山东省"),
             ("41", "河南省"), ("42", "湖北省"), ("43", "湖南省"), ("44", "广东省"), ("45", "广西壮族自治区"),
             ("46", "海南省"), ("50", "重庆市"), ("51", "四川省"), ("52", "贵州省"), ("53", "云南省"),
             ("54", "西藏自治区"), ("61", "陕西省"), ("63", "青海省"), ("64", "宁夏回族自治区"),
             ("65", "新疆维吾尔自治区"), ("71", "台湾省"), ("81", "香港特别行政区"), ("82", "澳门特别行政区"))
HOUSEHOLD_TYPES = (("agricultural", "农业户口"), ("non_agricultural", "非农业户口"), ("resident", "居民户口"),
                   ("none", "无户籍"), ("overseas", "港澳台及外籍"))


def _within(case):
    return case.transfer_scope == TransferScope.WITHIN


def _arriving(case):
    """A transfer that brings the student into a Gansu school: it chooses the class there."""
    return case.transfer_scope in (TransferScope.WITHIN, TransferScope.INTO_PROVINCE)


def _external(case):
    return case.transfer_scope in (TransferScope.OUT_OF_PROVINCE, TransferScope.INTO_PROVINCE)


def _new_person(case):
    return case.transfer_scope == TransferScope.INTO_PROVINCE and not case.student_id


def _person(name, kind, label, **extra):
    return Field(name, kind, f"学生{label}", group="person", article="第二十二条",
                 help="省外转入且本省尚无学籍的学生填写", **extra)


@register
class Transfer(CaseType):
    code = "transfer"
    name = "转学"
    articles = ("第二十二条", "第二十三条", "第二十四条", "第二十五条", "第二十六条")
    steps = (
        Step("school", "destination", "转入学校同意"),
        Step("school", "origin", "转出学校签章"),
        Step("authority", "origin", "转出学校学籍主管部门确认"),
        Step("exam", "origin", "省级考试管理部门确认学业水平考试成绩"),
        Step("authority", "destination", "转入学校学籍主管部门审批"),
    )
    reasons = {"relocation": "随父母迁居或务工", "household": "户籍迁移", "other": "其他原因"}
    evidence = {"*": (APPLICATION,), "relocation": (RESIDENCE,), "household": (HOUSEHOLD,)}
    subject = Field("student", f.STUDENT, "转学学生", "省外转入本省尚无学籍的学生时不选,改填下方学生信息", column=True,
                    required=lambda case: case.transfer_scope != TransferScope.INTO_PROVINCE)
    fields = (
        Field("transfer_scope", f.CHOICE, "转学范围", article="第二十一条", required=True, column=True,
              choices=tuple((c, str(label)) for c, label in TransferScope.choices)),
        reason_field(reasons, "第二十一条", label="转学原因"),
        REASON_TEXT,
        effective_on("转学日期"),
        Field("destination_school", f.SCHOOL, "转入学校", "省内转学时选择转入学校(按校名或学校标识码查找)", "第二十二条",
              required=_within, column=True),
        Field("destination_class", f.SCHOOL_CLASS, "转入班级",
              "转入学校中与学生同年级的班级(第二十六条:不得跨年级转学);省外转入时为本校的班级", ARTICLE,
              required=_arriving, within="destination_school"),
        Field("external_school", f.TEXT, "省外学校", "转出或转入的省外学校名称", "第二十一条", required=_external,
              column=True, max_length=100),
        Field("external_province", f.CHOICE, "省外学校所在省份", "", "第二十一条", required=_external, column=True,
              choices=PROVINCES),
        Field("stage", STAGE.kind, "学段", "省外转入新学生时选择", required=_new_person, column=True, choices=STAGE.choices),
        _person("name", f.TEXT, "姓名", required=_new_person, max_length=50),
        _person("gender", f.CHOICE, "性别", required=_new_person, choices=GENDERS),
        _person("birth_date", f.DATE, "出生日期", required=_new_person),
        _person("id_number", f.ID_NUMBER, "公民身份号码"),
        _person("ethnicity", f.TEXT, "民族", max_length=20),
        _person("native_place", f.TEXT, "籍贯", max_length=100),
        _person("household_type", f.CHOICE, "户口性质", choices=HOUSEHOLD_TYPES),
    )

    def student_required(self, case):
        return case.transfer_scope != TransferScope.INTO_PROVINCE

    def approval_chain(self, case):
        if case.transfer_scope == TransferScope.OUT_OF_PROVINCE:
            sides = {("school", "origin"), ("authority", "origin")}
            if case.stage == Stage.SENIOR:
                sides.add(("exam", "origin"))
        elif case.transfer_scope == TransferScope.INTO_PROVINCE:
            sides = {("school", "destination"), ("authority", "destination")}
        else:
            sides = {("school", "destination"), ("school", "origin"), ("authority", "origin"),
                     ("authority", "destination")}
        return [step for step in self.steps if (step.level, step.side) in sides]

    def validate(self, case):
        errors = super().validate(case)
        if case.transfer_scope not in TransferScope.values:
            errors.append(rule("transfer_scope", "请选择转学范围", "第二十一条", field="transfer_scope"))
        elif case.transfer_scope == TransferScope.WITHIN:
            if not case.destination_school_id:
                errors.append(rule("transfer_destination", "请选择转入学校", "第二十二条", field="destination_school"))
            elif case.destination_school_id == case.school_id:
                errors.append(rule("transfer_same_school", "转入学校不能是原学校", "第二十二条",
                                   field="destination_school"))
        else:
            if not case.external_school or len(case.external_province or "") != 2 or case.external_province == "62":
                errors.append(rule("transfer_external", "请填写省外学校及其所在省份", "第二十一条",
                                   field="external_school"))
            if case.transfer_scope == TransferScope.INTO_PROVINCE:
                # The Gansu school receiving the student is both the case's school and its
                # destination, so the destination steps route to it and its authority.
                case.destination_school = case.school
                if case.student_id is None and not (case.details or {}).get("person"):
                    errors.append(rule("transfer_person", "省外转入须填写学生基本信息", "第二十二条", field="person_name"))
        return errors

    def check_eligibility(self, case):
        errors = []
        destination = case.destination_school
        if case.transfer_scope != TransferScope.INTO_PROVINCE:
            registration = case.registration
            status = registration.status
            if status == RegistrationStatus.SUSPENDED:
                errors.append(rule("transfer_during_suspension", "休学期间不予转学", ARTICLE))
            elif status != RegistrationStatus.ACTIVE:
                errors.append(rule("transfer_not_active", "学生不在籍在读,不能转学", "第二十二条"))
            errors += self._grade_rules(case, registration)
        elif self.destination_class(case) is None:
            errors.append(rule("transfer_destination_class", "请选择本校该学段的转入班级", "第十条",
                               field="destination_class"))
        if destination is not None:
            if case.stage == Stage.VOCATIONAL and not destination.offers(Stage.VOCATIONAL) \
                    and destination.offers(Stage.SENIOR):
                errors.append(rule("transfer_vocational_to_general", "职业高中学生不得转入普通高中就读", ARTICLE))
            elif not destination.offers(case.stage):
                errors.append(rule("transfer_destination_stage", "转入学校不设该学段", "第二十二条"))
            if case.transfer_scope == TransferScope.WITHIN:
                if case.stage == Stage.SENIOR and self._same_area(case.school, destination):
                    errors.append(rule("transfer_senior_same_area", "普通高中学生在同一城市城区内或本县范围内一般不予转学",
                                       ARTICLE, generally=True))
        return errors

    @staticmethod
    def _same_area(origin, destination):
        if origin.county_id == destination.county_id:
            return True
        both_urban = origin.county.name.endswith("区") and destination.county.name.endswith("区")
        return both_urban and origin.county.code[:4] == destination.county.code[:4]

    def _grade_rules(self, case, registration):
        """第二十六条 on the grade, always checked: the student lands in a class of their own
        cohort at the destination (第十条: the auxiliary number keeps the entry year)."""
        errors = []
        cohort = entry_cohort(registration)
        grade = grade_of(cohort, registration.stage, case.effective_on)
        if grade == 1:
            errors.append(rule("transfer_initial_grade", "初始年级一般不予转学", ARTICLE, generally=True))
        elif grade is not None and grade >= STAGE_YEARS[registration.stage]:
            errors.append(rule("transfer_graduating_grade", "毕业年级一般不予转学", ARTICLE, generally=True))
        if case.transfer_scope != TransferScope.WITHIN:
            return errors
        target = self.destination_class(case)
        if target is None:
            chosen = (case.details or {}).get("destination_class")
            message = ("所选转入班级不属于转入学校的该学段,请重新选择" if chosen
                       else "请选择转入学校的班级(与原年级相同的班级)")
            errors.append(rule("transfer_destination_class", message, "第十条", field="destination_class"))
        elif target.cohort != cohort:
            errors.append(rule("transfer_across_grades",
                               f"跨年级不予转学:学生为{cohort}级,转入班级为{target.cohort}级({target})", ARTICLE,
                               field="destination_class"))
        return errors

    @staticmethod
    def destination_class(case):
        """The class the case places the student in at the destination: the one accessor of
        that field, wherever the case keeps it."""
        class_id = (case.details or {}).get("destination_class")
        school = case.destination_school if case.transfer_scope != TransferScope.INTO_PROVINCE else case.school
        if not class_id or school is None or isinstance(class_id, bool) or not is_digits(str(class_id)):
            return None
        return SchoolClass.objects.filter(pk=class_id, school=school, stage=case.stage).first()

    def apply(self, case, *, acting_user):
        if case.transfer_scope == TransferScope.INTO_PROVINCE:
            return self._apply_in(case, acting_user)
        origin = open_registration(case)
        change_status(case, origin, RegistrationStatus.TRANSFERRED_OUT, acting_user=acting_user, cancel_number=True)
        student = Student.objects.select_for_update().get(pk=case.student_id)
        if case.transfer_scope == TransferScope.OUT_OF_PROVINCE:
            student.paper_archive_school = None
            student.save(update_fields=["paper_archive_school"])
            record(case, acting_user=acting_user, title=f"转学:转出至省外 {case.external_school}",
                   body="纸质档案由转出学校密封、盖章,学生本人携带转交转入学校")
            return
        destination = registration_open(
            acting_user=acting_user, student=student, school=case.destination_school, stage=case.stage,
            school_class=self.destination_class(case), started_on=case.effective_on,
            reason=f"转入({case.number})",
        )
        reissue_number(destination, acting_user=acting_user)
        student.paper_archive_school = case.destination_school
        student.save(update_fields=["paper_archive_school"])
        record(case, acting_user=acting_user, title=f"转学:{case.school.name} → {case.destination_school.name}",
               body="原学籍辅号注销,转入地重新编排;纸质档案密封、盖章后由学生携带转交转入学校",
               school=case.destination_school)

    def _apply_in(self, case, acting_user):
        school = case.school
        if case.student_id is None:
            person = dict(case.details["person"])
            (registration,) = students_register(
                acting_user=acting_user, school=school, stage=case.stage, started_on=case.effective_on,
                people=[NewStudent(data=_person_data(person), school_class=self.destination_class(case))],
                reason=f"省外转入({case.number})",
            )
            case.student = registration.student
            case.registration = registration
            case.save(update_fields=["student", "registration"])
        else:
            registration = registration_open(
                acting_user=acting_user, student=case.student, school=school, stage=case.stage,
                school_class=self.destination_class(case), started_on=case.effective_on,
                reason=f"省外转入({case.number})",
            )
            reissue_number(registration, acting_user=acting_user)
        student = registration.student
        student.paper_archive_school = school
        student.save(update_fields=["paper_archive_school"])
        record(case, acting_user=acting_user, student=student, title=f"转学:自省外 {case.external_school} 转入")


def _person_data(person):
    data = {k: v for k, v in person.items() if k in {"name", "gender", "birth_date", "id_number", "ethnicity",
                                                    "household_type", "native_place"}}
    if isinstance(data.get("birth_date"), str):
        data["birth_date"] = datetime.date.fromisoformat(data["birth_date"])
    return data

