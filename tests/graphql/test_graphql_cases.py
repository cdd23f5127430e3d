"""The case mutations inside scope: one service call each, the admin's rule codes as typed errors."""

import datetime

from graphql_relay import to_global_id

from cases.models import Case, RegistryTaskState, Role
from tests.case_types.helpers import PDF
from tests.factories import SchoolClassFactory, register_student
from tests.graphql.conftest import class_of
from tests.graphql.kit import Api, data_of, error_codes, upload

CREATE = """mutation($input: CaseFieldsInput!) { createCase(input: $input) { result { id number state caseType reason
  destinationSchool { code } transferScope stage fields { key label text } } warnings { code article mayOverride }
  errors { field code message article } } }"""
UPDATE = """mutation($id: ID!, $input: CaseFieldsInput!) { updateCaseDraft(id: $id, input: $input) {
  result { reason reasonText destinationSchool { code } endOn fields { key text } } errors { field code message } } }"""


def gid(case):
    return to_global_id("Case", case.pk)


def transfer_input(pupil, destination, **extra):
    """The typed input of a transfer: Relay ids, enum members, dates; no JSON, no database id."""
    return {"transfer": {"studentId": to_global_id("Student", pupil.student_id), "transferScope": "WITHIN",
                         "destinationSchoolId": to_global_id("School", destination.pk),
                         "destinationClassId": to_global_id("SchoolClass", class_of(destination).pk),
                         "reason": "RELOCATION", "effectiveOn": "2026-03-02", **extra}}


def test_create_case_at_the_callers_school(people, places, pupil):
    api = Api(people["registrar"])
    result = api.data(CREATE, {"input": transfer_input(pupil, places["same_county_school"])})["createCase"]
    assert result["errors"] == [] and result["warnings"] == []
    assert result["result"]["state"] == "DRAFT" and result["result"]["stage"] == "JUNIOR"
    assert result["result"]["destinationSchool"]["code"] == places["same_county_school"].code
    shown = {f["key"]: f["text"] for f in result["result"]["fields"]}
    assert shown["reason"] == "随父母迁居或务工" and shown["effective_on"] == "2026年3月2日"
    assert shown["destination_class"] == str(class_of(places["same_county_school"]))  # 初中2024级…班
    case = Case.objects.get()
    assert case.school == places["school"] and case.created_by == people["registrar"]
    assert case.details == {"destination_class": class_of(places["same_county_school"]).pk}


def test_create_case_rule_errors_are_the_services_codes(people, places, pupil):
    api = Api(people["registrar"])
    student = to_global_id("Student", pupil.student_id)
    errors = api.data(CREATE, {"input": {"transfer": {"studentId": student, "transferScope": "WITHIN"}}})[
        "createCase"]["errors"]
    assert {(e["field"], e["code"]) for e in errors} == {
        ("input.transfer.reason", "case_reason"), ("input.transfer.effectiveOn", "case_effective_on"),
        ("input.transfer.destinationSchoolId", "transfer_destination"),
        ("input.transfer.destinationClassId", "field_required")}
    errors = api.data(CREATE, {"input": transfer_input(pupil, places["school"])})["createCase"]["errors"]
    assert errors == [{"field": "input.transfer.destinationSchoolId", "code": "transfer_same_school",
                       "message": "转入学校不能是原学校", "article": "第二十二条"}]
    errors = api.data(CREATE, {"input": {}})["createCase"]["errors"]
    assert errors[0]["code"] == "case_fields_one_type" and errors[0]["field"] == "input"
    both = {**transfer_input(pupil, places["school"]), "death": {"studentId": student}}
    assert api.data(CREATE, {"input": both})["createCase"]["errors"][0]["code"] == "case_fields_one_type"
    wrong_kind = transfer_input(pupil, places["school"], destinationSchoolId=student)  # a Student id for a school
    assert api.data(CREATE, {"input": wrong_kind})["createCase"]["errors"][0]["code"] == "invalid_id"
    gone = transfer_input(pupil, places["school"], destinationSchoolId=to_global_id("School", 999999))
    assert api.data(CREATE, {"input": gone})["createCase"]["errors"][0]["code"] == "not_found"
    # Typed, not JSON: a string where an enum is expected is refused by the schema itself.
    status, body = api(CREATE, {"input": transfer_input(pupil, places["school"], reason="relocation")})
    assert body.get("errors") and not body.get("data")
    assert Case.objects.count() == 0


