"""随班就读/特殊教育安置 Placement between a special-education school and an ordinary school
(第十八条, 第五条, 第十一条).

A special-education student joining an ordinary school's classes (随班就读), or a disabled
student of an ordinary school moving to a special-education school: the registration may move
to the new school ("move", handled like a transfer: origin closed, a new registration and a
new auxiliary number at the destination, the paper archive follows) or stay at the original
school ("stay": the archive records where the student now studies). Ordinary schools may take
in such students without transfer formalities (第十一条), so there is no destination step.
"""

from cases.models import RegistrationStatus, SchoolClass, Stage, Student
from cases.services.registrations import registration_open

from . import register
from . import fields as f
from .base import AUTHORITY_APPROVAL, SCHOOL_REVIEW, STAGE, CaseType, effective_on, rule
from .fields import Field
from .effects import change_status, open_registration, record, reissue_number

ARTICLE = "第十八条"
MODES = {"move": "学籍转入新学校", "stay": "学籍保留在原学校"}


def mode(case):
    return (case.details or {}).get("mode")


def destination_stage(case):
    """The stage of the registration at the destination: special at a special-education
    school; at an ordinary school the stage named in ``details`` (a special-education student
    joins primary or junior classes), else the student's own."""
    if case.destination_school_id and case.destination_school.is_special_education:
        return Stage.SPECIAL
    chosen = (case.details or {}).get("destination_stage")
    if chosen:
        return chosen
    return case.stage if case.stage != Stage.SPECIAL else None


def destination_class(case):
    class_id = (case.details or {}).get("destination_class")
    if not class_id or not case.destination_school_id:
        return None
    return SchoolClass.objects.filter(pk=class_id, school=case.destination_school,
                                      stage=destination_stage(case)).first()


def placement_label(case):
    return "转入特殊教育学校就读" if case.destination_school.is_special_education else "转入普通学校随班就读"


@register
class SpecialPlacement(CaseType):
    code = "special_placement"
    name = "随班就读/特殊教育安置"
    articles = ("第十八条", "第五条", "第十一条")
    steps = (SCHOOL_REVIEW, AUTHORITY_APPROVAL)
    evidence = {}
    fields = (
        effective_on("安置日期", article=ARTICLE),
        Field("mode", f.CHOICE, "学籍处理方式", "", ARTICLE, required=True, choices=tuple(MODES.items())),
        Field("destination_school", f.SCHOOL, "安置学校", "特殊教育学校与普通学校之间安置", ARTICLE, required=True,
              column=True),
        Field("destination_stage", f.CHOICE, "安置学段", "转入普通学校随班就读时选择学段,默认为原学段", ARTICLE,
              choices=STAGE.choices),
        Field("destination_class", f.SCHOOL_CLASS, "安置班级", "学籍转入新学校时必选:安置学校该学段的班级", ARTICLE,
              required=lambda case: mode(case) == "move", within="destination_school"),
    )

    def validate(self, case):
        errors = super().validate(case)
        if mode(case) not in MODES:
            errors.append(rule("placement_mode", "请选择学籍转入新学校或保留在原学校", ARTICLE, field="mode"))
        if not case.destination_school_id:
            errors.append(rule("placement_destination", "请选择安置学校", ARTICLE, field="destination_school"))
        elif case.destination_school_id == case.school_id:
            errors.append(rule("placement_same_school", "安置学校不能是原学校", ARTICLE, field="destination_school"))
        elif (case.details or {}).get("destination_class") and destination_class(case) is None:
            errors.append(rule("placement_class", "所选班级不属于安置学校的该学段", ARTICLE, field="destination_class"))
        return errors

    def check_eligibility(self, case):
        errors = []
        if self.registration_status(case) != RegistrationStatus.ACTIVE:
            errors.append(rule("placement_not_active", "学生不在籍在读,不能办理安置", ARTICLE))
        destination = case.destination_school
        if destination is not None and case.school.is_special_education == destination.is_special_education:
            errors.append(rule("placement_school_categories", "安置须在特殊教育学校与普通学校之间进行", ARTICLE))
        if not case.student.disability:
            errors.append(rule("placement_no_disability", "学生未登记残疾类型,不适用随班就读或特殊教育安置", ARTICLE))
        if mode(case) == "move" and destination is not None:
            stage = destination_stage(case)
            if stage not in Stage.values or not destination.offers(stage):
                errors.append(rule("placement_destination_stage", "安置学校不设该学段,请选择学段", ARTICLE))
            elif destination_class(case) is None:
                # The registration moves: the student joins a class there, and so has a grade.
                errors.append(rule("placement_class_required", "学籍转入安置学校的,请选择安置学校该学段的班级", ARTICLE,
                                   field="destination_class"))
        return errors

    def apply(self, case, *, acting_user):
        if mode(case) == "stay":
            record(case, acting_user=acting_user, title=f"{placement_label(case)}:{case.destination_school.name}",
                   body=f"残疾类型:{case.student.get_disability_display()}。在{case.destination_school.name}就读,"
                        f"学籍及学籍辅号保留在{case.school.name}(第十八条)。")
            return
        origin = open_registration(case)
        change_status(case, origin, RegistrationStatus.TRANSFERRED_OUT, acting_user=acting_user, cancel_number=True)
        student = Student.objects.select_for_update().get(pk=case.student_id)
        registration = registration_open(
            acting_user=acting_user, student=student, school=case.destination_school, stage=destination_stage(case),
            school_class=destination_class(case), started_on=case.effective_on,
            reason=f"{self.name}转入({case.number})",
        )
        reissue_number(registration, acting_user=acting_user)
        student.paper_archive_school = case.destination_school
        student.save(update_fields=["paper_archive_school"])
        record(case, acting_user=acting_user, school=case.destination_school,
               title=f"{placement_label(case)}:{case.school.name} → {case.destination_school.name}",
               body=f"残疾类型:{student.get_disability_display()}。学籍转入安置学校,原学籍辅号注销,"
                    "由学籍主管部门重新编排;纸质档案转交安置学校。")
