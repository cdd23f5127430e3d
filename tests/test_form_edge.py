"""The edge of every Django form (cms/formguard.py): what a field's widget or cleaning cannot take
is a Chinese error at that field, the form is invalid and can still be drawn; the checks are the
GraphQL edge's (cases/edge.py). The admin-wide walk is tests/test_admin_hostile_forms.py."""

import pytest
from django import forms

from cases import models as m
from cases.edge import MAX_TEXT


class JobRunForm(forms.ModelForm):
    class Meta:
        model = m.JobRun
        fields = ["job", "period", "preview", "outcome"]


class PlainForm(forms.Form):
    day = forms.DateField()
    count = forms.IntegerField()
    note = forms.CharField(required=False)


class ExplodingWidget(forms.TextInput):
    def value_from_datadict(self, data, files, name):
        return int(data[f"{name}-count"])  # a structured widget trusting what was posted


class StructuredForm(forms.Form):
    rows = forms.IntegerField(widget=ExplodingWidget, required=False)


def chinese(message):
    return any("\u4e00" <= c <= "\u9fff" for c in message)


@pytest.mark.parametrize("preview, code", [
    ("[1, 2]", "invalid_shape"),  # a list where the model holds an object
    ('"text"', "invalid_shape"),
    ('{"a": "\\u0000"}', "invalid_character"),  # NUL inside JSON (PostgreSQL's jsonb refuses it: a 500)
    ("{", "invalid"),
])
def test_json_of_the_wrong_shape_is_a_field_error(db, preview, code):
    form = JobRunForm(data={"job": "promotion", "period": "2026", "preview": preview, "outcome": ""})
    assert not form.is_valid()
    assert [e.code for e in form.errors.as_data()["preview"]] == [code]
    assert all(chinese(message) for message in form.errors["preview"])
    form.as_div()  # drawn again with the error
    assert JobRunForm(data={"job": "promotion", "period": "2026", "preview": '{"classes": 3}',
                            "outcome": ""}).is_valid()


@pytest.mark.parametrize("field, value, code", [
    ("day", "9999-12-31", "date_out_of_range"), ("day", "1899-12-31", "date_out_of_range"),
    ("count", str(2**40), "number_out_of_range"), ("count", "9" * 30, "number_out_of_range"),
    ("note", "王\x00明", "invalid_character"), ("note", "\x1b[31m", "invalid_character"),
    ("day", "2026-03-02\x00", "invalid_character"),
])
def test_far_dates_big_numbers_and_control_characters_are_field_errors(field, value, code):
    data = {"day": "2026-03-02", "count": "3", "note": "备注"}
    form = PlainForm(data={**data, field: value})
    assert not form.is_valid()
    assert [e.code for e in form.errors.as_data()[field]] == [code]
    assert chinese(form.errors[field][0])
    assert PlainForm(data=data).is_valid()


def test_text_without_its_own_limit_stops_at_the_edge_in_registry_forms_only(db):
    long_text = "长" * (MAX_TEXT + 1)
    registry = JobRunForm(data={"job": "promotion", "period": "2026", "preview": "{}", "outcome": long_text})
    assert [e.code for e in registry.errors.as_data()["outcome"]] == ["too_long"]
    assert PlainForm(data={"day": "2026-03-02", "count": "3", "note": long_text}).is_valid()  # not a registry form


@pytest.mark.parametrize("data", [{"rows-count": "十"}, {"rows-count": "9" * 5000}, {}])
def test_a_widget_that_cannot_read_what_was_posted_gives_a_field_error_and_draws_again(data):
    form = StructuredForm(data=data)
    assert not form.is_valid()
    assert [e.code for e in form.errors.as_data()["rows"]] == ["malformed"]
    assert chinese(form.errors["rows"][0])
    assert "rows" in form.as_div()  # drawn again without reading the posted data back


def test_a_refused_key_is_not_looked_up_again_when_the_form_is_drawn(db):
    """A model choice posted as "[1]" or "²": an error, and the form shows the stored choice
    (Wagtail's choosers look the posted key up to draw it)."""
    from wagtail.admin.widgets import AdminPageChooser

    from wagtail.models import Page

    class PageForm(forms.Form):
        page = forms.ModelChoiceField(queryset=Page.objects.all(), widget=AdminPageChooser())

    for value in ("[1]", "²", "9" * 30):
        form = PageForm(data={"page": value}, initial={"page": None})
        assert not form.is_valid() and list(form.errors) == ["page"]
        assert chinese(form.errors["page"][0])
        form.as_div()


def test_edge_is_installed_on_every_form():
    """Django's own forms (the password change, Wagtail's user form) get the same edge."""
    from django.contrib.auth.forms import AuthenticationForm

    form = AuthenticationForm(data={"username": "admin\x00", "password": "x"})
    assert not form.is_valid()
    assert [e.code for e in form.errors.as_data()["username"]] == ["invalid_character"]


@pytest.mark.parametrize("total", ["1001", "2001", "99999"])
def test_a_formset_posted_with_more_forms_than_it_allows_builds_none_of_them(total):
    """Django's own cap builds and draws up to 2000 forms (tens of seconds of CPU for one
    request): more than ``max_num`` is refused at once, in Chinese, with only the stored rows."""
    Rows = forms.formset_factory(forms.Form)  # noqa: N806 (a class)
    data = {"form-TOTAL_FORMS": total, "form-INITIAL_FORMS": "0"}
    formset = Rows(data=data)
    assert not formset.is_valid() and len(formset.forms) == 0
    assert [e.code for e in formset.non_form_errors().as_data()] == ["too_many_forms"]
    assert chinese(formset.non_form_errors()[0])
    formset = Rows(data={**data, "form-TOTAL_FORMS": "3"})  # within the limit: as before
    assert formset.is_valid() and len(formset.forms) == 3
