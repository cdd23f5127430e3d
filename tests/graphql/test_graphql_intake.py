"""The Excel intake and the duplicate workbench through the API (第八、十一条): the template and
the result workbook by URL, the upload as a GraphQL multipart request, every row's outcome, the
registrar's decision with its reason; in scope, out of scope (``not_found``), refused rules with
their article, nothing written on refusal, and constant query counts."""

import datetime
import io

import pytest
from django.utils import timezone
from graphql_relay import to_global_id
from openpyxl import load_workbook

from cases.models import DuplicateDecision, IntakeUpload, RegistryLogEntry, Role, school_year_of
from tests.case_types.helpers import open_case, registry_snapshot
from tests.factories import SchoolClassFactory, SchoolFactory, id_number_for, register_student
from tests.graphql.kit import Api, data_of, queries_for, upload
from tests.intake.helpers import pupil, workbook_bytes

ERRORS = "errors { field code message article }"
UPLOAD = f"""mutation($case: ID!, $file: Upload!) {{ uploadIntake(caseId: $case, file: $file) {{
  result {{ id status total done refused pending resultUrl case {{ number }}
           rows {{ row status statusLabel name errors {{ code message article }} }}
           duplicates {{ row name birthDate existingStudentId existingName existingRegistryNumber where reason verdict
                        decidable }} }}
  {ERRORS} }} }}"""
DECIDE = f"""mutation($upload: ID!, $row: Int!, $existing: ID!, $verdict: DuplicateVerdict!, $reason: String!) {{
  decideDuplicate(uploadId: $upload, row: $row, existingStudentId: $existing, verdict: $verdict, reason: $reason) {{
    result {{ status refused pending duplicates {{ row verdict decidable }} }} {ERRORS} }} }}"""
APPLY = f"""mutation($upload: ID!) {{ applyIntake(uploadId: $upload) {{ result {{ status }} {ERRORS} }} }}"""
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
RECENTLY = timezone.localdate() - datetime.timedelta(days=7)


@pytest.fixture
def intake(world, places):
    """A primary school of 城关区 with a registration case waiting for its Excel list, and a
    pupil already registered elsewhere in the county, without an ID number (张伟, 2019-06-01)."""
    school = SchoolFactory(category="0", county=places["county"], name="城关区第一小学")
    existing = register_student(school=SchoolFactory(category="0", county=places["county"], name="城关区第二小学"),
                                stage="primary", name="张伟", gender="M", birth_date=datetime.date(2019, 6, 1),
                                with_id=False).student
    # The pupils join one class chosen for the whole intake (第八条: nobody without a class).
    new_class = SchoolClassFactory(school=school, stage="primary", class_name="新生班", cohort=school_year_of(RECENTLY))
    case, registrar = open_case(world, case_type="registration", school=school, stage="primary",
                                effective_on=RECENTLY, evidence=["household_register_or_id"],
                                details={"school_class": new_class.pk})
    return {"school": school, "case": case, "registrar": registrar, "existing": existing,
            "county": world.authority_user(places["county"], role=Role.REVIEWER),
            "outsider": world.school_user(places["other_county_school"]),
            "other_county": world.authority_user(places["other_city"], role=Role.REVIEWER)}


def file_of(rows):
    return {"file": ("新生名单.xlsx", workbook_bytes(rows), XLSX)}


def send(api, case, rows):
    return data_of(upload(api, UPLOAD, {"case": to_global_id("Case", case.pk)}, file_of(rows)))["uploadIntake"]


def written(case):
    case.refresh_from_db()
    return (IntakeUpload.objects.count(), DuplicateDecision.objects.count(), case.details,
            RegistryLogEntry.objects.count(), registry_snapshot())


def download(api, url):
    response = api.client.get(url, **({"HTTP_AUTHORIZATION": f"Bearer {api.token}"} if api.token else {}))
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return response.status_code, content