def test_only_school_staff_open_cases(people, places, pupil):
    answer = Api(people["county"]).data(CREATE, {"input": transfer_input(pupil, places["same_county_school"])})
    assert answer["createCase"]["errors"] == [{"field": None, "code": "permission_denied", "message": "无权执行此操作",
                                               "article": ""}]


def test_update_the_draft_then_not_after_submit(people, places, pupil):
    api = Api(people["registrar"])
    case = api.data(CREATE, {"input": transfer_input(pupil, places["same_county_school"])})["createCase"]["result"]
    other = places["other_city_school"]
    result = api.data(UPDATE, {"id": case["id"], "input": {"transfer": {
        "reasonText": "新说明", "destinationSchoolId": to_global_id("School", other.pk),
        "destinationClassId": to_global_id("SchoolClass", class_of(other).pk)}}})
    assert result["updateCaseDraft"]["errors"] == []
    assert result["updateCaseDraft"]["result"]["destinationSchool"]["code"] == other.code
    assert Case.objects.get().details == {"destination_class": class_of(other).pk}
    result = api.data(UPDATE, {"id": case["id"], "input": {"transfer": {"destinationSchoolId": None}}})["updateCaseDraft"]
    assert result["errors"][0]["code"] == "transfer_destination"
    result = api.data(UPDATE, {"id": case["id"], "input": {"transfer": {"stage": "SENIOR"}}})["updateCaseDraft"]
    assert result["errors"][0] == {"field": "input.transfer.stage", "code": "case_stage_fixed",
                                   "message": result["errors"][0]["message"]}
    result = api.data(UPDATE, {"id": case["id"], "input": {"death": {"diedOn": "2026-01-01"}}})["updateCaseDraft"]
    assert result["errors"][0]["code"] == "case_type_fixed"
    case_object = Case.objects.get()
    from cases.services.cases import case_submit, evidence_attach
    from tests.case_types.helpers import pdf

    for kind in ("transfer_application", "residence_proof"):
        evidence_attach(acting_user=people["registrar"], case=case_object, kind=kind, uploaded_file=pdf())
    case_submit(acting_user=people["registrar"], case=case_object)
    result = api.data(UPDATE, {"id": case["id"], "input": {"transfer": {"reasonText": "再改"}}})["updateCaseDraft"]
    assert result["errors"][0]["code"] == "case_not_editable"
    attach = """mutation($id: ID!, $file: Upload!) { attachEvidence(caseId: $id, kind: "other", file: $file) {
      errors { code } } }"""
    answer = data_of(upload(api, attach, {"id": case["id"]}, {"file": ("a.pdf", PDF, "application/pdf")}))
    assert answer["attachEvidence"]["errors"] == [{"code": "case_not_editable"}]


