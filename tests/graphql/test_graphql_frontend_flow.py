"""A front-end app drives the registry over HTTP with personal tokens: a transfer (the registrar
opens it, uploads evidence as multipart and submits; each approver decides with their own token;
the student moves to the destination school), an intake with class placement (typed rows, and
the Excel workbook), and a certificate from issue to public verification."""

from graphql_relay import to_global_id

from cases.models import Role
from tests.case_types.helpers import PDF, PNG
from tests.factories import SchoolClassFactory
from tests.graphql.kit import Api, data_of, upload

CREATE = """mutation($input: CaseFieldsInput!) { createCase(input: $input) {
  result { id number state requiredEvidence { code label } missingEvidence { code } }
  errors { field code message article } } }"""
ATTACH = """mutation($case: ID!, $kind: String!, $file: Upload!) { attachEvidence(caseId: $case, kind: $kind, file: $file) {
  result { id kind kindLabel document { title url } } errors { field code message } } }"""
QUEUE = """{ cases(awaitingMe: true) { totalCount edges { node { id number typeName student { name }
  currentStep { name dueOn approverUnitName } } } } }"""
DECIDE = """mutation($id: ID!, $comment: String) { approveCase(id: $id, comment: $comment) {
  result { state currentStep { name approverUnitName } } errors { code message } } }"""


def test_transfer_across_cities_through_the_api(world, places, pupil):
    destination = places["other_city_school"]
    target = SchoolClassFactory(school=destination, stage="junior", cohort=2024)
    registrar = Api(world.school_user(places["school"]), token=True)

    created = registrar.data(CREATE, {"input": {"transfer": {
        "studentId": to_global_id("Student", pupil.student_id), "transferScope": "WITHIN",
        "destinationSchoolId": to_global_id("School", destination.pk),
        "destinationClassId": to_global_id("SchoolClass", target.pk), "reason": "RELOCATION",
        "reasonText": "随父母迁居天水", "effectiveOn": "2026-03-02"}}})["createCase"]
    assert created["errors"] == []
    case = created["result"]
    assert {k["code"] for k in case["missingEvidence"]} == {"transfer_application", "residence_proof"}

    submit = 'mutation($id: ID!) { submitCase(id: $id) { result { state } errors { field code message article } } }'
    refused = registrar.data(submit, {"id": case["id"]})["submitCase"]
    assert refused["result"] is None and {e["code"] for e in refused["errors"]} == {"evidence_missing"}

    for kind, name, content, content_type in [("transfer_application", "申请.pdf", PDF, "application/pdf"),
                                              ("residence_proof", "证明.png", PNG, "image/png")]:
        answer = data_of(upload(registrar, ATTACH, {"case": case["id"], "kind": kind},
                                {"file": (name, content, content_type)}))["attachEvidence"]
        assert answer["errors"] == [] and answer["result"]["kind"] == kind
    bad = data_of(upload(registrar, ATTACH, {"case": case["id"], "kind": "other"},
                         {"file": ("x.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")}))["attachEvidence"]
    assert bad["errors"] == [{"field": "file", "code": "evidence_type", "message": bad["errors"][0]["message"]}]

    assert registrar.data(submit, {"id": case["id"]})["submitCase"] == {"result": {"state": "IN_REVIEW"}, "errors": []}

    approvers = [
        Api(world.school_user(destination), token=True),
        Api(world.school_head(places["school"]), token=True),  # the submitter never decides: the head does
        Api(world.authority_user(places["county"], role=Role.REVIEWER), token=True),
        Api(world.authority_user(places["other_city"], role=Role.REVIEWER), token=True),
    ]
    bystander = Api(world.authority_user(places["other_county"], role=Role.REVIEWER), token=True)
    for n, approver in enumerate(approvers):
        queue = approver.data(QUEUE)["cases"]
        assert [e["node"]["number"] for e in queue["edges"]] == [case["number"]]
        assert bystander.data(QUEUE)["cases"]["totalCount"] == 0
        decided = approver.data(DECIDE, {"id": case["id"], "comment": f"第{n + 1}步同意"})["approveCase"]
        assert decided["errors"] == []
    assert decided["result"] == {"state": "APPROVED", "currentStep": None}

    moved = approvers[0].data("""query($id: ID!) { student(id: $id) { currentRegistration { status school { code }
        schoolClass { cohort } auxiliaryNumber { number } } paperArchiveSchool { code } } }""",
                              {"id": to_global_id("Student", pupil.student_id)})
    assert moved["student"]["currentRegistration"]["school"]["code"] == destination.code
    assert moved["student"]["currentRegistration"]["schoolClass"] == {"cohort": 2024}
    assert moved["student"]["paperArchiveSchool"]["code"] == destination.code
    origin_view = registrar.data("""query($id: ID!) { student(id: $id) { currentRegistration { status }
        registrations { status school { code } } } }""", {"id": to_global_id("Student", pupil.student_id)})["student"]
    assert origin_view["currentRegistration"] is None  # the open registration is at the destination, out of scope
    assert origin_view["registrations"] == [{"status": "TRANSFERRED_OUT", "school": {"code": places["school"].code}}]

    detail = registrar.data("""query($id: ID!) { case(id: $id) { state steps { name status finishedBy { username } comment }
        comments { comment } evidence { kind } history { action } } }""", {"id": case["id"]})["case"]
    assert [s["status"] for s in detail["steps"]] == ["APPROVED", "APPROVED", "APPROVED", "SKIPPED", "APPROVED"]
    assert [c["comment"] for c in detail["comments"]] == ["第1步同意", "第2步同意", "第3步同意", "第4步同意"]
    assert {"xueji.case.create", "xueji.case.evidence", "xueji.case.submit", "xueji.case.approve"} <= \
        {h["action"] for h in detail["history"]}
    # Each approver downloads the evidence with their own token; outsiders get the 404 of a missing file.
    url = approvers[3].data('query($id: ID!) { case(id: $id) { evidence { document { url } } } }',
                            {"id": case["id"]})["case"]["evidence"][0]["document"]["url"]
    download = approvers[3].client.get(url, HTTP_AUTHORIZATION=f"Bearer {approvers[3].token}")
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")
    missing = url.rstrip("/").rsplit("/", 1)[0] + "/987654/"
    for caller in (bystander, None):
        headers = {"HTTP_AUTHORIZATION": f"Bearer {caller.token}"} if caller else {}
        client = caller.client if caller else approvers[3].client.__class__()
        assert client.get(url, **headers).status_code == client.get(missing, **headers).status_code == 404
    archive = approvers[0].data("""query($id: ID!) { archive(student: $id) { entries(kind: EVIDENCE) { totalCount } } }""",
                                {"id": to_global_id("Student", pupil.student_id)})
    assert archive["archive"]["entries"]["totalCount"] == 2


