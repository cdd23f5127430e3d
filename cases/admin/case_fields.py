"""The case form, built from each case type's declared fields (cases/case_types/fields.py).

Every field becomes a form field a registrar fills without knowing any code: choices with
Chinese labels, date pickers, searchable pickers for students, schools, classes and
registrations (answered by ``LookupView`` from what ``access.pickable`` allows), and
repeating rows for lists (a registration batch's pupils). What the form collects is cleaned
by the declaration itself, so the admin and the API accept exactly the same values.
"""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.views import View

from cases import access
from cases import models as m
from cases.case_types import fields as f
from cases.case_types.display import object_labels
from cases.errors import rule_errors
from cases.search import student_search_filter

from .widgets import ChineseDateInput

DATE_FORMATS = ["%Y年%m月%d日", "%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d"]
RESULTS = 20
ROW_INDEX = re.compile(r"[0-9]{1,4}")  # rows-<index>-<sub field>; a big form has hundreds of rows, never 10,000
PLACEHOLDERS = {
    f.STUDENT: "输入姓名、拼音、学籍号或身份证号查找",
    f.SCHOOL: "输入校名或学校标识码查找",
    f.SCHOOL_CLASS: "输入班级名称查找,或直接点击列出",
    f.REGISTRATIONS: "输入姓名或学籍号查找,可选多人",
    f.JURISDICTION: "输入行政区划名称查找",
}


# --- widgets ---------------------------------------------------------------------------------
class PickerWidget(forms.Widget):
    """A search box with a result list; what is chosen is kept as hidden inputs (the person
    sees names, never keys)."""

    template_name = "cases/widgets/picker.html"

    def __init__(self, kind, *, multiple=False, within="", school=None, stage="", user=None, in_scope=False,
                 attrs=None):
        super().__init__(attrs)
        self.kind, self.multiple, self.within, self.school, self.stage = kind, multiple, within, school, stage
        self.user = user  # who reads the chosen labels (a G registry number whole only for the holder)
        self.in_scope = in_scope  # offer only what the user reads (a list's filter), not what a case may name

    def value_from_datadict(self, data, files, name):
        values = [v for v in (data.getlist(name) if hasattr(data, "getlist") else [data.get(name)]) if v]
        return values if self.multiple else (values[0] if values else None)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        values = value if isinstance(value, (list, tuple)) else ([value] if value not in (None, "") else [])
        pks = [pk for pk in map(f.parse_key, values) if pk is not None]
        labels = object_labels(self.kind, pks, self.user) if pks else {}
        context["widget"].update(
            chosen=[(pk, labels.get(pk, "")) for pk in pks if pk in labels], multiple=self.multiple,
            lookup=f"{reverse('wagtailsnippets_cases_case:lookup')}?kind={self.kind}{'&scope=1' if self.in_scope else ''}",
            within=self.within,
            school=getattr(self.school, "pk", self.school) or "", stage=self.stage or "",
            placeholder=PLACEHOLDERS.get(self.kind, "输入关键字查找"),
        )
        return context


class ScopedPickerWidget(PickerWidget):
    """The picker outside the case form, offering only what the user reads: a school among a
    city's or the province's thousands in a list's filters or the roster form, a class of the
    school chosen beside it (``within``), where a select would send them all with every page. It
    brings its own script; a list's filter form refreshes the list when a choice is made
    (cases/case_form.js)."""

    class Media:
        js = ["cases/case_form.js"]
        css = {"all": ["cases/case_form.css"]}

    def __init__(self, kind, *, user=None, within=""):
        super().__init__(kind, user=user, in_scope=True, within=within)


