"""The case mutations inside scope: one service call each, the admin's rule codes as typed errors."""

import datetime

from graphql_relay import to_global_id

from cases.models import Case, RegistryTaskState, Role
from tests.case_types.helpers import PDF
from tests.factories import SchoolClassFactory, register_student
from tests.graphql.kit import Api, data_of, error_codes, upload

CREATE = """mutation($input: CreateCaseInput!) { createCase(input: $input) { result { id number state caseType reason
  destinationSchool { code } transferScope stage details } errors { field code message article } } }"""
UPDATE = """mutation($id: ID!, $input: CaseDraftInput!) { updateCaseDraft(id: $id, input: $input) {
  result { reason reasonText destinationSchool { code } endOn details } errors { field code message } } }"""


def gid(case):
    return to_global_id("Case", case.pk)


def transfer_input(pupil, destination, **extra):
    return {"caseType": "transfer", "studentId": to_global_id("Student", pupil.student_id), "transferScope": "WITHIN",
            "destinationSchoolCode": destination.code, "reason": "relocation", "effectiveOn": "2026-03-02", **extra}


def test_create_case_at_the_callers_school(people, places, pupil):
    api = Api(people["registrar"])
    result = api.data(CREATE, {"input": transfer_input(pupil, places["same_county_school"],
                                                        details='{"destination_class": null}')})["createCase"]
    assert result["errors"] == []
    assert result["result"]["state"] == "DRAFT" and result["result"]["stage"] == "JUNIOR"
    assert result["result"]["destinationSchool"]["code"] == places["same_county_school"].code
    assert Case.objects.get().school == places["school"] and Case.objects.get().created_by == people["registrar"]


def test_create_case_rule_errors_are_the_services_codes(people, places, pupil):
    api = Api(people["registrar"])
    errors = api.data(CREATE, {"input": {"caseType": "transfer", "studentId": to_global_id("Student", pupil.student_id),
                                         "transferScope": "WITHIN"}})["createCase"]["errors"]
    assert {(e["field"], e["code"]) for e in errors} == {
        ("reason", "case_reason"), ("effectiveOn", "case_effective_on"),
        ("destinationSchoolCode", "transfer_destination")}
    errors = api.data(CREATE, {"input": transfer_input(pupil, places["school"])})["createCase"]["errors"]
    assert errors == [{"field": "destinationSchoolCode", "code": "transfer_same_school", "message": "转入学校不能是原学校",
                       "article": "第二十二条"}]
    errors = api.data(CREATE, {"input": {"caseType": "nope"}})["createCase"]["errors"]
    assert errors[0]["code"] == "case_type_unknown" and errors[0]["field"] == "caseType"
    errors = api.data(CREATE, {"input": {**transfer_input(pupil, places["school"]), "destinationSchoolCode": "0000"}})
    assert errors["createCase"]["errors"][0] == {"field": "destinationSchoolCode", "code": "school_not_found",
                                                 "message": "没有该学校标识码对应的学校", "article": ""}
    errors = api.data(CREATE, {"input": {**transfer_input(pupil, places["school"]), "details": "[1]"}})
    assert errors["createCase"]["errors"][0]["code"] == "details_not_object"
    assert Case.objects.count() == 0


def test_only_school_staff_open_cases(people, places, pupil):
    answer = Api(people["county"]).data(CREATE, {"input": transfer_input(pupil, places["same_county_school"])})
    assert answer["createCase"]["errors"] == [{"field": None, "code": "permission_denied", "message": "无权执行此操作",
                                               "article": ""}]


def test_update_the_draft_then_not_after_submit(people, places, pupil):
    api = Api(people["registrar"])
    case = api.data(CREATE, {"input": transfer_input(pupil, places["same_county_school"])})["createCase"]["result"]
    result = api.data(UPDATE, {"id": case["id"], "input": {"reasonText": "新说明", "endOn": None,
                                                           "destinationSchoolCode": places["other_city_school"].code}})
    assert result["updateCaseDraft"]["errors"] == []
    assert result["updateCaseDraft"]["result"]["destinationSchool"]["code"] == places["other_city_school"].code
    result = api.data(UPDATE, {"id": case["id"], "input": {"destinationSchoolCode": None}})["updateCaseDraft"]
    assert result["errors"][0]["code"] == "transfer_destination"
    result = api.data(UPDATE, {"id": case["id"], "input": {"stage": "SENIOR"}})["updateCaseDraft"]
    assert result["errors"][0] == {"field": "stage", "code": "case_stage_fixed", "message": result["errors"][0]["message"]}
    case_object = Case.objects.get()
    from cases.services.cases import case_submit, evidence_attach
    from tests.case_types.helpers import pdf

    for kind in ("transfer_application", "residence_proof"):
        evidence_attach(acting_user=people["registrar"], case=case_object, kind=kind, uploaded_file=pdf())
    case_submit(acting_user=people["registrar"], case=case_object)
    result = api.data(UPDATE, {"id": case["id"], "input": {"reasonText": "再改"}})["updateCaseDraft"]
    assert result["errors"][0]["code"] == "case_not_editable"
    attach = """mutation($id: ID!, $file: Upload!) { attachEvidence(caseId: $id, kind: "other", file: $file) {
      errors { code } } }"""
    answer = data_of(upload(api, attach, {"id": case["id"]}, {"file": ("a.pdf", PDF, "application/pdf")}))
    assert answer["attachEvidence"]["errors"] == [{"code": "case_not_editable"}]


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

    case, submitter = open_case(world, case_type="transfer", school=places["school"], student=pupil.student,
                                transfer_scope="within", destination_school=places["same_county_school"],
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
      result { overrides } errors { field code } } }"""
    assert Api(submitter).data(override, {"id": gid(case), "rule": "transfer_initial_grade", "reason": "x"})[
        "overrideRule"]["errors"] == [{"field": None, "code": "permission_denied"}]
    assert county.data(override, {"id": gid(case), "rule": "nope", "reason": "x"})["overrideRule"]["errors"] == [
        {"field": "ruleCode", "code": "override_not_applicable"}]
    done = county.data(override, {"id": gid(case), "rule": "transfer_initial_grade", "reason": "家庭特殊困难"})
    assert '"transfer_initial_grade"' in done["overrideRule"]["result"]["overrides"]
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