def test_template_and_upload_in_scope_out_of_scope_and_refused(intake, world):
    case, registrar = intake["case"], Api(intake["registrar"], token=True)
    url = registrar.data("query($id: ID!) { case(id: $id) { intakeTemplateUrl } }",
                         {"id": to_global_id("Case", case.pk)})["case"]["intakeTemplateUrl"]
    status, content = download(registrar, url)
    assert status == 200 and [c.value for c in load_workbook(io.BytesIO(content))["新生名单"][1]][:2] == ["姓名*", "性别*"]
    for stranger in (Api(intake["outsider"], token=True), Api(intake["other_county"], token=True)):
        assert download(stranger, url)[0] == 404  # as for a missing case
    assert download(registrar, url.replace(str(case.pk), str(case.pk + 999)))[0] == 404

    deferral, _ = open_case(world, case_type="deferred_registration", school=intake["school"], stage="primary",
                            effective_on=RECENTLY, details={"name": "李明", "id_number": id_number_for(
                                datetime.date(2019, 3, 1))[0], "new_deadline": timezone.localdate().isoformat()})
    before = written(case)
    # Out of scope: a school of another county, an authority of another city: as for a missing case.
    for stranger in ("outsider", "other_county"):
        answer = send(Api(intake[stranger], token=True), case, [pupil("李明")])
        assert answer == {"result": None, "errors": [
            {"field": "caseId", "code": "not_found", "message": "对象不存在或无权访问", "article": ""}]}
    # The county sees the case but does not fill a school's intake (as in the admin).
    assert [e["code"] for e in send(Api(intake["county"], token=True), case, [pupil("李明")])["errors"]] == [
        "permission_denied"]
    # Only a registration case takes a list (第八条); a file that is not a workbook is refused.
    refused = send(registrar, deferral, [pupil("李明")])
    assert refused["result"] is None
    assert [(e["code"], e["article"]) for e in refused["errors"]] == [("intake_case_type", "第八条")]
    bad = data_of(upload(registrar, UPLOAD, {"case": to_global_id("Case", case.pk)},
                         {"file": ("名单.xlsx", b"PK\x03\x04 not really", XLSX)}))["uploadIntake"]
    assert [(e["field"], e["code"]) for e in bad["errors"]] == [("file", "intake_file_invalid")]
    no_file = registrar.data("""mutation($case: ID!, $file: Upload!) { uploadIntake(caseId: $case, file: $file) {
        result { id } errors { field code } } }""", {"case": to_global_id("Case", case.pk), "file": "x"})["uploadIntake"]
    assert no_file["errors"] == [{"field": "file", "code": "intake_file_required"}]
    assert written(case) == before