def test_an_intake_of_pupils_typed_row_by_row(people, places):
    """A registration batch: rows of typed pupils (性别 as an enum, dates, class ids)."""
    from cases.numbers.id_number import make_id_number

    school_class = SchoolClassFactory(school=places["school"], stage="junior", cohort=2026, class_name="1班")
    api = Api(people["registrar"])
    born = datetime.date(2013, 5, 1)
    rows = [{"name": "张三", "gender": "MALE", "birthDate": born.isoformat(),
             "idNumber": make_id_number("620102", born, 11), "schoolClassId": to_global_id("SchoolClass", school_class.pk),
             "guardians": [{"name": "张父", "relation": "父亲", "phone": "13800000000"}]},
            {"name": "李四", "gender": "FEMALE", "birthDate": born.isoformat(), "idNumber": make_id_number("620102", born, 12)}]
    # 李四 names no class: refused (第八条) until the intake has a class for everyone.
    answer = api.data(CREATE, {"input": {"registration": {"stage": "JUNIOR", "effectiveOn": "2026-09-01",
                                                          "people": rows}}})["createCase"]
    assert [(e["field"], e["code"]) for e in answer["errors"]] == [
        ("input.registration.people[1].schoolClassId", "registration_class_required")]
    assert not Case.objects.exists()
    intake_class = to_global_id("SchoolClass", SchoolClassFactory(school=places["school"], stage="junior",
                                                                  cohort=2026, class_name="2班").pk)
    answer = api.data(CREATE, {"input": {"registration": {"stage": "JUNIOR", "effectiveOn": "2026-09-01",
                                                          "schoolClassId": intake_class, "people": rows}}})["createCase"]
    assert answer["errors"] == []
    people_field = Case.objects.get().details["people"]
    assert [p["gender"] for p in people_field] == ["M", "F"] and people_field[0]["school_class"] == school_class.pk
    assert people_field[0]["guardians"] == [{"name": "张父", "relation": "父亲", "phone": "13800000000"}]
    rows[1]["idNumber"] = "620102"
    answer = api.data(CREATE, {"input": {"registration": {"stage": "JUNIOR", "effectiveOn": "2026-09-01",
                                                          "schoolClassId": intake_class, "people": rows}}})["createCase"]
    assert [(e["field"], e["code"]) for e in answer["errors"]] == [
        ("input.registration.people[1].idNumber", "id_length")]
    assert answer["errors"][0]["message"].startswith("第2行:") and Case.objects.count() == 1


def test_attach_evidence_rules(people, transfer, places, pupil, world):
    api = Api(people["registrar"])
    case = Api(people["registrar"]).data(CREATE, {"input": transfer_input(pupil, places["other_city_school"])})
    case_id = case["createCase"]["result"]["id"]
    attach = """mutation($id: ID!, $kind: String!, $file: Upload!) { attachEvidence(caseId: $id, kind: $kind, file: $file) {
      result { kind } errors { field code } } }"""
    answer = data_of(upload(api, attach, {"id": case_id, "kind": "medical_bills"}, {"file": ("a.pdf", PDF, "application/pdf")}))
    assert answer["attachEvidence"]["errors"] == [{"field": "kind", "code": "evidence_kind"}]
    destination = Api(world.school_user(places["same_county_school"]))
    answer = data_of(upload(destination, attach, {"id": gid(transfer), "kind": "other"},
                            {"file": ("a.pdf", PDF, "application/pdf")}))
    assert answer["attachEvidence"]["errors"] == [{"field": None, "code": "permission_denied"}]


def test_withdraw_by_the_submitter_only(people, transfer, places, world):
    withdraw = 'mutation($id: ID!) { withdrawCase(id: $id) { result { state } errors { code } } }'
    destination = Api(world.school_user(places["same_county_school"]))
    assert destination.data(withdraw, {"id": gid(transfer)})["withdrawCase"]["errors"] == [{"code": "permission_denied"}]
    assert Api(people["registrar"]).data(withdraw, {"id": gid(transfer)})["withdrawCase"] == {
        "result": {"state": "WITHDRAWN"}, "errors": []}


