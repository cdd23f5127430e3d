"""Staff accounts: a user, a unit, a role (第三十六条).

An authority's head (负责人) manages the accounts of the units in its scope: creates them,
changes their role and training dates, deactivates and reactivates them (never deletes:
the audit log keeps pointing at the person) and resets their passwords. Every change is an
audit entry; a password never is.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Count

from cases.audit import audit
from cases.errors import RuleError
from cases.models import Jurisdiction, Office, Role, School, StaffProfile

# Model permissions say *what* a kind of unit may do; cases/access.py says *where*.
SCHOOL_GROUP = "学校学籍管理"
AUTHORITY_GROUP = "教育行政部门学籍管理"
EXAM_GROUP = "省级考试管理部门"
_COMMON = [
    "wagtailadmin.access_admin",
    "cases.view_school", "cases.view_student", "cases.change_student", "cases.view_registration",
    "cases.view_schoolclass", "cases.add_schoolclass", "cases.change_schoolclass",
    "cases.view_archiveentry", "cases.add_archiveentry", "cases.view_auxiliarynumber",
    # Cases: schools open and edit them; approvers need the editor to act on a step.
    "cases.view_case", "cases.change_case",
    "cases.view_certificate", "cases.add_certificate", "cases.view_printjob",
    "cases.view_evidence",  # evidence follows its case (cases/access.py)
    "cases.view_jurisdiction",  # public reference data (GB/T 2260), read by every unit
]
GROUP_PERMISSIONS = {
    SCHOOL_GROUP: _COMMON + ["cases.add_case", "cases.change_registration"],  # 分班 is the school's
    AUTHORITY_GROUP: _COMMON + [
        "cases.add_school", "cases.change_school", "cases.view_staffprofile", "cases.view_jurisdiction",
        # Accounts: only a head acts (staff_may_manage); the permissions open the admin's forms.
        "cases.add_staffprofile", "cases.change_staffprofile",
        "cases.view_auxiliarynumbertemplate", "cases.add_auxiliarynumbertemplate",
        "cases.change_auxiliarynumbertemplate",
        "cases.change_certificate",  # revoking a certificate is an authority's act
        "cases.view_readlogentry",  # reviewing who read students' records (第三十八条)
        # The province keeps the calendar; cases/access.py narrows writing to it.
        "cases.view_calendaroverride", "cases.add_calendaroverride", "cases.change_calendaroverride",
    ],
    # 第二十二条: the exam authority confirms proficiency-exam results on the cases routed to it;
    # it keeps no registry and issues nothing.
    # Jurisdictions are public reference data every unit reads (a school's county is a non-null
    # field of School: without it the API answered the exam authority an internal error).
    EXAM_GROUP: ["wagtailadmin.access_admin", "cases.view_case", "cases.change_case", "cases.view_evidence",
                 "cases.view_student", "cases.view_registration", "cases.view_school", "cases.view_jurisdiction"],
}


def _groups_current():
    """The two groups exist with exactly their permissions (two queries)."""
    groups = {g.name: g for g in Group.objects.filter(name__in=GROUP_PERMISSIONS)}
    if len(groups) != len(GROUP_PERMISSIONS):
        return None
    counts = dict(Group.objects.filter(name__in=GROUP_PERMISSIONS).annotate(n=Count("permissions"))
                  .values_list("name", "n"))
    if any(counts[name] != len(codes) for name, codes in GROUP_PERMISSIONS.items()):
        return None
    return groups


def staff_groups_ensure():
    """Create the two staff groups with their permissions (idempotent, cheap when current)."""
    current = _groups_current()
    if current is not None:
        return current
    groups = {}
    for name, codes in GROUP_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        wanted = []
        for code in codes:
            app_label, codename = code.split(".")
            wanted.append(Permission.objects.get(content_type__app_label=app_label, codename=codename))
        group.permissions.set(wanted)
        groups[name] = group
    return groups


def staff_may_manage(acting_user, unit=None):
    """May ``acting_user`` manage accounts (of ``unit``)? The system (None) and superusers
    always; otherwise the head of an authority, for units within its jurisdiction."""
    if acting_user is None or acting_user.is_superuser:
        return True
    from cases.access import profile_of, scope_of

    profile = profile_of(acting_user)
    if not acting_user.is_active or profile is None or profile.jurisdiction_id is None or profile.role != Role.HEAD:
        return False
    if profile.office != Office.REGISTRY:  # the exam authority keeps no registry staff (第二十二条)
        return False
    if unit is None:
        return True
    scope = scope_of(acting_user)
    if isinstance(unit, School):
        return scope.covers_school(unit)
    return unit.code.startswith(scope.code or "-")


def _check_manager(acting_user, profile_or_unit):
    unit = profile_or_unit.unit if isinstance(profile_or_unit, StaffProfile) else profile_or_unit
    if not staff_may_manage(acting_user, unit):
        raise PermissionDenied
    if isinstance(profile_or_unit, StaffProfile) and acting_user is not None and profile_or_unit.user_id == acting_user.pk:
        raise RuleError("staff_self", "不能停用或重置本人的账号,请联系上级管理员")


def _check_password(password, user=None):
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise RuleError("password_weak", ";".join(error.messages), field="password") from error


def _checked_staff(acting_user, *, username, password, full_name, unit, role, trained_on, filed_on,
                   is_formal_staff, office):
    """The rules of one new account (第二十二、三十六条), without writing: (is_school, group name)."""
    _check_manager(acting_user, unit)
    if not (full_name or "").strip():
        raise RuleError("staff_name_required", "请填写姓名", field="full_name")
    if acting_user is not None and password is not None:
        _check_password(password)
    if not is_formal_staff:
        raise RuleError("staff_not_formal", "学籍管理员必须是正式工作人员", article="第三十六条")
    if trained_on is None:
        raise RuleError("staff_not_trained", "学籍管理员应先培训后上岗:请填写培训日期", field="trained_on",
                        article="第三十六条")
    is_school = isinstance(unit, School)
    if not is_school and not isinstance(unit, Jurisdiction):
        raise RuleError("staff_unit", "单位应为学校或教育行政部门", field="unit")
    if office == Office.EXAM and (is_school or unit.level != "province"):
        raise RuleError("staff_exam_office", "省级考试管理部门只设在省级", field="office", article="第二十二条")
    if office not in Office.values:
        raise RuleError("staff_office", "请选择部门", field="office")
    return is_school, EXAM_GROUP if office == Office.EXAM else SCHOOL_GROUP if is_school else AUTHORITY_GROUP


@transaction.atomic
def staff_create(*, acting_user, username, password, full_name, unit, role, trained_on=None, filed_on=None,
                 is_formal_staff=True, office=Office.REGISTRY):
    """A registrar must be formal staff and trained before starting (第三十六条). ``office``
    exam makes the account staff of the provincial exam authority (第二十二条)."""
    is_school, group = _checked_staff(acting_user, username=username, password=password, full_name=full_name,
                                      unit=unit, role=role, trained_on=trained_on, filed_on=filed_on,
                                      is_formal_staff=is_formal_staff, office=office)
    if get_user_model().objects.filter(username=username).exists():
        raise RuleError("username_taken", "用户名已存在", field="username")
    groups = staff_groups_ensure()
    user = get_user_model().objects.create_user(username=username, password=password, first_name=full_name)
    user.groups.add(groups[group])
    profile = StaffProfile.objects.create(
        user=user, school=unit if is_school else None, jurisdiction=None if is_school else unit, role=role, office=office,
        trained_on=trained_on, filed_on=filed_on, is_formal_staff=is_formal_staff,
    )
    audit(profile, "xueji.staff.create", acting_user=acting_user,
          data={"username": username, "full_name": full_name, "unit": str(unit), "role": role})
    return profile


@transaction.atomic
def staff_create_many(*, acting_user, people, password=None):
    """Many accounts at once (a province's staff), each under the rules of ``staff_create``,
    all or nothing, in a fixed number of statements: the users, their groups, the profiles and
    their audit entries are each one INSERT. ``people``: dicts of staff_create's arguments
    (username, full_name, unit, role, trained_on, filed_on, is_formal_staff, office); every
    account gets ``password`` (hashed once) or none usable. Returns the profiles."""
    from django.contrib.auth.hashers import make_password

    from cases.audit import audit_many

    User = get_user_model()
    errors, checked = [], []
    for index, person in enumerate(people):
        person = {"filed_on": None, "is_formal_staff": True, "office": Office.REGISTRY, **person}
        try:
            checked.append((person, *_checked_staff(acting_user, password=None, **person)))
        except RuleError as error:
            error.field = f"people[{index}].{error.field or 'username'}"
            errors.append(error)
    if acting_user is not None and password is not None:
        _check_password(password)
    names = [person["username"] for person, _, _ in checked]
    seen, twice = set(), set()
    for name in names:
        (twice if name in seen else seen).add(name)
    taken = set(User.objects.filter(username__in=names).values_list("username", flat=True)) | twice
    errors += [RuleError("username_taken", f"用户名已存在:{name}", field="username") for name in sorted(taken)]
    if errors:
        raise ValidationError(errors)
    groups = staff_groups_ensure()
    hashed = make_password(password)  # one hash for the batch (None: an unusable password)
    users = User.objects.bulk_create([User(username=p["username"], first_name=p["full_name"], password=hashed)
                                      for p, _, _ in checked])
    if not all(u.pk for u in users):  # databases that return no ids from a bulk INSERT
        users = list(User.objects.filter(username__in=names).order_by("pk"))
        users.sort(key=lambda u: names.index(u.username))
    User.groups.through.objects.bulk_create([User.groups.through(user_id=u.pk, group_id=groups[group].pk)
                                             for u, (_, _, group) in zip(users, checked)])
    profiles = StaffProfile.objects.bulk_create([
        StaffProfile(user=u, school=p["unit"] if is_school else None, jurisdiction=None if is_school else p["unit"],
                     role=p["role"], office=p["office"], trained_on=p["trained_on"], filed_on=p["filed_on"],
                     is_formal_staff=p["is_formal_staff"])
        for u, (p, is_school, _) in zip(users, checked)])
    by_user = {p["username"]: p for p, _, _ in checked}
    audit_many(profiles, "xueji.staff.create", acting_user=acting_user,
               data=lambda profile: {"username": profile.user.username, "full_name": profile.user.first_name,
                                     "unit": str(by_user[profile.user.username]["unit"]), "role": profile.role})
    return profiles


def _lock(profile):
    return StaffProfile.objects.select_for_update(of=("self",)).select_related("user", "school", "jurisdiction").get(pk=profile.pk)


@transaction.atomic
def staff_update(*, acting_user, profile, changes):
    """Role, training and filing dates, real name."""
    profile = _lock(profile)
    _check_manager(acting_user, profile.unit)
    allowed = {"role", "trained_on", "filed_on", "full_name"}
    if set(changes) - allowed:
        raise RuleError("staff_field_protected", "该项不能修改")
    before = {}
    if "full_name" in changes:
        if not (changes["full_name"] or "").strip():
            raise RuleError("staff_name_required", "请填写姓名", field="full_name")
        before["full_name"] = profile.user.first_name
        profile.user.first_name = changes["full_name"].strip()
        profile.user.save(update_fields=["first_name"])
    for field in allowed - {"full_name"}:
        if field in changes:
            before[field] = str(getattr(profile, field) or "")
            setattr(profile, field, changes[field])
    if profile.role == Role.REGISTRAR and profile.trained_on is None:
        raise RuleError("staff_not_trained", "学籍管理员应先培训后上岗:请填写培训日期", field="trained_on",
                        article="第三十六条")
    profile.save()
    audit(profile, "xueji.staff.edit", acting_user=acting_user,
          data={"before": before, "after": {k: str(v or "") for k, v in changes.items()}})
    return profile


@transaction.atomic
def staff_set_active(*, acting_user, profile, active, reason=""):
    """停用 / 启用: the account is never deleted; a deactivated user cannot sign in."""
    profile = _lock(profile)
    _check_manager(acting_user, profile)
    if not active and not (reason or "").strip():
        raise RuleError("staff_deactivate_reason", "请填写停用原因", field="reason")
    if profile.user.is_active == active:
        raise RuleError("staff_active_same", "账号已是该状态")
    profile.user.is_active = active
    profile.user.save(update_fields=["is_active"])
    audit(profile, "xueji.staff.activate" if active else "xueji.staff.deactivate", acting_user=acting_user,
          data={"reason": (reason or "").strip()})
    return profile


@transaction.atomic
def staff_reset_password(*, acting_user, profile, password):
    """A new password set by the unit's administrator, who hands it over; not logged."""
    profile = _lock(profile)
    _check_manager(acting_user, profile)
    _check_password(password, profile.user)
    profile.user.set_password(password)
    profile.user.save(update_fields=["password"])
    audit(profile, "xueji.staff.password", acting_user=acting_user, data={})
    return profile
