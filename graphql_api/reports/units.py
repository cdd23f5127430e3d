"""The unit a report or a roster names, as the admin's pages decide it (cases/statistics.py,
cases/services/exports.py): shared by the GraphQL fields and the downloads they link to, so a
download answers exactly what the field said. Out of scope is None (null, or a 404)."""

from urllib.parse import urlencode

from graphql_relay import to_global_id

from cases import models as m
from cases import statistics as stats
from cases.services.exports import roster_choices
from graphql_api.core.ids import InvalidId, decode
from graphql_api.registry.types import SchoolClassNode, SchoolNode

STAGES = {value for value, _ in m.Stage.choices}


class BadArgument(ValueError):
    """An argument no report accepts (message in Chinese)."""


def _pk(global_id, node_type):
    try:
        return decode(global_id, node_type) if global_id else None
    except InvalidId:
        raise BadArgument("无效的ID") from None


def report_unit(user, *, code=None, school_id=None):
    """The statistics' unit: a jurisdiction by code, or a school by its global id; by default the
    caller's own unit. None when out of scope or unknown."""
    if code and school_id:
        raise BadArgument("请只指定 code 或 schoolId 之一")
    return stats.unit_for(user, code=code or None, school_id=_pk(school_id, SchoolNode))


def unit_query(unit):
    """The query string naming ``unit`` in a download URL."""
    if unit.is_school:
        return {"school": to_global_id("School", unit.school.pk)}
    return {"code": unit.code}


def unit_label(unit):
    if unit.is_school:
        return unit.school.name
    return m.Jurisdiction.objects.filter(code=unit.code).values_list("name", flat=True).first() or unit.code


def roster_selection(user, *, school_id=None, class_id=None, unit_code=None, stage=None, grade=None):
    """{school, school_class, unit, stage, grade} of a roster as the admin's form accepts it (what
    it may name: ``roster_choices``); None when something named is out of scope or unknown."""
    if not (school_id or class_id or unit_code):
        raise BadArgument("请指定学校、班级,或县(区)/市(州)")
    if grade is not None and not 1 <= grade <= 9:
        raise BadArgument("年级为 1 至 9(入学第几年)")
    if stage and stage not in STAGES:
        raise BadArgument("学段无效")
    choices = roster_choices(user)
    found = {"school": None, "school_class": None, "unit": None, "stage": stage or None, "grade": grade}
    for key, queryset, lookup in (("school", choices["schools"], {"pk": _pk(school_id, SchoolNode)}),
                                  ("school_class", choices["classes"], {"pk": _pk(class_id, SchoolClassNode)}),
                                  ("unit", choices["units"], {"code": unit_code})):
        if any(v is not None for v in lookup.values()):
            found[key] = queryset.filter(**lookup).first()
            if found[key] is None:
                return None
    return found


def roster_query(selection, export_format):
    query = {"format": export_format}
    if selection["school"] is not None:
        query["school"] = to_global_id("School", selection["school"].pk)
    if selection["school_class"] is not None:
        query["class"] = to_global_id("SchoolClass", selection["school_class"].pk)
    if selection["unit"] is not None:
        query["unit"] = selection["unit"].code
    if selection["stage"]:
        query["stage"] = selection["stage"]
    if selection["grade"]:
        query["grade"] = selection["grade"]
    return urlencode(query)
