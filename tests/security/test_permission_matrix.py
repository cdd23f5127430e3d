"""The permission matrix, generated: every demo role × every admin URL that names an object of
the registry (enumerated from the URL resolver: every snippet viewset's views and every other
admin route whose name or argument names a registry model) × an in-scope object, an
out-of-scope object and the former school's view of a transferred student.

Expected, independently of cases/access.py (from how the scenario was built):
- out of scope: exactly the answer for a missing object (never a hint that it exists);
- in scope: an answer (200, a redirect, 403 for a write the role may not do, 405 for a
  POST-only route), never the missing-object answer, never a 500;
- the former school's side: the student's own page reads (200), its write views refuse (403),
  and what the new school made after the hand-over answers like a missing object;
and every body free of out-of-scope names and numbers."""

import re

import pytest
from django.apps import apps
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from cases import models as m

from .scenario import build

ROLES = ("school", "school_head", "county", "city", "province", "exam", "superuser")  # every demo role
LOCAL = ("school", "school_head", "county", "city")  # 城关甲校 and the units above it
MISSING = 987654321
WRITE_VIEWS = re.compile(r"(edit|delete|lock|unlock|revoke|workflow|publish|unpublish|copy|revisions_revert|"
                         r"evidence|certificates$|issue)")


def admin_object_urls():
    """(url name, kwarg name, model) of every admin route taking one object."""
    found = []

    def walk(patterns, namespaces, route):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                ns = namespaces + [pattern.namespace] if pattern.namespace else namespaces
                walk(pattern.url_patterns, ns, route + str(pattern.pattern))
            elif isinstance(pattern, URLPattern) and pattern.name:
                full = route + str(pattern.pattern)
                kwargs = list(pattern.pattern.regex.groupindex)
                if full.startswith("admin/") and len(kwargs) == 1:
                    found.append((":".join(namespaces + [pattern.name]), kwargs[0], namespaces))

    walk(get_resolver().url_patterns, [], "")
    registry = {model._meta.model_name: model for model in apps.get_app_config("cases").get_models()}
    result, unclassified = [], []
    for name, kwarg, namespaces in found:
        model = None
        snippet = next((ns for ns in namespaces if ns.startswith("wagtailsnippets_cases_")), None)
        if snippet:
            model = registry.get(snippet.removeprefix("wagtailsnippets_cases_"))
        else:
            tokens = set(re.split(r"[_:]", name.lower())) | set(kwarg.lower().split("_"))
            model = next((registry[t] for t in tokens if t in registry), None)
        if model is not None:
            result.append((name, kwarg, model))
        elif "cases" in name or "xueji" in name:
            unclassified.append(name)  # routes of intake batches, classes to print, users: not registry objects
    return result


def objects(scenario):
    """model → {kind: object}: in scope of 甲校's side, out of it (秦州), the former side."""
    mover, stayer, outsider = (scenario.students[k] for k in ("mover", "stayer", "outsider"))
    jia, bing = scenario.schools["jia"], scenario.schools["bing"]
    old = m.Registration.objects.get(student=mover, school=jia)
    new = m.Registration.objects.get(student=mover, school=bing)
    return {
        m.Student: {"in": stayer, "out": outsider, "former_read": mover},
        m.Registration: {"in": m.Registration.objects.get(student=stayer), "out": m.Registration.objects.get(
            student=outsider), "former_read": old, "former_after": new},
        # 丙校 is not out of scope for 甲校's side: a transfer's origin reads the school its student
        # moved to (both sides of a case read each other's school, cases/access.py _schools_read),
        # so it is checked like the former side's view: it reads, and its write views refuse.
        # (城关乙校 cannot serve as "out": the county and city above 甲校 hold it too.)
        m.School: {"in": jia, "former_read": bing},
        m.SchoolClass: {"in": m.SchoolClass.objects.filter(school=jia).first(),
                        "out": m.SchoolClass.objects.filter(school=bing).first()},
        # 丙校's draft names 乙校 as destination: 城关's county and city (乙校's authorities) read it
        # by design (the destination side reads whom it is asked to take); only 甲校 must not.
        m.Case: {"in": scenario.cases["transfer"], "out_for_school": m.Case.objects.filter(
            school=bing, student=scenario.students["incoming"]).first(), "former_after": scenario.cases["later"]},
        m.Certificate: {"former_after": scenario.certificates["after"]},
        m.ArchiveEntry: {"in": m.ArchiveEntry.objects.filter(student=stayer).first() or m.ArchiveEntry.objects.filter(
            student=mover, school=jia).first(), "out": m.ArchiveEntry.objects.filter(student=outsider).first(),
            "former_after": scenario.archive["after"]},
        m.AuxiliaryNumber: {"in": m.AuxiliaryNumber.objects.filter(registration__student=stayer).first(),
                            "out": m.AuxiliaryNumber.objects.filter(registration__student=outsider).first()},
        m.StaffProfile: {"in": scenario.users["school"].staff_profile,
                         "out": scenario.users["other_county"].staff_profile},
    }


def secrets(scenario):
    """What 甲校's side must never read: the other county's student, what 丙校 made after the
    hand-over, and the whole ID number of the student it handed over — his G registry number
    included, which is "G" + that ID number (it reads both masked, cases/access.py)."""
    outsider, mover = scenario.students["outsider"], scenario.students["mover"]
    assert mover.registry_number.startswith("G")
    return [outsider.name, outsider.registry_number, outsider.id_number, "丙校三好学生",
            scenario.certificates["after"].serial, scenario.cases["later"].number,
            mover.registry_number, mover.id_number]


@pytest.mark.django_db
def test_every_admin_object_url_for_every_role():
    scenario = build()
    urls = admin_object_urls()
    assert {model for _, _, model in urls} >= {m.Student, m.Registration, m.Case, m.Certificate, m.School}
    table = objects(scenario)
    forbidden = secrets(scenario)
    checked = 0
    for role in ROLES:
        client = Client()
        client.force_login(scenario.users[role])
        local = role in LOCAL
        for name, kwarg, model in urls:
            cases = table.get(model, {})
            url_of = lambda pk: reverse(name, kwargs={kwarg: pk})  # noqa: E731
            missing = client.get(url_of(MISSING)).status_code
            assert missing in (302, 403, 404, 405), (role, name, missing)
            for kind, obj in cases.items():
                if obj is None:
                    continue
                response = client.get(url_of(obj.pk))
                status = response.status_code
                body = response.content.decode(errors="replace") if status == 200 else ""
                checked += 1
                assert status != 500, (role, name, kind)
                hidden = local and kind in ("out", "former_after") or (role in ("school", "school_head") and kind == "out_for_school")
                if hidden:
                    assert status == missing, (role, name, kind, status, missing)
                elif missing == 404 and not (status == 404 and not scenario.users[role].has_perm(
                        f"cases.view_{model._meta.model_name}")):
                    # (A role without the model's view permission, e.g. a school registrar and staff
                    # profiles, is offered none of them: its own too may answer like a missing one.)
                    # In scope: an answer, never the missing-object one (a write the role may not
                    # do is a 403; the former school's write views of its old student too).
                    assert status != 404, (role, name, kind)
                    if local and kind == "former_read" and WRITE_VIEWS.search(name.split(":")[-1]):
                        assert status in (302, 403, 405), (role, name, status)
                if local:
                    leaked = [s for s in forbidden if s and s in body]
                    assert not leaked, (role, name, kind, leaked)
    assert checked > 100
