"""Adding a case type stays one module, one template, one test: every registered type has its
module in cases/case_types/, its template of the case document (the case page and the case PDF)
and its test module, and the template renders the type's declared fields."""

import inspect
from pathlib import Path

import pytest
from django.template.loader import get_template, render_to_string

from cases.case_types import CASE_TYPES
from cases.models import Case
from tests.factories import SchoolFactory

ROOT = Path(__file__).resolve().parents[1]
TYPES = sorted(CASE_TYPES)


def module_name(case_type):
    return type(case_type).__module__.rsplit(".", 1)[1]


@pytest.mark.parametrize("code", TYPES)
def test_each_case_type_has_its_module_template_and_test_module(code):
    case_type = CASE_TYPES[code]
    # Its own module of cases/case_types/, discovered and registered (@register).
    assert Path(inspect.getsourcefile(type(case_type))) == ROOT / "cases" / "case_types" / f"{module_name(case_type)}.py"
    template = get_template(case_type.template_name)  # templates/cases/case_types/<code>.html
    source = Path(template.origin.name).read_text()
    assert Path(template.origin.name) == ROOT / "templates" / "cases" / "case_types" / f"{code}.html"
    assert '{% extends "cases/case_types/_document.html" %}' in source
    assert len(source.splitlines()) <= 10  # short: the declaration does the work
    tests = ROOT / "tests" / "case_types" / f"test_{module_name(case_type)}.py"
    assert tests.exists() and f'"{code}"' in tests.read_text(), f"{tests} does not test {code}"


def test_no_template_without_a_registered_type():
    folder = ROOT / "templates" / "cases" / "case_types"
    assert {p.stem for p in folder.glob("*.html") if not p.stem.startswith("_")} == set(CASE_TYPES)


@pytest.mark.django_db
@pytest.mark.parametrize("code", TYPES)
def test_the_template_renders_the_declared_fields(code):
    """The labels a person reads come from the declaration, in Chinese; no field key shows."""
    case_type = CASE_TYPES[code]
    school = SchoolFactory(name="城关区第一中学")
    values = {item.key: "说明文字" for item in case_type.detail_fields() if item.kind in ("text", "longtext")}
    case = Case(case_type=code, school=school, details=case_type.nest(values), reason_text="事由说明文字")
    fields = case_type.display(case)
    html = render_to_string(case_type.template_name, {"case": case, "fields_display": fields, "for_print": True})
    assert f'data-case-type="{code}"' in html and "城关区第一中学" in html
    assert "{#" not in html and "#}" not in html and "comment" not in html  # no template comment shows
    for item in fields:
        assert f"<dt>{item['label']}</dt>" in html
    for key in values:
        assert f">{key}<" not in html
