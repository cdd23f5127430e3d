"""Excel intake of a registration case (第五、八、九、十一条): template round-trip, every row
checked on the server and reported on its row in the result workbook, duplicates against the
province and inside the file, and nothing written while a row is refused or undecided."""

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from openpyxl import load_workbook

from cases.errors import rule_errors
from cases.intake.workbook import COLUMNS, DATA_SHEET, HELP_SHEET, build_template, read_rows
from cases.models import Case, DuplicateDecision, school_year_of, IntakeStatus, Registration, RegistryLogEntry, Student
from cases.numbers.id_number import make_id_number
from cases.services.intake import duplicate_decide, intake_apply, intake_upload
from tests.case_types.helpers import open_case, registry_snapshot, submit_and_approve_all
from tests.factories import SchoolClassFactory, SchoolFactory, id_number_for, register_student

from .helpers import pupil, result_rows, upload_file, workbook_bytes

TODAY = timezone.localdate()
RECENTLY = TODAY - datetime.timedelta(days=7)
ADMITTED = datetime.date(2026, 9, 1)


@pytest.fixture
def school(db):
    return SchoolFactory(category="0", name="城关区第一小学")


def intake_case(world, school, effective_on=RECENTLY, with_class=True):
    """A registration case waiting for its list; its pupils join one class unless a row names
    another (``with_class=False``: no class chosen for the whole intake)."""
    details = {}
    if with_class:
        details["school_class"] = SchoolClassFactory(school=school, stage="primary", class_name="新生班",
                                                     cohort=school_year_of(effective_on)).pk
    return open_case(world, case_type="registration", school=school, stage="primary", effective_on=effective_on,
                     evidence=["household_register_or_id"], details=details)


def test_every_pupil_needs_a_class_the_rows_or_the_intakes(world, school):
    """第八条: nobody is registered without class and grade. Without a class chosen for the whole
    intake, a row that leaves the 班级 column empty is refused on its row; nothing is written."""
    SchoolClassFactory(school=school, stage="primary", cohort=school_year_of(RECENTLY), class_name="1班")
    case, registrar = intake_case(world, school, with_class=False)
    rows = [pupil("李明", school_class="1班"), pupil("马丽", gender="女")]
    upload = intake_upload(acting_user=registrar, case=case, uploaded_file=upload_file(workbook_bytes(rows)))
    assert upload.status == IntakeStatus.REFUSED
    results = result_rows(upload)
    assert results[2][0] == "通过"
    assert results[3][0] == "不予导入" and "班级不能为空" in results[3][1] and "第八条" in results[3][1]
    case.refresh_from_db()
    assert "people" not in case.details


def test_template_has_chinese_headers_drop_downs_and_instructions_and_round_trips(db):
    content = build_template(stage="primary", school_name="城关区第一小学", classes=["1班", "2班"],
                             counties=["兰州市城关区"])
    workbook = load_workbook(io.BytesIO(content))
    sheet = workbook[DATA_SHEET]
    assert [c.value for c in sheet[1]][:4] == ["姓名*", "性别*", "出生日期*", "公民身份号码"]
    ranges = {str(v.sqref).split(":")[0]: v.formula1 for v in sheet.data_validations.dataValidation}
    header = [str(c.value).rstrip("*") for c in sheet[1]]
    letter = lambda label: "ABCDEFGHIJKLMNOPQRSTU"[header.index(label)]  # noqa: E731
    for label in ("性别", "民族", "户口性质", "进城务工人员随迁子女", "留守儿童", "残疾类型", "班级", "户籍所在县(区)"):
        assert f"{letter(label)}2" in ranges, label
    help_text = "\n".join(str(c.value) for c in workbook[HELP_SHEET]["A"] if c.value)
    assert "第九条" in help_text and "第十一条" in help_text
    # Round trip: what is written under the headers is read back by key.
    row = pupil("张三", id_number=None, with_id=False, birth="2020-03-01", school_class="1班")
    assert read_rows(workbook_bytes([row], template=content)) == [
        (2, {**{c.key: "" for c in COLUMNS}, **{k: v for k, v in row.items() if v is not None}, "id_number": ""})]