REGISTER = """mutation($input: CaseFieldsInput!) { createCase(input: $input) {
  result { id state } errors { field code message article } } }"""


def test_an_intake_with_class_placement_through_the_api(world, places):
    """The registrar registers two pupils into a first-year class by token; the county approves;
    both are in the class with numbers; a third one too young is refused at submission (第十一条)."""
    import datetime

    school = places["school"]
    first_year = SchoolClassFactory(school=school, stage="junior", cohort=2026, class_name="七(1)班")
    second = SchoolClassFactory(school=school, stage="junior", cohort=2026, class_name="七(2)班")
    registrar = Api(world.school_user(school), token=True)
    today = datetime.date.today()
    born = today.replace(year=today.year - 12).isoformat()
    people = [{"name": "田一", "gender": "MALE", "birthDate": born,
               "schoolClassId": to_global_id("SchoolClass", first_year.pk)},
              {"name": "田二", "gender": "FEMALE", "birthDate": born,
               "schoolClassId": to_global_id("SchoolClass", first_year.pk)},
              {"name": "田小", "gender": "FEMALE", "birthDate": today.replace(year=today.year - 8).isoformat()}]
    intake = {"registration": {"stage": "JUNIOR", "effectiveOn": today.isoformat(), "people": people,
                               "schoolClassId": to_global_id("SchoolClass", first_year.pk)}}  # for 田小
    case = registrar.data(REGISTER, {"input": intake})["createCase"]["result"]
    answer = data_of(upload(registrar, ATTACH, {"case": case["id"], "kind": "household_register_or_id"},
                            {"file": ("户口簿.pdf", PDF, "application/pdf")}))["attachEvidence"]
    assert answer["errors"] == []
    submit = 'mutation($id: ID!) { submitCase(id: $id) { result { state } errors { field code message article } } }'
    refused = registrar.data(submit, {"id": case["id"]})["submitCase"]
    assert [(e["code"], e["article"], e["field"]) for e in refused["errors"]] == [
        ("registration_age_out_of_band", "第十一条", "people[2].birthDate")]
    update = """mutation($id: ID!, $input: CaseFieldsInput!) { updateCaseDraft(id: $id, input: $input) {
        result { state } errors { code } } }"""
    intake["registration"]["people"] = people[:2]  # the pupil too young for junior school is left out
    assert registrar.data(update, {"id": case["id"], "input": intake})["updateCaseDraft"]["errors"] == []
    assert registrar.data(submit, {"id": case["id"]})["submitCase"] == {"result": {"state": "IN_REVIEW"}, "errors": []}
    county = Api(world.authority_user(places["county"], role=Role.REVIEWER), token=True)
    assert county.data(DECIDE, {"id": case["id"], "comment": "同意"})["approveCase"]["errors"] == []
    classes = county.data("""query($c: ID!) { registrations(schoolClass: $c) { edges { node { student { name }
        auxiliaryNumber { number } } } } }""", {"c": to_global_id("SchoolClass", first_year.pk)})["registrations"]
    assert sorted(e["node"]["student"]["name"] for e in classes["edges"]) == ["田一", "田二"]
    assert all(e["node"]["auxiliaryNumber"] for e in classes["edges"])
    # Then one moves to the second class, by token.
    first = county.data("""query($c: ID!) { registrations(schoolClass: $c, first: 1) { edges { node { id } } } }""",
                        {"c": to_global_id("SchoolClass", first_year.pk)})["registrations"]["edges"][0]["node"]["id"]
    moved = registrar.data("""mutation($r: ID!, $c: ID!) { assignClass(registrationId: $r, classId: $c, reason: "调班") {
        result { schoolClass { className } } errors { code } } }""", {"r": first, "c": to_global_id("SchoolClass", second.pk)})
    assert moved["assignClass"] == {"result": {"schoolClass": {"className": "七(2)班"}}, "errors": []}


