"""The typed GraphQL input of every case type, generated from its declared fields
(cases/case_types/fields.py), and their conversion to the services' arguments.

``CaseFieldsInput`` has one member per case type (``transfer``, ``correction``…) and exactly
one is given: its fields are that type's fields, typed (enums with Chinese descriptions, Date,
Int, Boolean, Relay IDs for objects, lists of row inputs for repeating rows). No JSON string,
no database id, no internal code outside an enum.
"""

import enum

import graphene
from graphene.utils.str_converters import to_camel_case

from cases import models as m
from cases.case_types import CASE_TYPES
from cases.case_types import fields as f
from cases.errors import RuleError
from graphql_api.core import enums
from graphql_api.core.ids import InvalidId, decode
from graphql_api.core.mutations import BadId, NotFound
from graphql_api.registry.types import JurisdictionNode, RegistrationNode, SchoolClassNode, SchoolNode, StudentNode

NODES = {f.STUDENT: StudentNode, f.SCHOOL: SchoolNode, f.SCHOOL_CLASS: SchoolClassNode,
         f.JURISDICTION: JurisdictionNode, f.REGISTRATIONS: RegistrationNode}
# Declared choices that are a model's own choices reuse the schema's enum of that model.
SHARED_ENUMS = {frozenset(m.Stage.values): (enums.Stage, m.Stage),
                frozenset(m.Gender.values): (enums.Gender, m.Gender),
                frozenset(m.HouseholdType.values): (enums.HouseholdType, m.HouseholdType),
                frozenset(m.TransferScope.values): (enums.TransferScope, m.TransferScope)}


def pascal(text):
    return "".join(part.capitalize() for part in text.split("_"))


def input_name(item):
    """The API's name of a declared field: objects are ``…Id``/``…Ids`` (Relay ids)."""
    if item.kind == f.REGISTRATIONS:
        return to_camel_case(f"{item.key}_ids" if not item.key.endswith("s") else f"{item.key[:-1]}_ids")
    if item.kind in NODES:
        return to_camel_case(f"{item.key}_id")
    return to_camel_case(item.key)


def _member(code, key):
    return code.upper() if code.isidentifier() else f"{key.upper()}_{code}"


_ENUMS = {}


def choice_enum(type_name, item):
    """The enum of a declared choice: a shared one when the choices are a model's, else one
    per field (members in English, the Chinese label as description)."""
    shared = SHARED_ENUMS.get(frozenset(code for code, _ in item.choices))
    if shared:
        return shared[0]
    name = f"{type_name}{pascal(item.key)}"
    if name not in _ENUMS:
        labels = dict(item.choices)
        python_enum = enum.Enum(name, {_member(code, item.key): code for code in labels})
        _ENUMS[name] = graphene.Enum.from_enum(
            python_enum, description=lambda member, labels=labels, label=item.label:
            str(labels[member.value]) if member else label)
    return _ENUMS[name]


def describe(item, case_type=None):
    text = item.label
    if item.help:
        text += f"。{item.help}"
    if item.article and item.article not in text:
        text += f"(依据{item.article})"
    if item.required is True:
        text += "。必填"
    elif isinstance(item.required, tuple) and case_type is not None:
        text += "。事由为 " + "、".join(item.required) + " 时必填"
    elif callable(item.required):
        text += "。视情形必填"
    return text


def graphene_field(type_name, item, case_type=None):
    description = describe(item, case_type)
    kind = item.kind
    if kind in (f.TEXT, f.LONGTEXT, f.ID_NUMBER):
        return graphene.String(description=description)
    if kind == f.CHOICE:
        return graphene.InputField(choice_enum(type_name, item), description=description)
    if kind == f.MULTICHOICE:
        return graphene.List(graphene.NonNull(choice_enum(type_name, item)), description=description)
    if kind == f.DATE:
        return graphene.Date(description=description)
    if kind == f.BOOL:
        return graphene.Boolean(description=description)
    if kind == f.INT:
        return graphene.Int(description=description)
    if kind == f.REGISTRATIONS:
        return graphene.List(graphene.NonNull(graphene.ID), description=f"{description}(Registration 的 ID)")
    if kind in NODES:
        return graphene.ID(description=f"{description}({NODES[kind]._meta.name} 的 ID)")
    if kind == f.ROWS:
        return graphene.List(graphene.NonNull(row_input(f"{type_name}{pascal(item.key)}", item)),
                             description=description)
    raise ValueError(kind)