def test_a_clean_file_fills_the_case_and_approval_registers_every_row(world, school):
    first = SchoolClassFactory(school=school, stage="primary", cohort=2026, class_name="1班")
    rows = [pupil(f"学生{i}", guardian1_name="家长", guardian1_relation="父亲", school_class="1班") for i in range(5)]
    rows.append(pupil("马丽", gender="女", with_id=False, household_type="无户籍"))
    case, registrar = intake_case(world, school)
    upload = intake_upload(acting_user=registrar, case=case, uploaded_file=upload_file(workbook_bytes(rows)))

    assert upload.status == IntakeStatus.APPLIED and upload.refused == upload.pending == 0
    assert set(v[0] for v in result_rows(upload).values()) == {"通过"}
    case.refresh_from_db()
    people = case.details["people"]
    assert [p["name"] for p in people] == [r["name"] for r in rows]
    assert people[0]["school_class"] == first.pk and people[0]["guardians"][0]["relation"] == "父亲"
    submit_and_approve_all(world, case, registrar)
    assert Registration.objects.filter(school=school).count() == 6
    # 马丽's row named no class: she joins the class chosen for the whole intake.
    assert Registration.objects.get(student__name="马丽").school_class_id == case.details["school_class"]
    assert Registration.objects.filter(school=school, school_class=first).count() == 5
    assert Student.objects.get(name="马丽").registry_number.startswith("L")


