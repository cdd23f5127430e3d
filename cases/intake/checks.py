"""Every row of an intake checked on the server, set-based (第五、九、十一条).

Per row (pure Python): required fields, choices, dates, the ID number's format and check digit
and its agreement with birth date and gender, an age plausible for the stage. Across rows: the
same person twice in the file. Against the province: the registration services' duplicate check
(``duplicates_for_batch``, one query per 500 people), then one query for where the matches
study now. A match by ID number is the same person (refused: a transfer, not a registration);
a match by pinyin, gender and birth date is *suspected* and waits for the registrar's decision,
unless one is already recorded for this case.
"""

import datetime

from cases.models import (
    ETHNICITIES,
    Disability,
    DuplicateDecision,
    HouseholdType,
    Registration,
    SchoolClass,
    Verdict,
)
from cases.numbers.id_number import IdNumberError, validate_id_number
from cases.services.students import TEMPORARY_HOUSEHOLD_TYPES, age_rule, duplicates_for_batch, name_pinyin

from .workbook import COLUMNS, YES_NO

OK, REFUSED, PENDING = "ok", "refused", "pending"
CHUNK = 500
HOUSEHOLD_BY_LABEL = {str(label): value for value, label in HouseholdType.choices}
DISABILITY_BY_LABEL = {str(label): value for value, label in Disability.choices}
GENDER_BY_LABEL = {"男": "M", "女": "F"}
LABELS = {c.key: c.label for c in COLUMNS}


def _error(code, message, article):
    return {"code": code, "message": message, "article": article}


def person_key(name, gender, birth_date):
    """How a new person is named in duplicate decisions: pinyin, gender, birth date."""
    return f"{name_pinyin(name)}|{gender}|{birth_date.isoformat()}"


def _parse_date(text):
    text = text.strip().replace("/", "-").replace(".", "-")
    for candidate in (text, text[:10]):
        try:
            return datetime.date.fromisoformat(candidate)
        except ValueError:
            pass
    if len(text) == 8 and text.isdigit():
        try:
            return datetime.date(int(text[:4]), int(text[4:6]), int(text[6:]))
        except ValueError:
            return None
    return None


def parse_row(data, *, classes, counties):
    """(values, errors) of one row: values typed as the registry stores them."""
    errors, values = [], {}
    for key in ("name", "gender", "birth_date", "ethnicity", "household_type"):
        if not data.get(key):
            errors.append(_error("required", f"{LABELS[key]}不能为空", "第八条"))
    values["name"] = data.get("name", "")
    if data.get("gender"):
        values["gender"] = GENDER_BY_LABEL.get(data["gender"])
        if values["gender"] is None:
            errors.append(_error("gender_invalid", "性别应为“男”或“女”", "第八条"))
    if data.get("birth_date"):
        values["birth_date"] = _parse_date(data["birth_date"])
        if values["birth_date"] is None:
            errors.append(_error("birth_date_invalid", "出生日期格式应为 YYYY-MM-DD", "第八条"))
    if data.get("ethnicity"):
        values["ethnicity"] = data["ethnicity"]
        if data["ethnicity"] not in ETHNICITIES:
            errors.append(_error("ethnicity_invalid", f"民族“{data['ethnicity']}”不在民族列表中", "第八条"))
    if data.get("household_type"):
        values["household_type"] = HOUSEHOLD_BY_LABEL.get(data["household_type"])
        if values["household_type"] is None:
            errors.append(_error("household_type_invalid", "户口性质应从下拉列表中选择", "第八条"))
    for key in ("native_place", "household_address", "address"):
        values[key] = data.get(key, "")
    for key in ("is_migrant", "is_left_behind"):
        text = data.get(key) or "否"
        if text not in YES_NO:
            errors.append(_error("flag_invalid", f"{LABELS[key]}应填“是”或“否”", "第八条"))
        values[key] = text == "是"
    values["disability"] = DISABILITY_BY_LABEL.get(data.get("disability") or "无")
    if values["disability"] is None:
        errors.append(_error("disability_invalid", "残疾类型应从下拉列表中选择", "第八条"))
    values["household_county"] = None
    if data.get("household_county"):
        values["household_county"] = counties.get(data["household_county"])
        if values["household_county"] is None:
            errors.append(_error("county_unknown", "户籍所在县(区)应从下拉列表中选择", "第八条"))
    values["school_class"] = None
    if data.get("school_class"):
        values["school_class"] = classes.get(data["school_class"])
        if values["school_class"] is None:
            errors.append(_error("class_unknown", f"班级“{data['school_class']}”不是本校该学段的班级", "第八条"))
    guardians = []
    for n in (1, 2):
        name, relation, phone = (data.get(f"guardian{n}_{k}", "") for k in ("name", "relation", "phone"))
        if name or relation or phone:
            if not (name and relation):
                errors.append(_error("guardian_incomplete", f"监护人{n}应填写姓名和关系", "第十二条"))
            guardians.append({"name": name, "relation": relation, "phone": phone})
    values["guardians"] = guardians
    values["id_number"] = (data.get("id_number") or "").upper() or None
    values["age_exception"] = data.get("age_exception", "")
    return values, errors