class RowsWidget(forms.Widget):
    """A table with one row per item and a button to add rows; inputs are named
    ``<field>-<row>-<sub field>`` (a list inside a row: ``<field>-<row>-<sub>-<n>-<subsub>``)."""

    template_name = "cases/widgets/rows.html"

    def __init__(self, item, *, class_choices=(), attrs=None):
        super().__init__(attrs)
        self.item, self.class_choices = item, list(class_choices)

    def columns(self):
        """(input suffix, label, kind, choices) per column; a nested list spreads into its
        ``max_rows`` groups of columns (a pupil's two guardians)."""
        columns = []
        for sub in self.item.rows:
            if sub.kind == f.ROWS:
                for n in range(sub.max_rows or 1):
                    columns += [(f"{sub.key}-{n}-{inner.key}", f"{sub.label}{n + 1}{inner.label.removeprefix('监护人')}",
                                 inner.kind, inner.choices) for inner in sub.rows]
            else:
                choices = self.class_choices if sub.kind == f.SCHOOL_CLASS else sub.choices
                columns.append((sub.key, sub.label, sub.kind, choices))
        return columns

    def value_from_datadict(self, data, files, name):
        indices = sorted({int(key.split("-")[1]) for key in data if key.startswith(f"{name}-")
                          and ROW_INDEX.fullmatch(key.split("-")[1])})
        rows = []
        for index in indices:
            row = {}
            for sub in self.item.rows:
                if sub.kind == f.ROWS:
                    inner_rows = []
                    for n in range(sub.max_rows or 1):
                        inner = {i.key: (data.get(f"{name}-{index}-{sub.key}-{n}-{i.key}") or "").strip()
                                 for i in sub.rows}
                        if any(inner.values()):
                            inner_rows.append({k: v for k, v in inner.items() if v})
                    if inner_rows:
                        row[sub.key] = inner_rows
                else:
                    value = (data.get(f"{name}-{index}-{sub.key}") or "").strip()
                    if value:
                        row[sub.key] = value
            if row:
                rows.append(row)
        return rows

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        rows = [_flat_row(self.item, row) for row in (value if isinstance(value, list) else [])]
        rows += [{}] * (1 if rows else 3)  # room for new rows
        columns = [{"suffix": s, "label": label, "kind": kind, "choices": [(str(c), str(lbl)) for c, lbl in choices]}
                   for s, label, kind, choices in self.columns()]
        context["widget"].update(
            columns=columns, label=self.item.label,
            rows=[[{**column, "name": f"{name}-{index}-{column['suffix']}", "value": row.get(column["suffix"], "")}
                   for column in columns] for index, row in enumerate(rows)],
        )
        return context


def _flat_row(item, row):
    """A stored row as {input suffix: text}: dates as 2014年4月3日 (the admin's one date form),
    keys as strings; what was typed and refused comes back as typed."""
    flat = {}
    for sub in item.rows:
        value = row.get(sub.key)
        if sub.kind == f.ROWS:
            for n, inner in enumerate(value or []):
                flat.update({f"{sub.key}-{n}-{k}": str(v) for k, v in inner.items() if v not in (None, "")})
        elif value not in (None, ""):
            if sub.kind == f.DATE and not hasattr(value, "isoformat"):
                try:
                    value = f.parse_date(value)
                except (TypeError, ValueError):
                    pass
            flat[sub.key] = f.chinese_date(value) if hasattr(value, "isoformat") else str(value)
    return flat


# --- form fields -----------------------------------------------------------------------------
class DeclaredField(forms.Field):
    """A form field that keeps what was entered and lets the declaration clean it."""

    def __init__(self, item, **kwargs):
        self.item = item
        super().__init__(**kwargs)

    def to_python(self, value):
        return value


def form_field(item, *, case_type, case, school, user=None):
    """The Django form field of one declared field, as ``user`` reads it."""
    required = item.required is True
    help_text = item.help
    if item.article and item.article not in help_text:
        help_text = f"{help_text}(依据{item.article})" if help_text else f"依据{item.article}"
    if isinstance(item.required, tuple) and item.required:
        reasons = "、".join(str(case_type.reasons.get(code, code)) for code in item.required)
        help_text = f"{help_text};事由为“{reasons}”时必填"
    options = {"label": item.label, "help_text": help_text, "required": required}
    kind = item.kind
    if kind == f.TEXT or kind == f.ID_NUMBER:
        return forms.CharField(max_length=item.max_length if kind == f.TEXT else 18, **options)
    if kind == f.LONGTEXT:
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=item.max_length, **options)
    if kind == f.CHOICE:
        return forms.ChoiceField(choices=[("", "请选择")] + [(c, str(label)) for c, label in item.choices], **options)
    if kind == f.MULTICHOICE:
        return forms.MultipleChoiceField(choices=[(c, str(label)) for c, label in item.choices],
                                         widget=forms.CheckboxSelectMultiple, **options)
    if kind == f.DATE:
        return forms.DateField(widget=ChineseDateInput(), input_formats=DATE_FORMATS, **options)
    if kind == f.BOOL:
        return forms.BooleanField(**{**options, "required": False})
    if kind == f.INT:
        return forms.IntegerField(min_value=0, **options)
    if kind in f.OBJECT_KINDS:
        stage = case.stage if case is not None else ""
        widget = PickerWidget(kind, multiple=kind == f.REGISTRATIONS, within=item.within, school=school, stage=stage,
                              user=user)
        return DeclaredField(item, widget=widget, **options)
    if kind == f.ROWS:
        classes = []
        if school is not None:
            classes = [(c.pk, f"{c.grade_label(case.effective_on if case else None)}{c.class_name}({c})")
                       for c in m.SchoolClass.objects.filter(school=school).order_by("-cohort", "class_name")]
        return DeclaredField(item, widget=RowsWidget(item, class_choices=classes), **options)
    raise ValueError(kind)