def test_every_kind_of_error_is_reported_on_its_own_row_in_2000_rows_and_nothing_is_written(
        world, school, django_capture_on_commit_callbacks):
    existing = register_student(school=SchoolFactory(category="0"), stage="primary", name="王芳", gender="F",
                                birth_date=datetime.date(2019, 6, 1), with_id=False).student
    taken = register_student(school=SchoolFactory(category="0"), stage="primary", birth_date=datetime.date(2019, 1, 5),
                             name="赵强").student
    good_id, born = id_number_for(datetime.date(2019, 2, 1), "M")
    planted = {
        10: ({"name": ""}, "required", "姓名不能为空(第八条)"),
        20: ({"gender": "未知"}, "gender_invalid", "性别应为“男”或“女”(第八条)"),
        30: ({"birth_date": "2019-13-40"}, "birth_date_invalid", "出生日期格式应为 YYYY-MM-DD(第八条)"),
        40: ({"id_number": good_id[:-1] + ("0" if good_id[-1] != "0" else "1"), "birth_date": born.isoformat()},
             "id_checksum", "第十一条"),
        50: ({"id_number": make_id_number("620102", datetime.date(2019, 4, 4), 12), "birth_date": "2019-04-05"},
             "id_birth_date_mismatch", "第十一条"),
        60: ({"id_number": make_id_number("620102", datetime.date(2019, 4, 6), 13), "birth_date": "2019-04-06"},
             "id_gender_mismatch", "第十一条"),
        70: ({"id_number": make_id_number("620102", datetime.date(2023, 1, 1), 14), "birth_date": "2023-01-01"},
             "age_implausible", "年龄与学段不符"),
        80: ({"id_number": "12345"}, "id_length", "应为18位"),
        90: ({"id_number": None, "household_type": "农业户口"}, "id_required", "第九条"),
        100: ({"ethnicity": "火星族"}, "ethnicity_invalid", "不在民族列表中"),
        110: ({"household_type": "城市"}, "household_type_invalid", "户口性质"),
        120: ({"is_migrant": "也许"}, "flag_invalid", "进城务工人员随迁子女应填“是”或“否”"),
        130: ({"school_class": "99班"}, "class_unknown", "不是本校该学段的班级"),
        140: ({"guardian1_name": "只有姓名"}, "guardian_incomplete", "第十二条"),
        150: ({"id_number": taken.id_number, "name": "赵强", "gender": "男",
               "birth_date": taken.birth_date.isoformat()}, "duplicate_person", "应办理转学"),
        160: ({"name": "王芳", "gender": "女", "birth_date": "2019-06-01", "id_number": None,
               "household_type": "无户籍"}, "duplicate_suspected", "疑似重复"),
        170: ({"disability": "超能力"}, "disability_invalid", "残疾类型"),
        180: ({"household_county": "火星县"}, "county_unknown", "户籍所在县"),
    }
    rows = []
    for index in range(2000):
        row = pupil(f"学生{index}", gender="男" if index % 2 else "女")
        if index in planted:
            row.update({k: v for k, v in planted[index][0].items()})
            row = {k: v for k, v in row.items() if v is not None}
        rows.append(row)
    rows[1999] = dict(rows[5], name=rows[5]["name"])  # the same person twice in the file
    case, registrar = intake_case(world, school)
    before = registry_snapshot()
    with django_capture_on_commit_callbacks(execute=True):  # 2,000 rows: checked by the background task
        upload = intake_upload(acting_user=registrar, case=case, uploaded_file=upload_file(workbook_bytes(rows)))
    upload.refresh_from_db()

    by_row = {r["row"]: r for r in upload.rows}
    for index, (_, code, text) in planted.items():
        outcome = by_row[index + 2]  # Excel row = index + 2 (header is row 1)
        assert code in [e["code"] for e in outcome["errors"]], (index, outcome["errors"])
        assert text in result_rows(upload)[index + 2][1], (index, result_rows(upload)[index + 2])
    assert [e["code"] for e in by_row[2001]["errors"]] == ["duplicate_in_file"]
    assert "与第7行" in by_row[2001]["errors"][0]["message"]
    assert by_row[152]["matches"][0]["student"] == taken.pk
    assert by_row[162]["status"] == "pending" and by_row[162]["matches"][0]["student"] == existing.pk
    flagged = set(planted) | {1999}
    assert all(by_row[i + 2]["status"] == "ok" for i in range(2000) if i not in flagged)
    assert upload.status == IntakeStatus.PENDING and upload.refused == len(flagged) - 1 and upload.pending == 1
    statuses = result_rows(upload)
    assert len(statuses) == 2000 and statuses[2][0] == "通过" and statuses[12][0] == "不予导入"
    assert statuses[162][0] == "待裁定"
    case.refresh_from_db()
    assert "people" not in case.details  # nothing reaches the case
    assert registry_snapshot() == before


def test_a_refused_row_writes_nothing_until_the_registrar_decides(world, school):
    existing = register_student(school=SchoolFactory(category="0"), stage="primary", name="张伟", gender="M",
                                birth_date=datetime.date(2019, 6, 1), with_id=False).student
    rows = [pupil("李明"), pupil("张玮", with_id=False, household_type="无户籍", birth="2019-06-01"),
            pupil("王五")]
    case, registrar = intake_case(world, school)
    upload = intake_upload(acting_user=registrar, case=case, uploaded_file=upload_file(workbook_bytes(rows)))
    assert upload.status == IntakeStatus.PENDING
    with pytest.raises(ValidationError) as info:
        intake_apply(acting_user=registrar, upload=upload)
    assert rule_errors(info.value)[0]["code"] == "intake_not_ready"
    case.refresh_from_db()
    assert "people" not in case.details

    with pytest.raises(ValidationError):  # a decision needs a reason
        duplicate_decide(acting_user=registrar, upload=upload, row=3, existing_id=existing.pk, verdict="different",
                         reason=" ")
    other_school_user = world.school_user(SchoolFactory(category="0"))
    with pytest.raises(PermissionDenied):
        duplicate_decide(acting_user=other_school_user, upload=upload, row=3, existing_id=existing.pk,
                         verdict="different", reason="不同人")
    upload = duplicate_decide(acting_user=registrar, upload=upload, row=3, existing_id=existing.pk,
                              verdict="different", reason="家长户口簿核实,父母姓名不同")
    assert upload.status == IntakeStatus.APPLIED  # every row now passes: the case is filled
    case.refresh_from_db()
    assert [p["name"] for p in case.details["people"]] == ["李明", "张玮", "王五"]
    decision = DuplicateDecision.objects.get()
    assert decision.verdict == "different" and decision.scope_code == case.scope_code
    assert RegistryLogEntry.objects.filter(action="xueji.duplicate.decide", object_id=str(case.pk)).exists()
    # The case's own check honours the decision, and approval registers the homophone.
    case, _ = submit_and_approve_all(world, case, registrar)
    assert Student.objects.filter(name="张玮").exists() and Student.objects.filter(name="张伟").count() == 1


