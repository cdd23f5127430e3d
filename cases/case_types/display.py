"""A case's declared fields as a person reads them (the case page, the PDF context): Chinese
labels for choices, names for objects, dates as 2026年12月1日. Objects are loaded with one
query per kind, whatever the number of rows."""

from django.apps import apps

from . import fields as f


def object_label(obj, held=frozenset()):
    """The label of an object a case names; a student's G registry number whole only when the
    student is in ``held`` (the viewer holds the student, cases/access.py), masked otherwise."""
    from cases.access import mask

    model = obj._meta.model_name
    if model in ("student", "registration"):
        student = obj if model == "student" else obj.student
        number = student.registry_number if student.pk in held else mask("registry_number", student.registry_number)
        return f"{student.name}(学籍号 {number})"
    return str(obj)


def object_labels(kind, pks, user=None):
    """{pk: label} of the objects of one kind, as ``user`` may read them (no user: as a unit
    that holds none of the students)."""
    from cases.access import students_held

    model = apps.get_model("cases", f.OBJECT_KINDS[kind])
    objects = model.objects.filter(pk__in=set(pks))
    if kind == f.REGISTRATIONS:
        objects = objects.select_related("student")
    objects = list(objects)
    held = set()
    if kind in (f.STUDENT, f.REGISTRATIONS) and objects and user is not None:
        held = students_held(user, [o.pk if kind == f.STUDENT else o.student_id for o in objects])
    return {obj.pk: object_label(obj, held) for obj in objects}


def text_of(item, value, labels):
    if value in (None, "", []):
        return ""
    if item.kind == f.DATE:
        return f.chinese_date(value)
    if item.kind == f.BOOL:
        return "是" if value else "否"
    if item.kind == f.CHOICE:
        return str(item.choice_labels.get(value, value))
    if item.kind == f.MULTICHOICE:
        return "、".join(str(item.choice_labels.get(v, v)) for v in value)
    if item.kind in f.OBJECT_KINDS:
        pks = value if isinstance(value, list) else [value]
        return "、".join(labels.get((item.kind, pk), "(已不存在)") for pk in pks)
    return str(value)


def _collect(items, values, wanted):
    for item in items:
        value = values.get(item.key)
        if item.kind in f.OBJECT_KINDS and value:
            wanted.setdefault(item.kind, set()).update(value if isinstance(value, list) else [value])
        if item.kind == f.ROWS:
            for row in value or []:
                _collect(item.rows, row, wanted)


def _pairs(items, values, labels):
    pairs = []
    for item in items:
        value = values.get(item.key)
        if item.kind == f.ROWS:
            rows = [[_cell(sub, row.get(sub.key), labels) for sub in item.rows] for row in value or []]
            if rows:
                # Columns nobody filled in are left out (an intake names many optional facts).
                kept = [i for i in range(len(item.rows)) if any(row[i] for row in rows)]
                pairs.append({"label": item.label, "key": item.key, "rows": [[row[i] for i in kept] for row in rows],
                              "columns": [item.rows[i].label for i in kept]})
            continue
        text = text_of(item, value, labels)
        if text:
            pairs.append({"label": item.label, "key": item.key, "text": text})
    return pairs


def _cell(item, value, labels):
    if item.kind == f.ROWS:  # a nested list (a pupil's guardians): one line per row
        return ";".join(" ".join(t for t in (_cell(sub, row.get(sub.key), labels) for sub in item.rows) if t)
                        for row in value or [])
    return text_of(item, value, labels)


def _values(case_type, case):
    return {item.key: item.load(case_type.stored(case, item)) for item in case_type.all_fields()}


def labels_for(cases, user=None):
    """{(kind, pk): label} of every object the cases' fields name, as ``user`` may read them: one
    query per kind (and one for whom ``user`` holds), however many cases (a list of cases shows
    its fields without a query per case)."""
    wanted = {}
    for case in cases:
        case_type = case.case_type_class
        if case_type is not None:
            _collect(case_type.all_fields(), _values(case_type, case), wanted)
    labels = {}
    for kind, pks in wanted.items():
        labels.update({(kind, pk): label for pk, label in object_labels(kind, pks, user).items()})
    return labels


def display_fields(case_type, case, labels=None, user=None):
    """[{label, key, text}] or, for repeating rows, [{label, key, columns, rows: [[…]]}], as
    ``user`` may read them."""
    if labels is None:
        labels = labels_for([case], user)
    return _pairs(case_type.all_fields(), _values(case_type, case), labels)
