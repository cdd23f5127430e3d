"""API parity with the admin (docs/api.md §5): every admin action has a mutation; each new
mutation works in scope, answers ``not_found`` out of scope, refuses a broken rule with a typed
error citing its article, and writes nothing when it refuses."""

import datetime
import re
from pathlib import Path

from graphql_relay import to_global_id

from cases.models import (
    ArchiveEntry,
    Certificate,
    Jurisdiction,
    PrintJob,
    Registration,
    RegistryLogEntry,
    Role,
    SchoolClass,
    StaffProfile,
)
from graphql_api.schema import schema
from tests.factories import SchoolClassFactory, register_student, staff_user
from tests.graphql.admin_actions import admin_actions
from tests.graphql.kit import Api

API_MD = Path(__file__).resolve().parents[2] / "docs" / "api.md"
ERRORS = "errors { field code message article }"


def gid(type_name, obj):
    return to_global_id(type_name, obj.pk)


# Admin URLs with no GraphQL counterpart, each with its reason written in docs/api.md §5; none
# is an action: the page explaining that users are never deleted, the case form's live check
# (writes nothing; the mutations check the same rules) and the two-factor sign-in step (a
# session's, before any API call). A new admin action missing from the API fails the test until
# it is either given a mutation or listed here with a reason.
NOT_IN_API = {"xueji_user_delete_refused", "case:check", "xueji_otp"}