def test_rows_duplicates_decisions_and_apply(intake):
    case, existing = intake["case"], intake["existing"]
    registrar, county = Api(intake["registrar"], token=True), Api(intake["county"])
    rows = [pupil("李明"), pupil("张玮", with_id=False, household_type="无户籍", birth="2019-06-01"),
            pupil("王五", gender="未知")]
    answer = send(registrar, case, rows)
    assert answer["errors"] == []
    result = answer["result"]
    assert (result["status"], result["total"], result["done"], result["refused"], result["pending"]) == (
        "PENDING", 3, 3, 1, 1)
    assert [(r["row"], r["status"], r["name"]) for r in result["rows"]] == [
        (2, "OK", "李明"), (3, "PENDING", "张玮"), (4, "REFUSED", "王五")]
    assert [(e["code"], e["article"]) for e in result["rows"][2]["errors"]] == [("gender_invalid", "第八条")]
    assert result["rows"][1]["errors"][0]["code"] == "duplicate_suspected"
    existing_id = to_global_id("Student", existing.pk)
    assert result["duplicates"] == [{
        "row": 3, "name": "张玮", "birthDate": "2019-06-01", "existingStudentId": existing_id, "existingName": "张伟",
        "existingRegistryNumber": existing.registry_number, "where": "城关区第二小学(在籍在读)",
        "reason": "SIMILAR_NAME_GENDER_BIRTH", "verdict": None, "decidable": True}]
    upload_id = result["id"]
    # The result workbook: each row's outcome and reasons, by URL (scoped).
    status, content = download(registrar, result["resultUrl"])
    sheet = load_workbook(io.BytesIO(content))["新生名单"]
    header = [c.value for c in sheet[1]]
    assert status == 200 and [r[header.index("导入结果")] for r in sheet.iter_rows(min_row=2, max_row=4,
                                                                                 values_only=True)] == [
        "通过", "待裁定", "不予导入"]
    assert download(Api(intake["other_county"], token=True), result["resultUrl"])[0] == 404
    one = county.data("""query($id: ID!) { node(id: $id) { ... on IntakeUpload {
        rows(status: REFUSED) { row } pending: duplicates(undecided: true) { row } } } }""", {"id": upload_id})["node"]
    assert one == {"rows": [{"row": 4}], "pending": [{"row": 3}]}
    assert Api(intake["other_county"]).data("query($id: ID!) { node(id: $id) { id } }", {"id": upload_id}) == {
        "node": None}

    before = written(case)
    assert "people" not in before[2]  # nothing reaches the case while a row waits
    assert [(e["code"], e["article"]) for e in registrar.data(APPLY, {"upload": upload_id})["applyIntake"][
        "errors"]] == [("intake_not_ready", "第十一条")]
    decision = {"upload": upload_id, "row": 3, "existing": existing_id, "verdict": "DIFFERENT",
                "reason": "家长户口簿核实,父母姓名不同"}
    assert Api(intake["outsider"]).data(DECIDE, decision)["decideDuplicate"]["errors"][0]["code"] == "not_found"
    assert county.data(DECIDE, decision)["decideDuplicate"]["errors"][0]["code"] == "permission_denied"
    blank = registrar.data(DECIDE, {**decision, "reason": " "})["decideDuplicate"]
    assert [(e["field"], e["code"], e["article"]) for e in blank["errors"]] == [
        ("reason", "duplicate_reason_required", "第十一条")]
    assert registrar.data(DECIDE, {**decision, "row": 2})["decideDuplicate"]["errors"][0]["code"] == \
        "duplicate_not_found"
    assert registrar.data(DECIDE, {**decision, "existing": "bm90LWFuLWlk"})["decideDuplicate"]["errors"][0] == {
        "field": "existingStudentId", "code": "invalid_id", "message": "无效的ID", "article": ""}
    assert written(case) == before

    decided = registrar.data(DECIDE, decision)["decideDuplicate"]
    assert decided["errors"] == [] and decided["result"]["pending"] == 0
    assert decided["result"]["duplicates"] == [{"row": 3, "verdict": "DIFFERENT", "decidable": False}]
    assert decided["result"]["status"] == "REFUSED"  # 王五 is still refused: the registrar imports the rest
    again = registrar.data(DECIDE, decision)["decideDuplicate"]["errors"]
    assert [e["code"] for e in again] == ["duplicate_already_decided"]
    assert registrar.data(APPLY, {"upload": upload_id})["applyIntake"] == {"result": {"status": "APPLIED"},
                                                                           "errors": []}
    case.refresh_from_db()
    assert [p["name"] for p in case.details["people"]] == ["李明", "张玮"]

    listed = """{ duplicateDecisions { edges { node { row name verdict reason case { number } existing { name }
        decidedBy { username } upload { id } } } } }"""
    seen = county.data(listed)["duplicateDecisions"]["edges"]
    assert [e["node"]["verdict"] for e in seen] == ["DIFFERENT"] and seen[0]["node"]["existing"] == {"name": "张伟"}
    assert seen[0]["node"]["reason"] == "家长户口簿核实,父母姓名不同"
    assert Api(intake["other_county"]).data(listed)["duplicateDecisions"]["edges"] == []
    assert Api(intake["outsider"]).data(listed)["duplicateDecisions"]["edges"] == []