def row_input(name, item):
    attrs = {input_name(sub): graphene_field(name, sub) for sub in item.rows}
    attrs["__doc__"] = f"{item.label}的一行"
    return type(f"{name}RowInput", (graphene.InputObjectType,), attrs)


def case_input(case_type):
    name = pascal(case_type.code)
    attrs = {input_name(item): graphene_field(name, item, case_type) for item in case_type.all_fields()}
    attrs["__doc__"] = f"{case_type.name}({'、'.join(case_type.articles)})的案卷字段;更新草稿时只改所给字段,显式 null 清空"
    return type(f"{name}CaseInput", (graphene.InputObjectType,), attrs)


CASE_INPUTS = {code: case_input(case_type) for code, case_type in CASE_TYPES.items()}
MEMBERS = {to_camel_case(code): code for code in CASE_TYPES}

CaseFieldsInput = type("CaseFieldsInput", (graphene.InputObjectType,), {
    "__doc__": "案卷字段:恰好给出一个成员,成员名即变动类型(transfer、correction…),其字段由该类型的声明生成",
    **{to_camel_case(code): graphene.InputField(CASE_INPUTS[code], description=f"{CASE_TYPES[code].name}")
       for code in CASE_TYPES},
})


# --- input → services ----------------------------------------------------------------------------
def chosen_type(data):
    """(case type code, that member's values); exactly one member must be given."""
    given = [(MEMBERS[key], value) for key, value in data.items() if value is not None]
    if len(given) != 1:
        raise RuleError("case_fields_one_type", "请恰好给出一种变动类型的字段(如 transfer)", field="input")
    return given[0]


def _pk(info, kind, global_id, field):
    try:
        return decode(global_id, NODES[kind])
    except InvalidId:
        raise BadId(field) from None


def _value(info, item, value, field):
    """An input value in the form the declaration cleans (enum members → codes, ids → keys)."""
    if value is None:
        return None
    if item.kind == f.CHOICE:
        return enums.value(value)
    if item.kind == f.MULTICHOICE:
        return [enums.value(v) for v in value]
    if item.kind == f.REGISTRATIONS:
        return [_pk(info, item.kind, v, field) for v in value]
    if item.kind in NODES:
        return _pk(info, item.kind, value, field)
    if item.kind == f.ROWS:
        return [{sub.key: _value(info, sub, row.get(input_name(sub)), f"{field}.{input_name(sub)}")
                 for sub in item.rows if input_name(sub) in row} for row in value]
    return value


def service_fields(info, case_type, data, case=None):
    """The member's values → (student or None, {column: value}, details or None). Only the
    fields given are changed; details merge into the stored ones (``case``) on update."""
    student, columns, flat = None, {}, {}
    for item in case_type.all_fields():
        name = input_name(item)
        if name not in data:
            continue
        value = _value(info, item, data[name], name)
        if item.key == "student":
            student = value
            continue
        if item.column:
            cleaned = item.clean(value)
            if item.kind == f.DATE:
                columns[item.name] = value
            elif item.kind == f.SCHOOL:
                columns[item.name] = _school(cleaned, name)
            else:
                columns[item.name] = cleaned or ""
        else:
            flat[item.key] = value
    details = None
    if flat or case is None:
        stored = {i.key: case_type.stored(case, i) for i in case_type.detail_fields()} if case is not None else {}
        merged = {k: v for k, v in {**stored, **flat}.items() if v not in (None, "", [])}
        details = case_type.nest(merged)
    return student, columns, details


def _school(pk, field):
    if pk is None:
        return None
    school = m.School.objects.filter(pk=pk).first()
    if school is None:
        raise NotFound(field)
    return school


def api_path(case_type, path):
    """An error's path in this input's names, rows included: ``people[1].schoolClass`` (the
    declaration's ``people[1].school_class``) → ``people[1].schoolClassId``."""
    import re

    items, parts = case_type.all_fields(), []
    for segment in path.split("."):
        match = re.match(r"^([A-Za-z_]+)(.*)$", segment)
        name, rest = match.groups() if match else (segment, "")
        key = re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower()
        item = next((i for i in items if key in (i.key, i.name)), None)
        if item is None:
            parts.append(segment)
            items = ()
            continue
        parts.append(input_name(item) + rest)
        items = item.rows
    return ".".join(parts)

