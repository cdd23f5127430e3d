"""Case fields declared once (cases/case_types/fields.py): from the declaration come the
values accepted, the admin form, the GraphQL input, the case page; a stored case migrates."""

import datetime
import re

import pytest
from django.core.exceptions import ValidationError
from graphql import GraphQLInputObjectType, GraphQLList, GraphQLNonNull, GraphQLScalarType

from cases.case_types import CASE_TYPES
from cases.case_types import fields as f
from cases.case_types.fields import Field, normalise_stored
from cases.errors import rule_errors
from graphql_api.schema import schema

CHINESE = re.compile(r"[\u4e00-\u9fff]")


def codes(info):
    return [(e["code"], e["field"]) for e in rule_errors(info.value)]


@pytest.mark.parametrize("code", sorted(CASE_TYPES))
def test_every_case_type_declares_its_fields_in_chinese(code):
    case_type = CASE_TYPES[code]
    items = case_type.all_fields()
    keys = [item.key for item in items]
    assert len(keys) == len(set(keys)) and "effective_on" in keys
    for item in items:
        assert CHINESE.search(item.label), item
        assert all(CHINESE.search(str(label)) for _, label in item.choices), item
        assert item.kind in {f.TEXT, f.LONGTEXT, f.CHOICE, f.MULTICHOICE, f.DATE, f.BOOL, f.INT, f.ID_NUMBER,
                             f.ROWS} | set(f.OBJECT_KINDS)
        assert (item.kind == f.ROWS) == bool(item.rows)
        if isinstance(item.required, tuple):
            assert set(item.required) <= set(case_type.reasons)  # "required for reason X" names real reasons
    if case_type.reasons:
        reason = case_type.field("reason")
        assert dict(reason.choices) == case_type.reasons and reason.required is True


def test_values_are_cleaned_as_declared_and_refused_in_chinese():
    date = Field("died_on", f.DATE, "死亡日期", article="第二十条")
    assert date.clean("2026年3月2日") == date.clean(datetime.date(2026, 3, 2)) == "2026-03-02"
    with pytest.raises(ValidationError) as info:
        date.clean("2026-02-30")
    assert codes(info) == [("field_invalid", "died_on")] and "死亡日期" in rule_errors(info.value)[0]["message"]
    gender = Field("gender", f.CHOICE, "性别", choices=(("M", "男"), ("F", "女")))
    assert gender.clean("男") == gender.clean("M") == "M"  # typing 男 is accepted, stored as the code
    with pytest.raises(ValidationError):
        gender.clean("X")
    hours = Field("hours", f.INT, "学时")
    assert hours.clean("12") == 12
    for bad in (-1, True, "十二"):
        with pytest.raises(ValidationError):
            hours.clean(bad)
    assert Field("id", f.ID_NUMBER, "身份证号").clean("11010519491231002x") == "11010519491231002X"
    assert Field("x", f.BOOL, "是否").clean("是") is True
    assert Field("s", f.SCHOOL, "学校").clean("12") == 12
    with pytest.raises(ValidationError):
        Field("s", f.SCHOOL, "学校").clean("某学校")


def test_rows_report_each_bad_row_with_its_number():
    people = CASE_TYPES["registration"].field("people")
    rows = [{"name": "甲", "gender": "女", "birth_date": "2020-01-01"},
            {"name": "乙", "gender": "未知", "birth_date": "2020-13-01", "nickname": "x"}]
    with pytest.raises(ValidationError) as info:
        people.clean(rows)
    problems = rule_errors(info.value)
    assert {(p["code"], p["field"]) for p in problems} == {
        ("case_field_unknown", "people[1].nickname"), ("field_invalid", "people[1].gender"),
        ("field_invalid", "people[1].birth_date")}
    assert all(p["message"].startswith("第2行:") for p in problems)
    assert people.clean(rows[:1]) == [{"name": "甲", "gender": "F", "birth_date": "2020-01-01"}]
    missing = f.missing(people.rows, {"name": "甲"}, prefix="people[0].")
    assert {e.field for e in missing} == {"people[0].gender", "people[0].birth_date"}


def test_details_accept_only_declared_fields_and_nest_groups():
    correction = CASE_TYPES["correction"]
    assert correction.clean_details({"changes": {"name": " 王晓明 ", "gender": "女"}}) == {
        "changes": {"name": "王晓明", "gender": "F"}}
    with pytest.raises(ValidationError) as info:
        correction.clean_details({"changes": {"registry_number": "G1"}, "note": "x"})
    assert set(codes(info)) == {("case_field_unknown", "changes_registry_number"), ("case_field_unknown", "note")}


def test_stored_details_migrate_to_the_typed_form_and_keep_what_cannot_be_read():
    correction, withdrawal = CASE_TYPES["correction"], CASE_TYPES["withdrawal"]
    assert normalise_stored(correction, {"changes": {"gender": "男", "birth_date": "2011/1/1"}}) == {
        "changes": {"gender": "M", "birth_date": "2011/1/1"}}  # an unreadable date stays as it was
    assert normalise_stored(withdrawal, {"absent_hours": "100", "term_hours": 300.0, "extract": {"a": 1}}) == {
        "absent_hours": 100, "term_hours": 300, "extract": {"a": 1}}


# --- the GraphQL input --------------------------------------------------------------------------
def _named(type_):
    while isinstance(type_, (GraphQLNonNull, GraphQLList)):
        type_ = type_.of_type
    return type_


def test_graphql_has_one_typed_input_per_case_type_and_no_json():
    from graphql_api.cases.inputs import input_name

    members = schema.graphql_schema.get_type("CaseFieldsInput").fields
    assert len(members) == len(CASE_TYPES)
    for code, case_type in CASE_TYPES.items():
        member = next(m for name, m in members.items() if name == re.sub(r"_(\w)", lambda x: x[1].upper(), code))
        input_type = _named(member.type)
        assert isinstance(input_type, GraphQLInputObjectType)
        assert set(input_type.fields) == {input_name(item) for item in case_type.all_fields()}
        for name, field in input_type.fields.items():
            named = _named(field.type)
            assert named.name != "JSONString", (code, name)
            item = next(i for i in case_type.all_fields() if input_name(i) == name)
            if item.kind in f.OBJECT_KINDS:
                assert named.name == "ID" and name.endswith(("Id", "Ids"))
            if item.kind == f.DATE:
                assert named.name == "Date"
            if item.kind == f.CHOICE:
                assert not isinstance(named, GraphQLScalarType)  # an enum, never a free string
    create = schema.graphql_schema.mutation_type.fields["createCase"]
    assert _named(create.args["input"].type).name == "CaseFieldsInput"


def test_case_types_query_describes_the_fields(db):
    from graphql_api.schema import schema as s

    result = s.execute('{ caseTypes { code fields { key inputName kind label required requiredForReasons '
                       'choices { code label } rows { key label } } } }')
    assert result.errors is None
    suspension = next(t for t in result.data["caseTypes"] if t["code"] == "suspension")
    hospital = next(x for x in suspension["fields"] if x["key"] == "hospital_county_level")
    assert hospital["requiredForReasons"] == ["illness", "sick_leave"] and hospital["kind"] == "bool"
    registration = next(t for t in result.data["caseTypes"] if t["code"] == "registration")
    people = next(x for x in registration["fields"] if x["key"] == "people")
    assert [r["label"] for r in people["rows"]][:3] == ["姓名", "性别", "出生日期"]