def test_an_id_number_match_cannot_be_decided_it_is_a_transfer(intake):
    case, registrar = intake["case"], Api(intake["registrar"])
    taken = register_student(school=SchoolFactory(category="0", county=intake["school"].county), stage="primary",
                             birth_date=datetime.date(2019, 1, 5), name="赵强").student
    row = pupil("赵强", birth=taken.birth_date.isoformat(), with_id=False, id_number=taken.id_number)
    result = send(registrar, case, [row])["result"]
    assert result["status"] == "REFUSED" and result["duplicates"][0]["reason"] == "SAME_ID_NUMBER"
    assert result["duplicates"][0]["decidable"] is False
    assert [(e["code"], e["article"]) for e in result["rows"][0]["errors"]] == [("duplicate_person", "第十一条")]
    before = written(case)
    refused = registrar.data(DECIDE, {"upload": result["id"], "row": 2, "existing": to_global_id("Student", taken.pk),
                                      "verdict": "DIFFERENT", "reason": "不是同一人"})["decideDuplicate"]
    assert [e["code"] for e in refused["errors"]] == ["duplicate_already_decided"]
    assert written(case) == before


def test_intake_uploads_cost_the_same_queries_for_one_and_many(intake):
    case, registrar = intake["case"], Api(intake["registrar"])
    rows = [pupil(f"学生{n}") for n in range(3)] + [pupil("张玮", with_id=False, household_type="无户籍",
                                                            birth="2019-06-01")]
    for _ in range(3):
        send(registrar, case, rows)
    query = """{ intakeUploads(first: %d) { edges { node { id status total resultUrl
        createdBy { username } case { number school { name } }
        rows { row status errors { code article } } duplicates { row existingName verdict } } } } }"""
    one, data = queries_for(registrar, query % 1)
    many, data = queries_for(registrar, query % 3)
    assert len(data["intakeUploads"]["edges"]) == 3 and one == many


def test_duplicate_decisions_cost_the_same_queries_for_one_and_many(intake):
    case, registrar = intake["case"], Api(intake["registrar"])
    county = intake["school"].county
    homophones = [("张伟", "张玮", "M"), ("李娜", "李纳", "F"), ("王芳", "王方", "F")]
    for existing, _, gender in homophones[1:]:
        register_student(school=SchoolFactory(category="0", county=county), stage="primary", name=existing,
                         gender=gender, birth_date=datetime.date(2019, 6, 1), with_id=False)
    rows = [pupil(new, gender="男" if gender == "M" else "女", with_id=False, household_type="无户籍",
                  birth="2019-06-01") for _, new, gender in homophones]
    result = send(registrar, case, rows)["result"]
    assert result["pending"] == 3
    for duplicate in result["duplicates"]:
        decided = registrar.data(DECIDE, {"upload": result["id"], "row": duplicate["row"],
                                          "existing": duplicate["existingStudentId"], "verdict": "DIFFERENT",
                                          "reason": "核实户口簿,不是同一人"})["decideDuplicate"]
        assert decided["errors"] == []
    assert decided["result"]["status"] == "APPLIED"
    query = """{ duplicateDecisions(first: %d) { edges { node { row name verdict reason decidedAt
        decidedBy { username } case { number school { name } } upload { status } existing { name registryNumber } } } } }"""
    one, _ = queries_for(Api(intake["county"]), query % 1)
    many, data = queries_for(Api(intake["county"]), query % 3)
    assert len(data["duplicateDecisions"]["edges"]) == 3 and one == many
    assert {e["node"]["existing"]["name"] for e in data["duplicateDecisions"]["edges"]} == {"张伟", "李娜", "王芳"}