def test_same_person_verdict_refuses_the_row_pointing_to_a_transfer_and_the_rest_is_imported_on_request(
        world, school):
    existing = register_student(school=SchoolFactory(category="0", name="七里河小学"), stage="primary", name="张伟",
                                gender="M", birth_date=datetime.date(2019, 6, 1), with_id=False).student
    rows = [pupil("李明"), pupil("张伟", with_id=False, household_type="无户籍", birth="2019-06-01")]
    case, registrar = intake_case(world, school)
    upload = intake_upload(acting_user=registrar, case=case, uploaded_file=upload_file(workbook_bytes(rows)))
    upload = duplicate_decide(acting_user=registrar, upload=upload, row=3, existing_id=existing.pk, verdict="same",
                              reason="同一人,家长确认曾在七里河小学就读")
    assert upload.status == IntakeStatus.REFUSED
    text = result_rows(upload)[3]
    assert text[0] == "不予导入" and "七里河小学" in text[1] and "转学" in text[1] and "第十一条" in text[1]
    case.refresh_from_db()
    assert "people" not in case.details
    intake_apply(acting_user=registrar, upload=upload)
    case.refresh_from_db()
    assert [p["name"] for p in case.details["people"]] == ["李明"]


def test_large_files_run_as_a_background_task_with_progress(world, school, django_capture_on_commit_callbacks):
    rows = [pupil(f"学生{i}") for i in range(400)]
    case, registrar = intake_case(world, school)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        upload = intake_upload(acting_user=registrar, case=case, uploaded_file=upload_file(workbook_bytes(rows)))
    assert upload.status == IntakeStatus.QUEUED and upload.done == 0 and upload.total == 400
    for callback in callbacks:
        callback()  # the immediate backend runs the task here, as a worker would
    upload.refresh_from_db()
    assert upload.status == IntakeStatus.APPLIED and upload.done == 400
    case.refresh_from_db()
    assert len(case.details["people"]) == 400


def test_bad_files_are_refused_in_chinese_and_write_nothing(world, school):
    case, registrar = intake_case(world, school)
    for content, code in ((b"not an excel file", "intake_file_invalid"), (workbook_bytes([]), "intake_file_empty")):
        with pytest.raises(ValidationError) as info:
            intake_upload(acting_user=registrar, case=case, uploaded_file=upload_file(content))
        assert rule_errors(info.value)[0]["code"] == code
    assert not case.intake_uploads.exists()
    deferral, _ = open_case(world, case_type="deferred_registration", school=school, stage="primary",
                            effective_on=RECENTLY, details={"name": "李明", "id_number": id_number_for(
                                datetime.date(2019, 3, 1))[0], "new_deadline": TODAY.isoformat()})
    with pytest.raises(ValidationError) as info:
        intake_upload(acting_user=registrar, case=deferral, uploaded_file=upload_file(workbook_bytes([pupil()])))
    assert rule_errors(info.value)[0]["code"] == "intake_case_type"
    with pytest.raises(PermissionDenied):  # another school's registrar
        intake_upload(acting_user=world.school_user(SchoolFactory(category="0")), case=case,
                      uploaded_file=upload_file(workbook_bytes([pupil()])))
    assert not Case.objects.get(pk=case.pk).intake_uploads.exists()
