"""Staff accounts: a user, a unit, a role (第三十六条)."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied
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
    "cases.change_registration",  # class placement (分班), by the school of the open registration
    "cases.view_schoolclass", "cases.add_schoolclass", "cases.change_schoolclass",
    "cases.view_archiveentry", "cases.add_archiveentry", "cases.view_auxiliarynumber",
    # Cases: schools open and edit them; approvers need the editor to act on a step.
    "cases.view_case", "cases.change_case",
    "cases.view_certificate", "cases.add_certificate", "cases.view_printjob",
    "cases.view_evidence",  # evidence follows its case (cases/access.py)
]
GROUP_PERMISSIONS = {
    SCHOOL_GROUP: _COMMON + ["cases.add_case"],
    AUTHORITY_GROUP: _COMMON + [
        "cases.add_school", "cases.change_school", "cases.view_staffprofile", "cases.view_jurisdiction",
        "cases.view_auxiliarynumbertemplate", "cases.add_auxiliarynumbertemplate",
        "cases.change_auxiliarynumbertemplate",
        "cases.change_certificate",  # revoking a certificate is an authority's act
        # The province keeps the calendar; cases/access.py narrows writing to it.
        "cases.view_calendaroverride", "cases.add_calendaroverride", "cases.change_calendaroverride",
    ],
    # 第二十二条: the exam authority confirms proficiency-exam results on the cases routed to it;
    # it keeps no registry and issues nothing.
    EXAM_GROUP: ["wagtailadmin.access_admin", "cases.view_case", "cases.change_case", "cases.view_evidence",
                 "cases.view_student", "cases.view_registration", "cases.view_school"],
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


@transaction.atomic
def staff_create(*, acting_user, username, password, full_name, unit, role, trained_on=None, filed_on=None,
                 is_formal_staff=True, office=Office.REGISTRY):
    """A registrar must be formal staff and trained before starting (第三十六条). ``office``
    exam makes the account staff of the provincial exam authority (第二十二条)."""
    if not is_formal_staff:
        raise RuleError("staff_not_formal", "学籍管理员必须是正式工作人员", article="第三十六条")
    if trained_on is None:
        raise RuleError("staff_not_trained", "学籍管理员应先培训后上岗:请填写培训日期", field="trained_on",
                        article="第三十六条")
    _check_administrator(acting_user, unit)
    if get_user_model().objects.filter(username=username).exists():
        raise RuleError("username_taken", "用户名已存在", field="username")
    groups = staff_groups_ensure()
    user = get_user_model().objects.create_user(username=username, password=password, first_name=full_name)
    is_school = isinstance(unit, School)
    if not is_school and not isinstance(unit, Jurisdiction):
        raise RuleError("staff_unit", "单位应为学校或教育行政部门", field="unit")
    if office == Office.EXAM and (is_school or unit.level != "province"):
        raise RuleError("staff_exam_office", "省级考试管理部门只设在省级", field="office", article="第二十二条")
    if office not in Office.values:
        raise RuleError("staff_office", "请选择部门", field="office")
    group = EXAM_GROUP if office == Office.EXAM else SCHOOL_GROUP if is_school else AUTHORITY_GROUP
    user.groups.add(groups[group])
    profile = StaffProfile.objects.create(
        user=user, school=unit if is_school else None, jurisdiction=None if is_school else unit, role=role, office=office,
        trained_on=trained_on, filed_on=filed_on, is_formal_staff=is_formal_staff,
    )
    audit(profile, "xueji.staff.create", acting_user=acting_user, data={"username": username, "unit": str(unit)})
    return profile


# --- accounts kept by an authority's administrator (第三十六条) --------------------------------
def _within(administrator, unit):
    """Is ``unit`` (a school or jurisdiction) the administrator's own jurisdiction or below it?"""
    if not isinstance(unit, (School, Jurisdiction)):
        return False
    code = administrator.jurisdiction.code
    return (unit.scope_code if isinstance(unit, School) else unit.code).startswith(code)


def _check_administrator(acting_user, unit):
    """An authority's head (负责人) keeps the staff accounts of the units in its scope; a
    superuser or the system (``None``) any. Anyone else is refused."""
    if acting_user is None or acting_user.is_superuser:
        return
    administrator = StaffProfile.objects.filter(user=acting_user).select_related("jurisdiction").first()
    if (administrator is None or administrator.jurisdiction_id is None or administrator.role != Role.HEAD
            or administrator.office != Office.REGISTRY or not _within(administrator, unit)):
        raise PermissionDenied


def _locked_profile(profile):
    return StaffProfile.objects.select_for_update().select_related("user", "school", "jurisdiction").get(pk=profile.pk)


@transaction.atomic
def staff_deactivate(*, acting_user, profile, reason):
    """Stop an account (it can no longer sign in or use its API tokens); the record stays."""
    profile = _locked_profile(profile)
    _check_administrator(acting_user, profile.unit)
    if acting_user is not None and profile.user_id == acting_user.pk:
        raise RuleError("staff_deactivate_self", "不能停用自己的账号", field="profile")
    if not profile.user.is_active:
        raise RuleError("staff_inactive", "该账号已停用", field="profile")
    if not (reason or "").strip():
        raise RuleError("staff_deactivate_reason", "请填写停用原因", field="reason")
    profile.user.is_active = False
    profile.user.save(update_fields=["is_active"])
    audit(profile, "xueji.staff.deactivate", acting_user=acting_user,
          data={"username": profile.user.username, "reason": reason.strip()})
    return profile


@transaction.atomic
def staff_reset_password(*, acting_user, profile, password):
    """Set a new password (checked by the password validators); the old one stops working."""
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    profile = _locked_profile(profile)
    _check_administrator(acting_user, profile.unit)
    try:
        validate_password(password or "", user=profile.user)
    except ValidationError as error:
        raise RuleError("staff_password_weak", ";".join(error.messages), field="password") from error
    profile.user.set_password(password)
    profile.user.save(update_fields=["password"])
    audit(profile, "xueji.staff.password", acting_user=acting_user, data={"username": profile.user.username})
    return profile