def test_approve_reject_and_resubmit(people, transfer, places, world):
    approve = 'mutation($id: ID!) { approveCase(id: $id) { result { state currentStep { name } } errors { code } } }'
    reject = 'mutation($id: ID!, $c: String!) { rejectCase(id: $id, comment: $c) { result { state } errors { field code } } }'
    assert Api(people["county"]).data(approve, {"id": gid(transfer)})["approveCase"]["errors"] == [
        {"code": "permission_denied"}]
    destination = Api(world.school_user(places["same_county_school"]))
    assert destination.data(reject, {"id": gid(transfer), "c": " "})["rejectCase"]["errors"] == [
        {"field": "comment", "code": "reject_comment_required"}]
    assert destination.data(reject, {"id": gid(transfer), "c": "请补充证明"})["rejectCase"]["result"] == {"state": "RETURNED"}
    registrar = Api(people["registrar"])
    resubmitted = registrar.data('mutation($id: ID!) { submitCase(id: $id) { result { state } errors { code } } }',
                                 {"id": gid(transfer)})
    assert resubmitted["submitCase"]["result"] == {"state": "IN_REVIEW"}
    step = destination.data(approve, {"id": gid(transfer)})["approveCase"]["result"]["currentStep"]
    assert step == {"name": "转出学校签章"}
    detail = registrar.data('query($id: ID!) { case(id: $id) { comments { comment status finishedBy { username } } } }',
                            {"id": gid(transfer)})["case"]
    assert [c["comment"] for c in detail["comments"]] == ["请补充证明"] and detail["comments"][0]["status"] == "REJECTED"


def test_override_a_generally_rule_then_final_approval(world, places):
    first_year = SchoolClassFactory(school=places["school"], stage="junior", cohort=2025)  # grade 1 in spring 2026
    pupil = register_student(school_class=first_year, stage="junior", name="李一年")
    from cases.services.cases import case_approve, case_submit
    from tests.case_types.helpers import open_case

    destination = places["same_county_school"]
    case, submitter = open_case(world, case_type="transfer", school=places["school"], student=pupil.student,
                                transfer_scope="within", destination_school=destination,
                                details={"destination_class": class_of(destination, cohort=2025).pk},
                                reason="relocation", evidence=["transfer_application", "residence_proof"])
    case = case_submit(acting_user=submitter, case=case)
    case = case_approve(acting_user=world.school_user(places["same_county_school"]), case=case)
    case = case_approve(acting_user=world.school_head(places["school"]), case=case)
    county = Api(world.authority_user(places["county"], role=Role.REVIEWER))
    approve = 'mutation($id: ID!) { approveCase(id: $id, comment: "同意") { result { state } errors { code article } } }'
    assert county.data(approve, {"id": gid(case)})["approveCase"]["errors"] == [
        {"code": "transfer_initial_grade", "article": "第二十六条"}]
    detail = county.data('query($id: ID!) { case(id: $id) { state eligibility { code article } awaitingMe } }',
                         {"id": gid(case)})["case"]
    assert detail == {"state": "IN_REVIEW", "eligibility": [{"code": "transfer_initial_grade", "article": "第二十六条"}],
                      "awaitingMe": True}
    override = """mutation($id: ID!, $rule: String!, $reason: String!) { overrideRule(id: $id, ruleCode: $rule, reason: $reason) {
      result { overrides { code article reason by at } } errors { field code } } }"""
    assert Api(submitter).data(override, {"id": gid(case), "rule": "transfer_initial_grade", "reason": "x"})[
        "overrideRule"]["errors"] == [{"field": None, "code": "permission_denied"}]
    assert county.data(override, {"id": gid(case), "rule": "nope", "reason": "x"})["overrideRule"]["errors"] == [
        {"field": "ruleCode", "code": "override_not_applicable"}]
    done = county.data(override, {"id": gid(case), "rule": "transfer_initial_grade", "reason": "家庭特殊困难"})
    (recorded,) = done["overrideRule"]["result"]["overrides"]
    assert (recorded["code"], recorded["article"], recorded["reason"]) == ("transfer_initial_grade", "第二十六条",
                                                                          "家庭特殊困难")
    assert recorded["by"] == county.user.username and recorded["at"]
    assert county.data(approve, {"id": gid(case)})["approveCase"] == {"result": {"state": "APPROVED"}, "errors": []}


