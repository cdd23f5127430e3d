"""The edge of every Django form the project serves (the admin's forms, Wagtail's own forms the
superuser reaches — pages, users, groups, sites, collections, workflows, settings —, our
snippets, the case editor, the public lookup): a wrong shape is answered with a Chinese error
at its field and the form is invalid, so nothing is saved, never a 500.

Installed once (``install``, from ``CmsConfig.ready``) on ``django.forms.BaseForm``, the one
place every form reads and cleans its fields:

- reading a field's raw data (``_widget_data_value``): a widget that cannot make sense of what
  was posted (a stream block's count that is not a number, a row index that is not one, a
  missing sub-field) and a value with control characters (NUL…) or broken encoding are refused
  at the field, and the form shows the stored value again instead;
- a refused key of a model choice is not drawn again (Wagtail's choosers look it up): the form
  shows the stored choice with the error;
- cleaning (``_clean_fields``, Django 5.2's loop plus the checks): what a field's cleaning
  cannot take (ValueError, TypeError, OverflowError from the input's shape) is a field error;
  a cleaned date outside 1900–2100, a whole number beyond 32 bits, a control character inside
  JSON, a registry text over ``MAX_TEXT`` where the field sets no limit, and a JSON value of
  the wrong shape (a list where the model's field holds an object, or the reverse) are refused.
The checks are cases/edge.py's, the same as the GraphQL edge's.

And on ``BaseFormSet``: a formset posted with more forms than it allows (``max_num``, 1000 by
default) builds only the stored rows and says so (Django's own cap, ``absolute_max``, still
builds and draws up to 2000 forms: half a minute of a server's CPU for one request).
"""

import logging

from django import forms
from django.forms import formsets
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models

from cases.edge import MAX_TEXT, problem

logger = logging.getLogger("xueji.forms")
MALFORMED = ("malformed", "提交的数据格式不正确,请重新填写")
# Forms of these apps hold registry text: a text without its own limit stops at MAX_TEXT.
REGISTRY_APPS = {"cases", "graphql_api"}
SHAPES = {dict: ("应为对象({…}),不能是列表或单个值", dict), list: ("应为列表([…]),不能是对象或单个值", list)}


def _problems(form):
    return form.__dict__.setdefault("_edge_problems", {})


def _initial_for(form, html_name):
    for name, field in form.fields.items():
        if form.add_prefix(name) == html_name:
            return form.get_initial_for_field(field, name)
    return None


def _widget_data_value(self, widget, html_name):
    if html_name in self.__dict__.get("_edge_refused_keys", ()):
        # A key no object has (a chooser's posted "[1]"): the form shows the stored choice
        # again, with the error; the widget would look the posted key up to draw it.
        return _initial_for(self, html_name)
    try:
        value = _django_widget_data_value(self, widget, html_name)
    except Exception as error:  # noqa: BLE001 - whatever the widget made of the posted data
        logger.info("malformed form data for %s: %r", html_name, error)
        _problems(self)[html_name] = MALFORMED
        return _initial_for(self, html_name)
    found = problem(value, max_text=None, label_keys=False)
    if found:
        _problems(self)[html_name] = found
        return _initial_for(self, html_name)
    return value


def _model_field(form, name):
    model = getattr(getattr(form, "_meta", None), "model", None)
    if model is None:
        return None, None
    try:
        return model, model._meta.get_field(name)
    except FieldDoesNotExist:
        return model, None


def _cleaned_problem(form, name, field, value):
    model, model_field = _model_field(form, name)
    registry = (model is not None and model._meta.app_label in REGISTRY_APPS) or \
        type(form).__module__.split(".")[0] in REGISTRY_APPS
    limit = MAX_TEXT if registry and isinstance(field, forms.CharField) and not field.max_length else None
    found = problem(value, max_text=limit, label_keys=False)
    if found:
        return found
    if isinstance(field, forms.JSONField) and isinstance(model_field, models.JSONField) and value is not None:
        shape = SHAPES.get(model_field.default)
        if shape and not isinstance(value, shape[1]):
            return "invalid_shape", shape[0]
    return None


def _clean_fields(self):
    """Django 5.2's ``BaseForm._clean_fields`` with the edge checks around each field."""
    problems = _problems(self)
    for name, bf in self._bound_items():
        field = bf.field
        try:
            if not field.disabled:
                bf.data  # noqa: B018 - read (and check) what was posted before cleaning it
            if bf.html_name in problems:
                code, message = problems[bf.html_name]
                raise ValidationError(message, code=code)
            try:
                value = field._clean_bound_field(bf)
            except (ValueError, TypeError, OverflowError, KeyError, IndexError) as error:
                logger.info("form field %s could not clean %r: %r", name, bf.data, error)
                raise ValidationError(MALFORMED[1], code=MALFORMED[0]) from error
            found = _cleaned_problem(self, name, field, value)
            if found:
                raise ValidationError(found[1], code=found[0])
            self.cleaned_data[name] = value
            if hasattr(self, "clean_%s" % name):
                value = getattr(self, "clean_%s" % name)()
                self.cleaned_data[name] = value
        except ValidationError as error:
            self.add_error(name, error)
            if isinstance(field, forms.ModelChoiceField):
                self.__dict__.setdefault("_edge_refused_keys", set()).add(bf.html_name)


_django_widget_data_value = forms.BaseForm._widget_data_value


_django_total_form_count = formsets.BaseFormSet.total_form_count
_django_full_clean = formsets.BaseFormSet.full_clean
TOO_MANY = "提交的条目过多(最多 {} 条),请重新填写"


def _over_max(formset):
    if not formset.is_bound or not formset.management_form.is_valid():
        return False
    return formset.management_form.cleaned_data[formsets.TOTAL_FORM_COUNT] > formset.max_num


def _total_form_count(self):
    if _over_max(self):
        return min(self.initial_form_count(), self.max_num)
    return _django_total_form_count(self)


def _full_clean(self):
    _django_full_clean(self)
    if _over_max(self) and not any(getattr(e, "code", None) == "too_many_forms" for e in self._non_form_errors.data):
        self._non_form_errors.append(ValidationError(TOO_MANY.format(self.max_num), code="too_many_forms"))


def install():
    if getattr(forms.BaseForm, "_xueji_edge", False):
        return
    forms.BaseForm._widget_data_value = _widget_data_value
    forms.BaseForm._clean_fields = _clean_fields
    formsets.BaseFormSet.total_form_count = _total_form_count
    formsets.BaseFormSet.full_clean = _full_clean
    forms.BaseForm._xueji_edge = True