def _identity_errors(values, case, admitted_on, classes_by_pk):
    """ID number against birth date and gender (第九、十一条) and the registration service's own
    age rule for the stage and grade (第五条), so the file and the case agree."""
    errors = []
    born, gender = values.get("birth_date"), values.get("gender")
    if values["id_number"]:
        try:
            values["id_number"] = validate_id_number(values["id_number"], birth_date=born, gender=gender)
        except IdNumberError as error:
            message = error.message if error.message.startswith("公民身份号码") else f"公民身份号码:{error.message}"
            errors.append(_error(error.code, message, "第十一条"))
    elif values.get("household_type") and values["household_type"] not in TEMPORARY_HOUSEHOLD_TYPES:
        errors.append(_error("id_required", "有户籍的学生应填写公民身份号码(学籍号以公民身份号码为基础生成)",
                             "第九条"))
    age_error = age_rule(birth_date=born, stage=case.stage, school=case.school,
                         school_class=classes_by_pk.get(values["school_class"]), started_on=admitted_on,
                         exception=values["age_exception"])
    if age_error is not None:
        errors.append(_error("age_implausible", age_error.message, age_error.article))
    return errors


def _where(students):
    """{student pk: 'school(status)'} of the matches' open registrations, one query."""
    registrations = (Registration.objects.open().filter(student__in=students)
                     .values_list("student_id", "school__name", "status"))
    from cases.models import RegistrationStatus

    labels = dict(RegistrationStatus.choices)
    return {pk: f"{school}({labels[status]})" for pk, school, status in registrations}


def check_rows(rows, *, case, progress=None):
    """[{row, status, errors, name, person, key, matches}] for ``rows`` [(row number, {key: text})]."""
    from cases.models import Jurisdiction

    school, stage = case.school, case.stage
    admitted_on = case.effective_on or datetime.date(school_year_start(), 9, 1)
    classes_by_pk = SchoolClass.objects.filter(school=school, stage=stage).in_bulk()
    classes = {c.class_name: pk for pk, c in classes_by_pk.items()}
    counties = county_labels(Jurisdiction)
    results = []
    intake_class = (case.details or {}).get("school_class")
    for number, data in rows:
        values, errors = parse_row(data, classes=classes, counties=counties)
        if not data.get("school_class") and not intake_class:
            # Every pupil joins a class (the grade follows from it): the row's, else the case's.
            errors.append(_error("class_required", "班级不能为空(或先在案卷中为全体新生选定编入班级)", "第八条"))
        if not errors:
            errors = _identity_errors(values, case, admitted_on, classes_by_pk)
        results.append({"row": number, "status": REFUSED if errors else OK, "errors": errors, "values": values,
                        "matches": []})
    _in_file_duplicates(results)
    checked = [r for r in results if r["status"] == OK]
    decisions = {(d.person_key, d.existing_id): d for d in DuplicateDecision.objects.filter(case=case)} if case.pk else {}
    for start in range(0, len(checked), CHUNK):
        _province_duplicates(checked[start:start + CHUNK], decisions)
        if progress:
            progress(start + len(checked[start:start + CHUNK]))
    for result in results:
        values = result.pop("values")
        result["name"] = values.get("name", "")  # shown with the row's problems, refused rows too
        result["key"] = person_key(values["name"], values["gender"], values["birth_date"]) \
            if values.get("gender") and values.get("birth_date") else ""
        result["person"] = case_person(values) if result["status"] != REFUSED or result["matches"] else None
    return results