def test_case_queries_filters_and_detail(people, transfer, places, world):
    registrar, county = Api(people["registrar"]), Api(people["county"])
    query = """query($state: CaseState, $type: String, $school: ID, $awaiting: Boolean, $overdue: Boolean) {
      cases(state: $state, caseType: $type, school: $school, awaitingMe: $awaiting, overdue: $overdue) { totalCount } }"""
    count = lambda api, **v: api.data(query, v)["cases"]["totalCount"]
    assert count(registrar) == 1 and count(registrar, state="IN_REVIEW", type="transfer") == 1
    assert count(registrar, state="DRAFT") == 0 and count(registrar, type="dropout") == 0
    assert count(registrar, school=to_global_id("School", places["same_county_school"].pk)) == 1
    assert count(registrar, awaiting=True) == 0 and count(registrar, awaiting=False) == 1
    assert count(Api(world.school_user(places["same_county_school"])), awaiting=True) == 1
    assert count(county, overdue=True) == 0
    RegistryTaskState.objects.filter(status="in_progress").update(due_on=datetime.date(2020, 1, 1))
    assert count(county, overdue=True) == 1 and count(Api(people["city"]), overdue=True) == 1
    assert count(Api(people["other_city_county"]), overdue=True) == 0
    detail = registrar.data("""query($id: ID!) { case(id: $id) { typeName steps { name level side status isOverdue
        approverUnitName dueOn } currentStep { name isOverdue } history { action actionLabel user { username } } } }""",
                            {"id": gid(transfer)})["case"]
    assert detail["typeName"] == "转学" and detail["currentStep"] == {"name": "转入学校同意", "isOverdue": True}
    assert detail["steps"][0]["approverUnitName"] == places["same_county_school"].name
    assert [h["action"] for h in detail["history"]][:1] == ["xueji.case.create"]
    listed = registrar("{ cases { edges { node { eligibility { code } } } } }")[1]
    assert listed["errors"][0]["extensions"]["code"] == "single_only"


def test_me_for_staff_of_each_kind(people, places):
    me = "{ me { unit { __typename ... on Jurisdiction { code level } ... on School { code } } role scopeCode isSuperuser } }"
    assert Api(people["county"]).data(me)["me"] == {
        "unit": {"__typename": "Jurisdiction", "code": "620102", "level": "COUNTY"}, "role": "REVIEWER",
        "scopeCode": "620102", "isSuperuser": False}
    assert Api(people["registrar"]).data(me)["me"]["unit"] == {"__typename": "School", "code": places["school"].code}
    assert error_codes(Api(people["county"])("{ case { number } }")[1]) == ["invalid_argument"]


def test_me_for_a_superuser_without_a_unit(db, transfer):
    from django.contrib.auth import get_user_model

    root = get_user_model().objects.create_superuser("root", password="x")
    api = Api(root)
    assert api.data("{ me { unit { __typename } role scopeCode isSuperuser } }")["me"] == {
        "unit": None, "role": None, "scopeCode": None, "isSuperuser": True}
    assert api.data("{ cases { totalCount } }")["cases"]["totalCount"] == 1