def initial_value(item, case_type, case):
    """What the form shows for a stored case."""
    value = item.load(case_type.stored(case, item))
    if item.kind == f.ROWS:
        return [{sub.key: sub.load(row.get(sub.key)) if sub.kind != f.ROWS else row.get(sub.key)
                 for sub in item.rows} for row in case_type.stored(case, item) or []]
    return value


def clean_declared(form, case_type, keys):
    """The form's values through the declaration: {key: stored form}; errors go on the fields."""
    values = {}
    for key in keys:
        if key not in form.cleaned_data or form.fields[key].disabled:
            continue
        item = case_type.field(key)
        try:
            values[key] = item.clean(form.cleaned_data[key])
        except ValidationError as error:
            for problem in rule_errors(error):
                form.add_error(key, problem["message"])
    return values


# --- the picker's search -----------------------------------------------------------------------
class LookupView(View):
    """GET ?kind=&q=&school=&stage= → {"results": [{"id", "label"}]}: at most 20, only what
    ``access.pickable`` lets this user name (``scope=1``: the schools, or a school's classes, the
    user reads, for a list's filter or the roster form)."""

    def get(self, request):
        kind = request.GET.get("kind", "")
        query = request.GET.get("q", "").strip()[:50]
        school = request.GET.get("school", "")
        school = m.School.objects.filter(pk=f.parse_key(school)).first() if f.parse_key(school) else None
        stage = request.GET.get("stage", "")
        if kind not in f.OBJECT_KINDS:
            return JsonResponse({"results": []})
        if kind == f.SCHOOL_CLASS and school is None:
            return JsonResponse({"results": [], "hint": "请先选择学校"})
        if kind == f.SCHOOL and request.GET.get("scope") == "1":  # a list's filter: the schools it reads
            queryset = access.visible(request.user, m.School)
        elif kind == f.SCHOOL_CLASS and request.GET.get("scope") == "1":
            queryset = access.visible(request.user, m.SchoolClass).filter(school=school)
        else:
            queryset = access.pickable(request.user, kind, school=school,
                                       stage=stage if stage in dict(m.Stage.choices) else "")
        results = search(kind, queryset, query, request.user)
        return JsonResponse({"results": results})


def _student_labels(user, students):
    access.personal_view(user, students)  # pickable students are held; asked anyway, one query
    return [(s, f"{s.name}(学籍号 {s.registry_number})") for s in students]


def search(kind, queryset, query, user=None):
    from django.db.models import Q

    if kind == f.STUDENT:
        if query:
            queryset = queryset.filter(student_search_filter(query, user=user))
        return [{"id": s.pk, "label": label} for s, label in
                _student_labels(user, list(queryset.order_by("name", "pk")[:RESULTS]))]
    if kind == f.SCHOOL:
        if not query:
            return []
        queryset = queryset.filter(Q(name__contains=query) | Q(code__startswith=query)).select_related("county")
        return [{"id": s.pk, "label": f"{s.name}({s.county.name})"} for s in queryset.order_by("name")[:RESULTS]]
    if kind == f.SCHOOL_CLASS:
        if query:
            queryset = queryset.filter(class_name__contains=query)
        today = timezone.localdate()
        return [{"id": c.pk, "label": f"{c.grade_label(today)}{c.class_name}({c})"}
                for c in queryset.order_by("-cohort", "class_name")[:100]]
    if kind == f.REGISTRATIONS:
        if query:
            queryset = queryset.filter(student_search_filter(query, user=user, prefix="student__"))
        queryset = queryset.select_related("student", "school_class")
        rows = list(queryset.order_by("student__name", "pk")[:RESULTS])
        access.personal_view(user, [r.student for r in rows])
        return [{"id": r.pk, "label": f"{r.student.name}(学籍号 {r.student.registry_number}"
                                      f"{',' + r.school_class.class_name if r.school_class_id else ''})"}
                for r in rows]
    if kind == f.JURISDICTION:
        if not query:
            return []
        return [{"id": j.pk, "label": j.name} for j in queryset.filter(name__contains=query).order_by("code")[:RESULTS]]
    return []
