"""Generated from the schema: for every object type, every field returning an object, a list of
objects or a connection, what comes back is something the same user can fetch at the root
(``node(id:)``); out-of-scope targets are never returned. Nothing is hand-listed: a field added
tomorrow is probed by the same loop."""

import pytest
from django.test import override_settings
from graphene import relay
from graphene.utils.str_converters import to_camel_case
from graphql_relay import to_global_id

from graphql_api.core.optimize import NODE_TYPES
from graphql_api.schema import schema  # noqa: F401  (builds every node type)
from tests.graphql.kit import Api

from .scenario import build

ROLES = ("school", "school_head", "destination_school", "new_school", "county", "city", "province", "exam",
         "other_county", "superuser")


def _unwrap(graphene_type):
    while hasattr(graphene_type, "of_type"):
        graphene_type = graphene_type.of_type
    return graphene_type


def object_fields(node_type):
    """(graphql name, selection) of every field of ``node_type`` returning node objects."""
    for name, field in node_type._meta.fields.items():
        target = _unwrap(field.type)
        if isinstance(target, type) and issubclass(target, relay.Connection):
            yield to_camel_case(name), "{ edges { node { id } } }"
        elif NODE_TYPES.get(getattr(target, "__name__", None)) is target:
            yield to_camel_case(name), "{ id }"


def _ids(value):
    if value is None:
        return []
    if isinstance(value, list):
        return [item["id"] for item in value]
    if "edges" in value:
        return [edge["node"]["id"] for edge in value["edges"]]
    return [value["id"]]


def reached(api, node_type, pks, fields):
    """{(object id, field): [target ids]} for the objects the user can fetch."""
    selection = " ".join(f"{name} {sub}" for name, sub in fields)
    found = {}
    for start in range(0, len(pks), 5):
        chunk = pks[start:start + 5]
        query = "{ " + " ".join(
            f'o{n}: node(id: "{to_global_id(node_type._meta.name, pk)}") {{ id ... on {node_type._meta.name} {{ {selection} }} }}'
            for n, pk in enumerate(chunk)) + " }"
        data = api.data(query)
        for n, pk in enumerate(chunk):
            obj = data[f"o{n}"]
            if obj is not None:
                for name, _ in fields:
                    found[(obj["id"], name)] = _ids(obj[name])
    return found


def fetchable(api, global_ids):
    global_ids = sorted(set(global_ids))
    seen = set()
    for start in range(0, len(global_ids), 20):
        chunk = global_ids[start:start + 20]
        data = api.data("{ " + " ".join(f'r{n}: node(id: "{gid}") {{ id }}' for n, gid in enumerate(chunk)) + " }")
        seen |= {data[f"r{n}"]["id"] for n in range(len(chunk)) if data[f"r{n}"]}
    return seen


@pytest.mark.django_db
@override_settings(XUEJI_GRAPHQL_MAX_COST=10**9)
def test_no_join_returns_what_the_root_refuses():
    scenario = build()
    cut = 0  # joins the guard withheld: the test must exercise real out-of-scope targets
    probed = set()
    for node_type in sorted(set(NODE_TYPES.values()), key=lambda t: t.__name__):
        fields = list(object_fields(node_type))
        pks = list(node_type._meta.model._default_manager.order_by("pk").values_list("pk", flat=True)[:60])
        if not fields or not pks:
            continue
        everything = reached(Api(scenario.users["superuser"]), node_type, pks, fields)
        for role in ROLES:
            api = Api(scenario.users[role])
            got = reached(api, node_type, pks, fields)
            returned = {target for targets in got.values() for target in targets}
            visible = fetchable(api, returned | {t for k in got for t in everything.get(k, [])})
            assert returned <= visible, (role, node_type.__name__, returned - visible)
            for key, targets in got.items():
                probed.add((node_type._meta.name, key[1]))
                cut += len(set(everything.get(key, [])) - set(targets) - visible)
    assert cut > 0, "the scenario must hold joins to out-of-scope objects"
    # Every kind of join was probed: cases, students, registrations, steps and evidence at least.
    assert {("Case", "registration"), ("Case", "student"), ("Case", "evidence"), ("Registration", "student"),
            ("Student", "registrations"), ("Case", "steps")} <= probed


# --- personal numbers through every field that returns a student -------------------------------------
STUDENT_SELECTION = "{ id registryNumber idNumber }"


def student_fields(node_type):
    """(graphql name, selection) of every field of ``node_type`` returning students (an object, a
    list or a connection), from the schema."""
    student = NODE_TYPES["StudentNode"]
    for name, field in node_type._meta.fields.items():
        target = _unwrap(field.type)
        if isinstance(target, type) and issubclass(target, relay.Connection) and target._meta.node is student:
            yield to_camel_case(name), "{ edges { node " + STUDENT_SELECTION + " } }"
        elif target is student:
            yield to_camel_case(name), STUDENT_SELECTION


def _students(value):
    if value is None:
        return []
    if isinstance(value, list):
        return value
    if "edges" in value:
        return [edge["node"] for edge in value["edges"]]
    return [value]


@pytest.mark.django_db
@override_settings(XUEJI_GRAPHQL_MAX_COST=10**9)
def test_every_field_returning_a_student_masks_a_g_number_for_a_non_holder():
    """A G registry number is "G" + the ID number: whatever path reaches a student (a case's
    subject, a registration's, an archive entry's, a certificate's…), the number is whole exactly
    when the caller holds the student, else masked like the ID number."""
    from graphql_relay import from_global_id

    from cases import access
    from cases import models as m

    scenario = build()
    numbers = {str(s.pk): (s.registry_number, s.id_number) for s in m.Student.objects.all()}
    probed, masked_seen = set(), 0
    for node_type in sorted(set(NODE_TYPES.values()), key=lambda t: t.__name__):
        fields = list(student_fields(node_type))
        pks = list(node_type._meta.model._default_manager.order_by("pk").values_list("pk", flat=True)[:60])
        if not fields or not pks:
            continue
        for role in ROLES:
            user = scenario.users[role]
            api = Api(user)
            selection = " ".join(f"{name} {sub}" for name, sub in fields)
            for start in range(0, len(pks), 5):
                chunk = pks[start:start + 5]
                query = "{ " + " ".join(
                    f'o{n}: node(id: "{to_global_id(node_type._meta.name, pk)}") {{ ... on {node_type._meta.name} '
                    f'{{ {selection} }} }}' for n, pk in enumerate(chunk)) + " }"
                data = api.data(query)
                for n in range(len(chunk)):
                    for name, _ in fields:
                        for student in _students((data[f"o{n}"] or {}).get(name)):
                            probed.add((node_type._meta.name, name))
                            pk = from_global_id(student["id"])[1]
                            whole, id_number = numbers[pk]
                            held = bool(access.students_held(user, [int(pk)], cached=False))
                            expected = whole if held else access.mask("registry_number", whole)
                            assert student["registryNumber"] == expected, (role, node_type.__name__, name)
                            assert (student["idNumber"] == id_number) is held or not id_number
                            masked_seen += not held and whole.startswith("G")
    assert masked_seen > 0, "the scenario must reach students the caller does not hold"
    assert {("Case", "student"), ("Registration", "student"), ("ArchiveEntry", "student")} <= probed