def test_an_excel_intake_with_class_placement_through_the_api(world, places):
    """The registrar opens an intake by token, downloads its Excel template, fills it (the class from
    the template's list), uploads it as a multipart request; a row that breaks a rule is reported on
    its row and nothing reaches the case; the corrected workbook fills it; the county approves; the
    pupils are in their class with auxiliary numbers; one moves class, by token."""
    import datetime
    import io

    from openpyxl import load_workbook

    from tests.intake.helpers import pupil as row_of, workbook_bytes

    school = places["school"]
    first_year = SchoolClassFactory(school=school, stage="junior", cohort=2026, class_name="七(1)班")
    second = SchoolClassFactory(school=school, stage="junior", cohort=2026, class_name="七(2)班")
    registrar = Api(world.school_user(school), token=True)
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {registrar.token}"}
    today = datetime.date.today()
    case = registrar.data("""mutation($input: CaseFieldsInput!) { createCase(input: $input) {
        result { id intakeTemplateUrl } errors { code } } }""", {"input": {"registration": {
        "stage": "JUNIOR", "effectiveOn": today.isoformat()}}})["createCase"]["result"]
    template = registrar.client.get(case["intakeTemplateUrl"], **bearer)
    assert template.status_code == 200
    options = load_workbook(io.BytesIO(template.content))["选项"]
    assert "七(1)班" in [c.value for c in options["G"]]  # the school's classes are the drop-down list

    born = today.replace(year=today.year - 12, month=3, day=1)
    rows = [row_of("田一", birth=born, school_class="七(1)班"), row_of("田二", gender="女", birth=born,
                                                                   school_class="七(1)班"),
            row_of("田小", birth=today.replace(year=today.year - 8), school_class="七(1)班")]
    UPLOAD = """mutation($case: ID!, $file: Upload!) { uploadIntake(caseId: $case, file: $file) {
        result { status refused rows(status: REFUSED) { row name errors { code article } } resultUrl }
        errors { code } } }"""
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    refused = data_of(upload(registrar, UPLOAD, {"case": case["id"]},
                             {"file": ("新生名单.xlsx", workbook_bytes(rows, template=template.content), xlsx)}))
    result = refused["uploadIntake"]["result"]
    assert result["status"] == "REFUSED" and result["rows"][0]["name"] == "田小"
    assert [(e["code"], e["article"]) for e in result["rows"][0]["errors"]] == [("age_implausible", "第十一条")]
    assert registrar.client.get(result["resultUrl"], **bearer).status_code == 200
    fields = """query($id: ID!) { case(id: $id) { fields { key rows } } }"""
    assert not [f for f in registrar.data(fields, {"id": case["id"]})["case"]["fields"] if f["key"] == "people"
                and f["rows"]]  # nothing reached the case
    applied = data_of(upload(registrar, UPLOAD, {"case": case["id"]},
                             {"file": ("新生名单.xlsx", workbook_bytes(rows[:2], template=template.content), xlsx)}))
    assert applied["uploadIntake"]["result"]["status"] == "APPLIED"
    answer = data_of(upload(registrar, ATTACH, {"case": case["id"], "kind": "household_register_or_id"},
                            {"file": ("户口簿.pdf", PDF, "application/pdf")}))["attachEvidence"]
    assert answer["errors"] == []
    submit = 'mutation($id: ID!) { submitCase(id: $id) { result { state } errors { field code message article } } }'
    assert registrar.data(submit, {"id": case["id"]})["submitCase"] == {"result": {"state": "IN_REVIEW"}, "errors": []}
    county = Api(world.authority_user(places["county"], role=Role.REVIEWER), token=True)
    assert county.data(DECIDE, {"id": case["id"], "comment": "同意"})["approveCase"]["errors"] == []
    placed = county.data("""query($c: ID!) { registrations(schoolClass: $c) { edges { node { id student { name }
        auxiliaryNumber { number } } } } }""", {"c": to_global_id("SchoolClass", first_year.pk)})["registrations"]
    assert sorted(e["node"]["student"]["name"] for e in placed["edges"]) == ["田一", "田二"]
    assert all(e["node"]["auxiliaryNumber"] for e in placed["edges"])
    moved = registrar.data("""mutation($r: ID!, $c: ID!) { assignClass(registrationId: $r, classId: $c, reason: "调班") {
        result { schoolClass { className } } errors { code } } }""",
                           {"r": placed["edges"][0]["node"]["id"], "c": to_global_id("SchoolClass", second.pk)})
    assert moved["assignClass"] == {"result": {"schoolClass": {"className": "七(2)班"}}, "errors": []}