def test_warnings_are_answers_too_and_a_rule_that_is_never_overridden_says_so(world, places):
    """第二十六条: an initial-grade transfer is 一般不予 — every case mutation returns it as a
    warning, with whether this caller may override it; a rule that is never overridden (跨年级)
    answers with its own code and article, not a generic permission error."""
    first_year = SchoolClassFactory(school=places["school"], stage="junior", cohort=2025)
    pupil = register_student(school_class=first_year, stage="junior", name="李一年")
    registrar = Api(world.school_user(places["school"]))
    destination = places["same_county_school"]
    created = registrar.data(CREATE, {"input": {"transfer": {
        "studentId": to_global_id("Student", pupil.student_id), "transferScope": "WITHIN",
        "destinationSchoolId": to_global_id("School", destination.pk),
        "destinationClassId": to_global_id("SchoolClass", class_of(destination, cohort=2025).pk),
        "reason": "RELOCATION", "effectiveOn": "2026-03-02"}}})["createCase"]
    assert created["errors"] == []
    assert created["warnings"] == [{"code": "transfer_initial_grade", "article": "第二十六条", "mayOverride": False}]
    case = Case.objects.get()
    from cases.services.cases import case_approve, evidence_attach
    from tests.case_types.helpers import pdf

    for kind in ("transfer_application", "residence_proof"):
        evidence_attach(acting_user=world.school_user(places["school"]), case=case, kind=kind, uploaded_file=pdf())
    submit = """mutation($id: ID!) { submitCase(id: $id) { result { state } warnings { code message article mayOverride
      overridden } errors { code } } }"""
    submitted = registrar.data(submit, {"id": gid(case)})["submitCase"]
    assert submitted["result"] == {"state": "IN_REVIEW"} and submitted["errors"] == []
    assert [(w["code"], w["mayOverride"], w["overridden"]) for w in submitted["warnings"]] == [
        ("transfer_initial_grade", False, False)]
    assert submitted["warnings"][0]["message"] == "初始年级一般不予转学"
    case = Case.objects.get(pk=case.pk)
    case = case_approve(acting_user=world.school_user(destination), case=case)
    case = case_approve(acting_user=world.school_head(places["school"]), case=case)  # not the submitter
    county = Api(world.authority_user(places["county"], role=Role.REVIEWER))
    approve = """mutation($id: ID!) { approveCase(id: $id) { result { state } warnings { code mayOverride }
      errors { code article } } }"""
    refused = county.data(approve, {"id": gid(case)})["approveCase"]
    assert refused["errors"] == [{"code": "transfer_initial_grade", "article": "第二十六条"}]
    assert refused["warnings"] == [{"code": "transfer_initial_grade", "mayOverride": True}]  # the county may

    # Now make the case break a rule no one may override: a destination class of another grade.
    Case.objects.filter(pk=case.pk).update(details={"destination_class": class_of(destination, cohort=2024).pk})
    override = """mutation($id: ID!, $rule: String!) { overrideRule(id: $id, ruleCode: $rule, reason: "特殊情况") {
      result { id } errors { field code message article } } }"""
    for caller in (county, registrar):  # the approver and anyone else get the same reason
        answer = caller.data(override, {"id": gid(case), "rule": "transfer_across_grades"})["overrideRule"]
        assert answer["result"] is None
        assert [(e["field"], e["code"], e["article"]) for e in answer["errors"]] == [
            ("ruleCode", "rule_not_overridable", "第二十六条")]
        assert "不得特批" in answer["errors"][0]["message"]
    assert Case.objects.get(pk=case.pk).overrides == []


def test_a_list_compiled_for_an_office_is_not_served_after_the_office_changes(world, transfer):
    """Who decides a step depends on the role and office (cases.workflow.task_states_awaiting):
    a case list compiled once per shape names them in its key, so a reviewer moved to another
    office no longer sees the steps of the first."""
    from cases.models import StaffProfile
    from cases.services.cases import case_approve
    from cases.workflow import current_step

    case = transfer
    while current_step(case).approver_school_id:  # the schools' steps first
        case = case_approve(acting_user=world.approver_of_current_step(case), case=case, comment="同意")
    reviewer = world.approver_of_current_step(case)
    mine = 'query { cases(awaitingMe: true, first: 10) { edges { node { number } } } }'
    numbers = lambda: [e["node"]["number"] for e in Api(reviewer).data(mine)["cases"]["edges"]]
    assert numbers() == [case.number] and numbers() == [case.number]  # compiled, then run again
    StaffProfile.objects.filter(user=reviewer).update(office="exam")  # 省级考试管理部门's office
    assert numbers() == []