def _in_file_duplicates(results):
    seen = {}
    for result in results:
        if result["status"] != OK:
            continue
        values = result["values"]
        for key in (values["id_number"], (name_pinyin(values["name"]), values["gender"], values["birth_date"])):
            if key is None:
                continue
            if key in seen:
                kind = "公民身份号码" if isinstance(key, str) else "姓名读音、性别、出生日期"
                result["errors"].append(_error("duplicate_in_file", f"与第{seen[key]}行{kind}相同,是同一学生",
                                               "第十一条"))
                result["status"] = REFUSED
                break
        else:
            for key in (values["id_number"], (name_pinyin(values["name"]), values["gender"], values["birth_date"])):
                if key is not None:
                    seen.setdefault(key, result["row"])


def _province_duplicates(chunk, decisions):
    people = [r["values"] for r in chunk]
    found = duplicates_for_batch(people)
    if not found:
        return
    where = _where({m.student.pk for matches in found.values() for m in matches})
    for position, matches in found.items():
        result = chunk[position]
        key = person_key(people[position]["name"], people[position]["gender"], people[position]["birth_date"])
        for match in matches:
            student = match.student
            place = where.get(student.pk, "无在读学籍")
            info = {"student": student.pk, "name": student.name, "registry_number": match.shown_number,
                    "reason": match.reason, "where": place}
            decision = decisions.get((key, student.pk))
            if match.reason == "same_id_number" or (decision and decision.verdict == Verdict.SAME):
                result["errors"].append(_error(
                    "duplicate_person",
                    f"{match.message};现{place}。同一学生不得重复建立学籍,应办理转学(转入)手续", "第十一条"))
                result["status"] = REFUSED
                info["verdict"] = Verdict.SAME
            elif decision:
                info["verdict"] = Verdict.DIFFERENT
            else:
                result["errors"].append(_error("duplicate_suspected", f"疑似重复:{match.message};现{place}。"
                                                                      "请在查重裁定中确认是否同一人", "第十一条"))
                if result["status"] == OK:
                    result["status"] = PENDING
            result["matches"].append(info)


def school_year_start():
    from django.utils import timezone

    from cases.models import school_year_of

    return school_year_of(timezone.localdate())


def county_labels(jurisdiction_model):
    """{'兰州市城关区': pk} for every county of the province: the template's drop-down list."""
    from django.conf import settings

    counties = jurisdiction_model.objects.filter(level="county", code__startswith=settings.XUEJI_PROVINCE_CODE)
    cities = dict(jurisdiction_model.objects.filter(level="city").values_list("code", "name"))
    return {f"{cities.get(c.code[:4], '')}{c.name}": c.pk for c in counties.only("code", "name")}


def case_template(case):
    """The template of a registration case: its stage, its school's classes of that stage and the
    province's counties as drop-down lists (the admin's and the API's download alike)."""
    from cases.models import Jurisdiction

    from .workbook import build_template

    classes = SchoolClass.objects.filter(school=case.school, stage=case.stage).values_list("class_name", flat=True)
    return build_template(stage=case.stage, school_name=case.school.name, classes=list(classes),
                          counties=list(county_labels(Jurisdiction)))


def case_person(values):
    """THE conversion of one checked workbook row to a pupil of the registration case (the keys
    of ``registration.PERSON``; empty values left out, as the case's declaration stores them)."""
    person = {
        "name": values["name"].strip(), "gender": values["gender"], "birth_date": values["birth_date"].isoformat(),
        "id_number": values["id_number"], "ethnicity": values["ethnicity"], "native_place": values["native_place"],
        "household_type": values["household_type"], "school_class": values["school_class"],
        "guardians": values["guardians"], "household_county": values["household_county"],
        "household_address": values["household_address"], "address": values["address"],
        "is_migrant": values["is_migrant"], "is_left_behind": values["is_left_behind"],
        "disability": values["disability"], "age_exception": values["age_exception"],
    }
    for guardian in person["guardians"]:
        for key in [k for k, v in guardian.items() if not v]:
            del guardian[key]
    return {k: v for k, v in person.items() if v not in (None, "", [], False)}


def different_person_decisions(case):
    """{person key: {student pk}} the registrar ruled *different* people for this case: the case's
    own duplicate check (and the registration service) no longer counts those matches."""
    found = {}
    if case.pk is None:  # the form's live check of a case not saved yet: no decisions yet
        return found
    for key, student in DuplicateDecision.objects.filter(case=case, verdict=Verdict.DIFFERENT).values_list(
            "person_key", "existing_id"):
        found.setdefault(key, set()).add(student)
    return found