def test_a_certificate_from_issue_to_public_verification(world, places, pupil):
    """The county issues a student card by token, downloads its PDF, and anyone verifies it at
    /verify/; once revoked, /verify/ says so."""
    from django.test import Client

    county = Api(world.authority_user(places["county"], role=Role.HEAD), token=True)
    issued = county.data("""mutation($s: ID!) { issueCertificate(studentId: $s, kind: STUDENT_CARD) {
        result { id serial checkCode downloadUrl verifyUrl } errors { code } } }""",
                         {"s": to_global_id("Student", pupil.student_id)})["issueCertificate"]["result"]
    pdf = county.client.get(issued["downloadUrl"], HTTP_AUTHORIZATION=f"Bearer {county.token}")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    public = Client()
    page = public.get("/verify/", {"serial": issued["serial"], "code": issued["checkCode"]})
    assert page.status_code == 200 and "证书有效" in page.content.decode()
    assert issued["verifyUrl"].endswith(f"/verify/?serial={issued['serial']}&code={issued['checkCode']}")
    wrong = public.get("/verify/", {"serial": issued["serial"], "code": "AAAAAAAA"})
    assert "证书有效" not in wrong.content.decode()
    revoked = county.data("""mutation($id: ID!) { revokeCertificate(id: $id, kind: ERROR, reason: "姓名有误") {
        result { isRevoked } errors { code } } }""", {"id": issued["id"]})["revokeCertificate"]
    assert revoked == {"result": {"isRevoked": True}, "errors": []}
    after = public.get("/verify/", {"serial": issued["serial"], "code": issued["checkCode"]}).content.decode()
    assert "证书有效" not in after and "作废" in after