def table():
    """{admin code: [GraphQL names]} from the table of docs/api.md §5 (empty for a row "— …")."""
    text = API_MD.read_text(encoding="utf-8")
    section = text.split("## 5.", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 3 or not cells[1].startswith("`"):
            continue
        names = [] if cells[2].startswith("—") else re.findall(r"`([^`]+)`", cells[2])
        for code in re.findall(r"`([^`]+)`", cells[1]):
            rows[code] = names
    return rows


def exists_in_schema(name):
    graphql_schema = schema.graphql_schema
    if "." in name:
        type_name, field = name.split(".")
        found = graphql_schema.get_type(type_name)
        return found is not None and field in found.fields
    return name in graphql_schema.mutation_type.fields or name in graphql_schema.query_type.fields


def test_every_admin_action_has_a_mutation_listed_in_docs_api_md(db):
    rows = table()
    actions = admin_actions()
    assert {"case:add", "bulk:place_in_class", "staffprofile:password", "xueji_certificate_issue"} <= set(actions)
    missing = sorted(set(actions) - set(rows))
    assert missing == [], f"admin actions missing from docs/api.md §5: {missing}"
    assert {code for code, names in rows.items() if not names} == NOT_IN_API
    assert {"xueji_rosters", "xueji_statistics", "jobrun:approve", "xueji_intake_decide"} <= set(actions)
    for code, names in rows.items():
        unknown = [n for n in names if not exists_in_schema(n)]
        assert unknown == [], f"{code}: not in the schema: {unknown}"
    for code, kind in actions.items():
        if kind == "write" and code not in NOT_IN_API:  # a write is done by a mutation, not only read
            assert any(n in schema.graphql_schema.mutation_type.fields for n in rows[code]), code


# --- certificates -----------------------------------------------------------------------------
ISSUE = f"""mutation($student: ID!, $kind: CertificateKind!, $replaces: ID, $reason: String) {{
  issueCertificate(studentId: $student, kind: $kind, replacesId: $replaces, replacementReason: $reason) {{
    result {{ id serial checkCode kind downloadUrl verifyUrl isRevoked }} {ERRORS} }} }}"""
REVOKE = f"""mutation($id: ID!, $kind: RevokeKind!, $reason: String!) {{ revokeCertificate(id: $id, kind: $kind, reason: $reason) {{
  result {{ id isRevoked revokeKind revokeReason }} {ERRORS} }} }}"""


def certificate_rows(student):
    return (list(Certificate.objects.filter(student=student).values()),
            list(ArchiveEntry.objects.filter(student=student).values()))


def test_issue_and_revoke_certificates_in_scope_out_of_scope_and_refused(people, pupil):
    county, registrar = Api(people["county"]), Api(people["registrar"])
    student = gid("Student", pupil.student)
    card = county.data(ISSUE, {"student": student, "kind": "STUDENT_CARD"})["issueCertificate"]
    assert card["errors"] == [] and card["result"]["kind"] == "STUDENT_CARD"
    assert card["result"]["downloadUrl"].startswith("/graphql/certificates/")
    # Out of scope: another city's county answers exactly as for a missing student.
    outsider = Api(people["other_city_county"]).data(ISSUE, {"student": student, "kind": "STUDENT_CARD"})
    assert outsider["issueCertificate"] == {"result": None, "errors": [
        {"field": "studentId", "code": "not_found", "message": "对象不存在或无权访问", "article": ""}]}
    # A broken rule: a diploma for an active student (第三十四条); nothing written.
    before = certificate_rows(pupil.student)
    refused = county.data(ISSUE, {"student": student, "kind": "DIPLOMA"})["issueCertificate"]
    assert refused["result"] is None
    assert [(e["code"], e["article"], e["field"]) for e in refused["errors"]] == [
        ("certificate_status", "第三十四条", "kind")]
    assert certificate_rows(pupil.student) == before
    # Revoking: a school may not (the admin's change permission); a reason is required.
    card_id = card["result"]["id"]
    assert registrar.data(REVOKE, {"id": card_id, "kind": "LOST", "reason": "遗失"})["revokeCertificate"][
        "errors"][0]["code"] == "permission_denied"
    blank = county.data(REVOKE, {"id": card_id, "kind": "LOST", "reason": " "})["revokeCertificate"]
    assert [e["code"] for e in blank["errors"]] == ["certificate_revoke_reason"]
    assert Api(people["other_city_county"]).data(REVOKE, {"id": card_id, "kind": "LOST", "reason": "遗失"})[
        "revokeCertificate"]["errors"][0]["code"] == "not_found"
    assert certificate_rows(pupil.student) == before
    done = county.data(REVOKE, {"id": card_id, "kind": "LOST", "reason": "学生遗失"})["revokeCertificate"]
    assert done["result"] == {"id": card_id, "isRevoked": True, "revokeKind": "LOST", "revokeReason": "学生遗失"}


def test_article_35_through_the_api_a_revoked_diploma_is_not_reissued_and_an_error_is_replaced_by_the_province(
        world, places):
    from cases.services.registrations import registration_change_status

    final = SchoolClassFactory(school=places["school"], stage="junior", cohort=2023)
    registration = register_student(school_class=final, stage="junior", started_on=datetime.date(2023, 9, 1))
    registration_change_status(acting_user=None, registration=registration, status="graduated",
                               occurred_on=datetime.date(2026, 6, 30), reason="毕业")
    county = Api(world.authority_user(places["county"], role=Role.HEAD))
    province = Api(world.authority_user(Jurisdiction.objects.get(code="62"), role=Role.HEAD))
    student = gid("Student", registration.student)
    first = county.data(ISSUE, {"student": student, "kind": "COMPULSORY_COMPLETION"})["issueCertificate"]["result"]
    county.data(REVOKE, {"id": first["id"], "kind": "LOST", "reason": "遗失"})
    before = certificate_rows(registration.student)
    again = county.data(ISSUE, {"student": student, "kind": "COMPULSORY_COMPLETION"})["issueCertificate"]
    assert [(e["code"], e["article"]) for e in again["errors"]] == [("certificate_reissue", "第三十五条")]
    lost = province.data(ISSUE, {"student": student, "kind": "COMPULSORY_COMPLETION", "replaces": first["id"],
                                 "reason": "补发"})["issueCertificate"]
    assert [(e["code"], e["article"]) for e in lost["errors"]] == [("certificate_replace_not_error", "第三十五条")]
    assert certificate_rows(registration.student) == before

    second_registration = register_student(school_class=final, stage="junior", started_on=datetime.date(2023, 9, 1))
    registration_change_status(acting_user=None, registration=second_registration, status="graduated",
                               occurred_on=datetime.date(2026, 6, 30), reason="毕业")
    other = gid("Student", second_registration.student)
    wrong = county.data(ISSUE, {"student": other, "kind": "COMPULSORY_COMPLETION"})["issueCertificate"]["result"]
    county.data(REVOKE, {"id": wrong["id"], "kind": "ERROR", "reason": "出生日期印错"})
    by_county = county.data(ISSUE, {"student": other, "kind": "COMPULSORY_COMPLETION", "replaces": wrong["id"],
                                    "reason": "更正后换发"})["issueCertificate"]
    assert [(e["code"], e["article"]) for e in by_county["errors"]] == [("certificate_replace_province", "第三十五条")]
    replaced = province.data(ISSUE, {"student": other, "kind": "COMPULSORY_COMPLETION", "replaces": wrong["id"],
                                     "reason": "更正后换发"})["issueCertificate"]
    assert replaced["errors"] == [] and replaced["result"]["serial"] != wrong["serial"]
    listed = province.data("""query($s: ID!) { certificates(student: $s, orderBy: "issuedAt") { edges { node {
        serial isRevoked revokeKind replaces { serial } replacementReason } } } }""", {"s": other})
    assert [e["node"] for e in listed["certificates"]["edges"]] == [
        {"serial": wrong["serial"], "isRevoked": True, "revokeKind": "ERROR", "replaces": None,
         "replacementReason": ""},
        {"serial": replaced["result"]["serial"], "isRevoked": False, "revokeKind": None,
         "replaces": {"serial": wrong["serial"]}, "replacementReason": "更正后换发"}]


def test_certificate_download_is_checked_on_every_download(people, pupil):
    county = Api(people["county"], token=True)
    card = county.data(ISSUE, {"student": gid("Student", pupil.student), "kind": "STUDENT_CARD"})[
        "issueCertificate"]["result"]
    ok = county.client.get(card["downloadUrl"], HTTP_AUTHORIZATION=f"Bearer {county.token}")
    assert ok.status_code == 200 and ok.content.startswith(b"%PDF")
    prints = Certificate.objects.get(serial=card["serial"]).prints.count()
    assert prints == 1
    outsider = Api(people["other_city_county"], token=True)
    assert outsider.client.get(card["downloadUrl"], HTTP_AUTHORIZATION=f"Bearer {outsider.token}").status_code == 404
    assert county.client.get(card["downloadUrl"], HTTP_AUTHORIZATION="Bearer xj_bad_token").status_code == 401
    assert county.client.get(card["downloadUrl"]).status_code == 404  # anonymous
    assert Certificate.objects.get(serial=card["serial"]).prints.count() == 1


def test_print_jobs_start_progress_and_download(people, pupil, django_capture_on_commit_callbacks):
    county = Api(people["county"], token=True)
    card = county.data(ISSUE, {"student": gid("Student", pupil.student), "kind": "STUDENT_CARD"})[
        "issueCertificate"]["result"]
    with django_capture_on_commit_callbacks(execute=True):  # the job is queued after commit
        started = county.data(f"""mutation($ids: [ID!]!) {{ startPrintJob(certificateIds: $ids) {{
            result {{ id status total done downloadUrl }} {ERRORS} }} }}""", {"ids": [card["id"]]})["startPrintJob"]
    assert started["errors"] == []
    job = county.data("query($id: ID!) { node(id: $id) { ... on PrintJob { status total done downloadUrl } } }",
                      {"id": started["result"]["id"]})["node"]
    assert (job["status"], job["total"], job["done"]) == ("DONE", 1, 1)  # the test backend runs it at once
    response = county.client.get(job["downloadUrl"], HTTP_AUTHORIZATION=f"Bearer {county.token}")
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")
    outsider = Api(people["other_city_county"], token=True)
    assert outsider.client.get(job["downloadUrl"], HTTP_AUTHORIZATION=f"Bearer {outsider.token}").status_code == 404
    before = PrintJob.objects.count()
    refused = outsider.data("""mutation($ids: [ID!]!) { startPrintJob(certificateIds: $ids) {
        result { id } errors { field code } } }""", {"ids": [card["id"]]})["startPrintJob"]
    assert refused == {"result": None, "errors": [{"field": "certificateIds", "code": "not_found"}]}
    assert PrintJob.objects.count() == before


# --- class placement ------------------------------------------------------------------------------
ASSIGN = f"""mutation($r: ID!, $c: ID!, $reason: String!) {{ assignClass(registrationId: $r, classId: $c, reason: $reason) {{
  result {{ id schoolClass {{ className }} }} {ERRORS} }} }}"""
PLACE = f"""mutation($rs: [ID!]!, $c: ID!, $reason: String!) {{ placeInClass(registrationIds: $rs, classId: $c, reason: $reason) {{
  result {{ id schoolClass {{ className }} }} {ERRORS} }} }}"""


def placements():
    return list(Registration.objects.order_by("pk").values_list("pk", "school_class_id"))


def test_class_placement_single_and_bulk(people, places, pupil):
    school = places["school"]
    registrar = Api(people["registrar"])
    newcomers = [register_student(school=school, stage="junior", name=f"新生{n}") for n in range(3)]
    target = SchoolClassFactory(school=school, stage="junior", cohort=2025, class_name="七(3)班")
    moved = registrar.data(ASSIGN, {"r": gid("Registration", newcomers[0]), "c": gid("SchoolClass", target),
                                    "reason": "分班"})["assignClass"]
    assert moved["errors"] == [] and moved["result"]["schoolClass"]["className"] == "七(3)班"
    bulk = registrar.data(PLACE, {"rs": [gid("Registration", r) for r in newcomers[1:]],
                                  "c": gid("SchoolClass", target), "reason": "新生分班"})["placeInClass"]
    assert bulk["errors"] == [] and {r["schoolClass"]["className"] for r in bulk["result"]} == {"七(3)班"}
    assert RegistryLogEntry.objects.filter(action="xueji.registration.class").count() == 3

    before = placements()
    other_school = SchoolClassFactory(school=places["same_county_school"], stage="junior", cohort=2025)
    outsider = Api(people["other_county_school"])
    assert outsider.data(ASSIGN, {"r": gid("Registration", pupil), "c": gid("SchoolClass", target), "reason": "x"})[
        "assignClass"]["errors"][0]["code"] == "not_found"
    assert outsider.data(PLACE, {"rs": [gid("Registration", pupil)], "c": gid("SchoolClass", target),
                                 "reason": "x"})["placeInClass"]["errors"][0]["code"] == "not_found"
    # Placing is the school's job (as in the admin): the county is refused.
    county = Api(world_head(people, places))
    assert county.data(PLACE, {"rs": [gid("Registration", r) for r in newcomers], "c": gid("SchoolClass", other_school),
                               "reason": "调班"})["placeInClass"]["errors"][0]["code"] == "permission_denied"
    # A class of another stage of the same school: refused for the whole batch.
    other_stage = SchoolClassFactory(school=school, stage="primary", cohort=2025)
    refused = registrar.data(PLACE, {"rs": [gid("Registration", r) for r in newcomers],
                                     "c": gid("SchoolClass", other_stage), "reason": "调班"})["placeInClass"]
    assert refused["result"] is None and [e["code"] for e in refused["errors"]] == ["class_mismatch"]
    no_reason = registrar.data(PLACE, {"rs": [gid("Registration", newcomers[0])], "c": gid("SchoolClass", target),
                                       "reason": " "})["placeInClass"]
    assert [e["field"] for e in no_reason["errors"]] == ["reason"]
    assert placements() == before


def world_head(people, places):
    return staff_user(places["county"], role=Role.HEAD)


def test_create_and_rename_classes(people, places):
    registrar = Api(people["registrar"])
    create = f"""mutation($s: ID!, $stage: Stage!, $cohort: Int!, $name: String!) {{
      createClass(schoolId: $s, stage: $stage, cohort: $cohort, className: $name) {{
        result {{ id className gradeLabel }} {ERRORS} }} }}"""
    made = registrar.data(create, {"s": gid("School", places["school"]), "stage": "JUNIOR", "cohort": 2026,
                                   "name": "七(1)班"})["createClass"]
    assert made["errors"] == [] and made["result"]["className"] == "七(1)班"
    count = SchoolClass.objects.count()
    refused = registrar.data(create, {"s": gid("School", places["school"]), "stage": "SENIOR", "cohort": 2026,
                                      "name": "高一(1)班"})["createClass"]
    assert [(e["code"], e["article"]) for e in refused["errors"]] == [("school_stage", "第三条")]
    outsider = Api(people["other_county_school"]).data(create, {"s": gid("School", places["school"]), "stage": "JUNIOR",
                                                                "cohort": 2026, "name": "x"})["createClass"]
    assert outsider["errors"][0]["code"] == "not_found"
    assert SchoolClass.objects.count() == count
    renamed = registrar.data(f"""mutation($id: ID!) {{ renameClass(id: $id, className: "七(2)班") {{
        result {{ className }} {ERRORS} }} }}""", {"id": made["result"]["id"]})["renameClass"]
    assert renamed == {"result": {"className": "七(2)班"}, "errors": []}


# --- archive entries, contact details ----------------------------------------------------------
APPEND = f"""mutation($s: ID!, $kind: ArchiveEntryKind!, $title: String!) {{
  appendArchiveEntry(studentId: $s, kind: $kind, title: $title, body: "校运会") {{ result {{ id title kind }} {ERRORS} }} }}"""


def test_archive_entries_are_appended_by_the_holding_school_only(people, pupil):
    registrar = Api(people["registrar"])
    student = gid("Student", pupil.student)
    done = registrar.data(APPEND, {"s": student, "kind": "AWARD", "title": "田径第一名"})["appendArchiveEntry"]
    assert done["errors"] == [] and done["result"]["kind"] == "AWARD"
    before = list(ArchiveEntry.objects.filter(student=pupil.student).values())
    refused = registrar.data(APPEND, {"s": student, "kind": "BASE_DATA", "title": "改基本信息"})["appendArchiveEntry"]
    assert [(e["code"], e["article"]) for e in refused["errors"]] == [("archive_kind", "第十二条")]
    outsider = Api(people["other_county_school"]).data(APPEND, {"s": student, "kind": "AWARD", "title": "x"})
    assert outsider["appendArchiveEntry"]["errors"][0]["code"] == "not_found"
    assert list(ArchiveEntry.objects.filter(student=pupil.student).values()) == before


def test_contact_details_through_the_api(people, pupil):
    update = f"""mutation($id: ID!) {{ updateStudentContact(id: $id, address: "兰州市城关区东岗路1号", isLeftBehind: true) {{
      result {{ address isLeftBehind }} {ERRORS} }} }}"""
    student = gid("Student", pupil.student)
    outsider = Api(people["other_county_school"]).data(update, {"id": student})["updateStudentContact"]
    assert outsider["errors"][0]["code"] == "not_found"
    pupil.student.refresh_from_db()
    assert pupil.student.address != "兰州市城关区东岗路1号"
    done = Api(people["registrar"]).data(update, {"id": student})["updateStudentContact"]
    assert done == {"result": {"address": "兰州市城关区东岗路1号", "isLeftBehind": True}, "errors": []}


# --- registering students (a registration case) --------------------------------------------------
REGISTER = f"""mutation($input: CaseFieldsInput!) {{ createCase(input: $input) {{
    result {{ id caseType state details }} {ERRORS} }} }}"""


def intake(people, on):
    return {"input": {"registration": {"stage": "JUNIOR", "effectiveOn": on, "people": people}}}


def test_register_students_opens_the_intake_case_with_typed_people(people, places):
    from cases.models import Case

    first_year = SchoolClassFactory(school=places["school"], stage="junior", cohort=2026)
    registrar = Api(people["registrar"])
    today = datetime.date.today()
    person = {"name": "马晓东", "gender": "MALE", "birthDate": today.replace(year=today.year - 12).isoformat(),
              "householdType": "AGRICULTURAL", "schoolClassId": gid("SchoolClass", first_year),
              "ageException": "", "guardians": [{"name": "马建国", "relation": "父亲", "phone": "13900000001"}]}
    made = registrar.data(REGISTER, intake([person], today.isoformat()))["createCase"]
    assert made["errors"] == [] and made["result"]["caseType"] == "registration"
    assert '"school_class": %d' % first_year.pk in made["result"]["details"]
    # A class of another school does not take the pupil: the intake is refused (第八条), nothing registered.
    elsewhere = SchoolClassFactory(school=places["other_county_school"], stage="junior", cohort=2026)
    other = registrar.data(REGISTER, intake([{**person, "schoolClassId": gid("SchoolClass", elsewhere)}],
                                            today.isoformat()))["createCase"]
    if other["result"] is not None:
        checks = registrar.data("query($id: ID!) { case(id: $id) { eligibility { code article } } }",
                                {"id": other["result"]["id"]})["case"]["eligibility"]
        assert {"code": "class_mismatch", "article": "第八条"} in checks
    assert not Registration.objects.filter(school_class=elsewhere).exists()
    count = Case.objects.count()
    # An authority does not register a school's intake (as in the admin).
    assert Api(people["county"]).data(REGISTER, intake([person], today.isoformat()))["createCase"][
        "errors"][0]["code"] == "permission_denied"
    assert Case.objects.count() == count


# --- staff accounts ----------------------------------------------------------------------------------
CREATE_STAFF = f"""mutation($input: StaffAccountInput!) {{ createStaffAccount(input: $input) {{
  result {{ id username fullName unitName role office isActive }} {ERRORS} }} }}"""


def staff_input(unit, **extra):
    type_name = "School" if hasattr(unit, "scope_code") else "Jurisdiction"
    return {"username": extra.pop("username", "li.registrar"), "password": "Xueji-2026-strong", "fullName": "李梅",
            "unitId": to_global_id(type_name, unit.pk), "role": "registrar", "trainedOn": "2026-03-01", **extra}


def test_staff_accounts_are_kept_by_the_authoritys_head(people, places):
    head = Api(staff_user(places["county"], role=Role.HEAD))
    made = head.data(CREATE_STAFF, {"input": staff_input(places["school"])})["createStaffAccount"]
    assert made["errors"] == [] and made["result"]["unitName"] == places["school"].name
    account = made["result"]["id"]
    accounts = StaffProfile.objects.count()
    # Not a head: refused. A unit of another county: not found. The exam office only at the province.
    assert Api(people["county"]).data(CREATE_STAFF, {"input": staff_input(places["school"], username="x1")})[
        "createStaffAccount"]["errors"][0]["code"] == "permission_denied"
    assert head.data(CREATE_STAFF, {"input": staff_input(places["other_city_school"], username="x2")})[
        "createStaffAccount"]["errors"][0]["code"] == "not_found"
    exam = head.data(CREATE_STAFF, {"input": staff_input(places["county"], username="x3", role="reviewer",
                                                         office="exam")})["createStaffAccount"]
    assert [(e["code"], e["article"]) for e in exam["errors"]] == [("staff_exam_office", "第二十二条")]
    assert StaffProfile.objects.count() == accounts

    deactivate = f"""mutation($id: ID!, $reason: String!) {{ deactivateStaffAccount(id: $id, reason: $reason) {{
        result {{ isActive }} {ERRORS} }} }}"""
    assert head.data(deactivate, {"id": account, "reason": " "})["deactivateStaffAccount"]["errors"][0]["code"] == \
        "staff_deactivate_reason"
    assert Api(people["other_city_county"]).data(deactivate, {"id": account, "reason": "调离"})[
        "deactivateStaffAccount"]["errors"][0]["code"] == "not_found"
    assert head.data(deactivate, {"id": account, "reason": "调离"})["deactivateStaffAccount"] == {
        "result": {"isActive": False}, "errors": []}
    reset = f"""mutation($id: ID!, $p: String!) {{ resetStaffPassword(id: $id, password: $p) {{ result {{ username }} {ERRORS} }} }}"""
    assert head.data(reset, {"id": account, "p": "123"})["resetStaffPassword"]["errors"][0]["field"] == "password"
    assert head.data(reset, {"id": account, "p": "Another-Strong-2026"})["resetStaffPassword"]["errors"] == []
    activate = f"""mutation($id: ID!) {{ activateStaffAccount(id: $id) {{ result {{ isActive }} {ERRORS} }} }}"""
    assert head.data(activate, {"id": account})["activateStaffAccount"]["result"] == {"isActive": True}


# --- reference data -------------------------------------------------------------------------------------
def test_workday_overrides_are_the_provinces(world):
    from cases.models import CalendarOverride

    setter = f"""mutation {{ setWorkdayOverride(day: "2027-02-07", isWorkingDay: true, note: "春节调休") {{
        result {{ day isWorkingDay }} {ERRORS} }} }}"""
    county = Api(world.authority_user(Jurisdiction.objects.get(code="620102")))
    refused = county.data(setter)["setWorkdayOverride"]
    assert [(e["code"], e["article"]) for e in refused["errors"]] == [("calendar_province_only", "第二十五条")]
    assert not CalendarOverride.objects.exists()
    province = Api(world.authority_user(Jurisdiction.objects.get(code="62")))
    assert province.data(setter)["setWorkdayOverride"] == {"result": {"day": "2027-02-07", "isWorkingDay": True},
                                                           "errors": []}


# --- bulk decisions -----------------------------------------------------------------------------------------
def test_decide_cases_in_bulk_each_on_its_own(people, transfer, places):
    from cases.workflow import current_step

    destination = Api(staff_user(places["same_county_school"]))
    decide = f"""mutation($ids: [ID!]!, $action: DecisionAction!, $comment: String) {{
      decideCases(ids: $ids, action: $action, comment: $comment) {{
        result {{ decided {{ number }} failed {{ case {{ number }} messages }} }} {ERRORS} }} }}"""
    ids = [gid("Case", transfer)]
    no_comment = destination.data(decide, {"ids": ids, "action": "REJECT"})["decideCases"]
    assert [e["code"] for e in no_comment["errors"]] == ["reject_comment_required"]
    assert Api(people["other_city_county"]).data(decide, {"ids": ids, "action": "APPROVE"})["decideCases"][
        "errors"][0]["code"] == "not_found"
    step = current_step(transfer)
    done = destination.data(decide, {"ids": ids, "action": "APPROVE"})["decideCases"]
    assert done["result"]["decided"] == [{"number": transfer.number}] and done["result"]["failed"] == []
    assert current_step(transfer).pk != step.pk
    again = destination.data(decide, {"ids": ids, "action": "APPROVE"})["decideCases"]["result"]
    assert again["decided"] == [] and again["failed"][0]["messages"] == ["您不是该案卷当前步骤的审批人"]
