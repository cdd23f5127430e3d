"""The one access policy: every door (admin listings, object views, choosers, exports,
GraphQL, document serving) asks here what a user may reach.

A user holds permissions on a unit: a school, or a jurisdiction (province, city, county).
Model permissions (groups) say *what* a user may do; the scope says *where*: a jurisdiction
reaches everything below it (GB/T 2260 codes nest by prefix), a school reaches itself. An
object out of scope answers exactly as a missing one does (404), so scope never leaks
existence.

Policies follow the shape of Wagtail's permission policies and are registered with
``wagtail.permissions.register_permission_policy`` so that Wagtail's own views use them.
"""

import re
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, DateTimeField, Exists, ExpressionWrapper, OuterRef, Q
from django.db.models.functions import Cast, TruncDate
from django.http import Http404
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from cases import models as m
from cases.bulk import any_of
from cases.prepared import PreparedReads, planned_once

NOTHING = Q(pk__in=[])


@dataclass(frozen=True)
class Scope:
    """Where a user acts: everything (superuser), a jurisdiction prefix, or one school."""

    everything: bool = False
    code: str | None = None
    school_id: int | None = None

    @property
    def is_empty(self):
        return not (self.everything or self.code or self.school_id)

    def schools(self, prefix=""):
        """Q over School (or ``prefix``-ed relation to one)."""
        if self.everything:
            return Q()
        if self.school_id:
            return Q(**{f"{prefix}pk": self.school_id})
        if self.code:
            return self.codes(f"{prefix}scope_code")
        return NOTHING

    def covers_school(self, school):
        return self._covers(school.pk, school.scope_code)

    def _covers(self, school_id, scope_code):
        if self.everything:
            return True
        if self.school_id:
            return school_id == self.school_id
        return bool(self.code) and scope_code.startswith(self.code)

    @property
    def leaf_code(self):
        """A county's code is a leaf: schools are supervised by counties, cities or the
        province, so "under 620102" is "= 620102"."""
        return bool(self.code) and len(self.code) >= 6

    def codes(self, field):
        """Q matching supervising codes under the scope's code on ``field``, as an index range
        (``=`` for a leaf code; a city or the province is a range, never LIKE)."""
        if self.leaf_code:
            return Q(**{field: self.code})
        return Q(**{f"{field}__gte": self.code, f"{field}__lt": next_prefix(self.code)})

    def holds(self, student):
        """``current_students`` for a loaded Student row, without a query."""
        return self._covers(student.current_school_id, student.scope_code)

    def current_students(self, prefix=""):
        """Q over Student (or a ``prefix``-ed relation to it): those whose current registration
        is in scope, on the student row's own indexed columns (cases/services/current.py)."""
        if self.everything:
            return Q()
        if self.school_id:
            return Q(**{f"{prefix}current_school_id": self.school_id})
        if self.code:
            return self.codes(f"{prefix}scope_code")
        return NOTHING

    def jurisdictions(self, prefix=""):
        if self.everything:
            return Q()
        if self.code:
            return Q(**{f"{prefix}code__startswith": self.code})
        return NOTHING


def next_prefix(code):
    """The smallest string above every string starting with ``code`` (codes are digits)."""
    return code[:-1] + chr(ord(code[-1]) + 1)


def profile_of(user):
    """The user's StaffProfile (with its school and jurisdiction), or None; cached on the user
    object for the request."""
    if user is None or not user.is_authenticated:
        return None
    cached = getattr(user, "_xueji_profile", False)
    if cached is False:
        cached = m.StaffProfile.objects.filter(user=user).select_related("school__county", "jurisdiction").first()
        user._xueji_profile = cached
    return cached


def scope_of(user) -> Scope:
    """The user's scope, cached on the user object for the request."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Scope()
    cached = getattr(user, "_xueji_scope", None)
    if cached is not None:
        return cached
    if user.is_superuser:
        scope = Scope(everything=True)
    else:
        profile = profile_of(user)
        if profile is None:
            scope = Scope()
        elif profile.school_id:
            scope = Scope(school_id=profile.school_id)
        else:
            scope = Scope(code=profile.jurisdiction.code)
    user._xueji_scope = scope
    return scope


# --- what each model's scope is -----------------------------------------------------------
# ``write`` narrows ``read`` where history must stay readable but not editable: after a
# transfer the origin school keeps a read-only view of the student (第十四条).


def _registrations(scope, prefix=""):
    return scope.schools(f"{prefix}school__")


def _whole_registry(scope):
    """Every school of the registry is in scope (the province, everything): no student is ever
    outside its current ones, and its lists are one walk in their own order."""
    return scope.everything or bool(scope.code and scope.code == settings.XUEJI_PROVINCE_CODE)


def former_registrations(scope):
    """Closed registrations in scope: how a school (and its authorities) still reads a student
    who left (第十四条). ``None`` when the current registration already decides: for the whole
    province (every school of the registry is in it) and for everything."""
    if _whole_registry(scope):
        return None
    closed = m.Registration.objects.exclude(status__in=m.OPEN_STATUSES)
    if scope.code:
        # For a unit, a student whose current school is under the same supervising code as the
        # closed registration is a current student already: only the flagged ones can have
        # left, read off the school's code copied with the flag (one range of a partial index,
        # cases/services/current.py; no join to the unit's schools). A school keeps every
        # closed registration: its pupils move to other schools of the same county.
        return closed.filter(scope.codes("former_scope_code"), student_elsewhere=True)
    return closed.filter(_registrations(scope))


# Big lists of students are read in disjoint parts, each one ordered index range: per
# supervising code the students whose current registration is there (a city is its own code
# and its counties' codes), and those who left the scope ("former", a short list of ids). ORed
# in one query, the planner walks the registry-number index probing every row (registry numbers
# start with the birthplace, so a county's students sit in one stretch of it: seconds at five
# million). ``student_parts`` gives the parts, ``student_part`` builds a queryset of one.
_STUDENT_PART = ContextVar("xueji_student_part", default=None)


@contextmanager
def student_part(part):
    """Within the block, the student read scope is only ``part`` (one of ``student_parts``)."""
    token = _STUDENT_PART.set(part)
    try:
        yield
    finally:
        _STUDENT_PART.reset(token)


def _former_students(scope):
    """Student ids (a values queryset) with a closed registration in scope whose current one
    is elsewhere, or None (the current registration decides): a join over the scope's flagged
    closed registrations."""
    former = former_registrations(scope)
    if former is None:
        return None
    if not scope.leaf_code:
        # A county's flagged registrations are exactly its students now elsewhere (the flag says
        # "the current school is under another code than this one"); a city's or a school's may
        # have moved within the scope: asked of the student row (a probe per registration).
        former = former.exclude(scope.current_students("student__"))
    return former.order_by().values_list("student_id", flat=True)


def former_student_ids(scope):
    """The ids of ``_former_students``, sorted: one query."""
    former = _former_students(scope)
    return [] if former is None else sorted(set(planned_once(former)))


def _outside_current(scope):
    """Student ids of the read scope besides its current students: those who left, and the
    subjects of cases in scope (a school named in a draft transfer). One statement."""
    subjects = _case_subjects(scope)
    former = _former_students(scope)
    return subjects if former is None else former.union(subjects)


def _case_subjects(scope):
    """Ids of the subjects of cases in scope, read through the case alone, who are not its
    current students."""
    return (m.Case.objects.filter(_cases_naming(scope)).exclude(scope.current_students("student__"))
            .order_by().values_list("student_id", flat=True))


def _cases_naming(scope):
    """The cases in scope through which alone their subject may be read: the undecided ones (a
    draft transfer names its destination before the student is there) and, on the destination
    side, approved special placements (随班就读 names a school where the student stays
    unregistered). Every other approved case's subject holds a registration on its side, read
    through it for good: a case is opened by the school of the student's latest registration
    (services/cases.case_create, ``pickable``), a transfer or a move in is approved with a
    registration at its destination. So years of approved cases are never visited: two partial
    indexes (Case.Meta) keep this a range of the cases in flight (a school moved to another
    unit leaves its approved cases' subjects to be read through their registrations there)."""
    if scope.everything:
        return Q(student__isnull=False)
    undecided = ~Q(state__in=m.DECIDED_STATES)
    origin = _cases_origin(scope) & undecided
    destination = _cases_destination(scope) & (undecided | Q(case_type__in=m.CASE_TYPES_NAMING_DESTINATION))
    return Q(student__isnull=False) & (origin | destination)


# Compiled once per scope (cases/prepared.py): asked by every list of students of the scope.
_OUTSIDE_READS = PreparedReads(size=256)


def former_keys(user):
    """For a county, a function giving the keys of ``_outside_current`` as two querysets of
    (registry number, student id): its former students off the copies on their flagged
    registrations (one index range in registry-number order, cases/services/current.py: no
    student row visited) and the subjects of its cases who are not its current students (a
    few). None elsewhere (a city's or a school's flagged registrations include moves within it:
    only the student rows tell them apart) and for a user who may not read students."""
    scope = scope_of(user)
    if not scope.leaf_code or scope.everything or scope.school_id or not POLICIES[m.Student].user_has_permission(user, "view"):
        return None

    def keys():
        left = former_registrations(scope).values_list("former_registry_number", "student_id")
        subjects = m.Student.objects.filter(pk__in=_case_subjects(scope)).values_list("registry_number", "pk")
        return [left, subjects]

    return keys


def student_parts(user, *, split=False):
    """Disjoint Qs over Student whose union is the user's student read scope. ``split``: the
    Qs of the index ranges and, apart, the rest (left, or subjects of cases): for a unit whose
    students leave, a function giving the Q of one subquery (read with a page's keys, no list
    read first; built only when a page's statement is compiled: the subquery costs ~2 ms of
    Python to build); for the province, the sorted ids of the subjects of its cases (usually
    none: one part)."""
    scope = scope_of(user)
    if scope.everything or scope.school_id or scope.leaf_code or scope.code == settings.XUEJI_PROVINCE_CODE:
        parts = [scope.current_students()]
    elif scope.code:
        codes = m.Jurisdiction.objects.filter(scope.codes("code"), level__in=("province", "city", "county"))
        parts = [Q(scope_code=code) for code in codes.values_list("code", flat=True)]
    else:
        return ([NOTHING], []) if split else [NOTHING]
    # The rest, disjoint from the parts above: students who left, subjects of cases in scope.
    if split and not _whole_registry(scope):
        return parts, lambda: Q(pk__in=_outside_current(scope))
    ids = sorted(set(_OUTSIDE_READS.rows(("outside", scope), lambda _: _outside_current(scope), ())))
    if split:
        return parts, ids
    # One array parameter, not a placeholder per id (a county's ~1,000 former students).
    return parts + ([any_of("pk", ids, "bigint")] if ids else [])


def unit_schools(user):
    """The schools whose registrations the user's unit reads (``_registrations``), to be walked
    school by school; None where every school of the registry is in scope (the province,
    everything), whose lists are one walk in their own order."""
    scope = scope_of(user)
    if _whole_registry(scope):
        return None
    return m.School.objects.filter(scope.schools()) if not scope.is_empty else m.School.objects.none()


def _students_registered(scope):
    # Any registration in scope: the current one (indexed columns of the student row) or a
    # closed earlier one (an uncorrelated IN, evaluated once as a hashed set).
    current, former = scope.current_students(), former_registrations(scope)
    return current if former is None else current | Q(pk__in=former.values("student_id"))


def _students_read(scope):
    """Students with a registration in scope, and the subjects of the cases in scope (the school
    named in a draft transfer sees whom it is asked to take, with personal data masked). Inside
    ``student_part`` only that part (big lists)."""
    part = _STUDENT_PART.get()
    if part is not None:
        return part
    if scope.everything:
        return Q()
    return _students_registered(scope) | Q(Exists(m.Case.objects.filter(Q(student=OuterRef("pk")) & _cases_naming(scope))))


def _students_write(scope):
    # The open registration is the current one.
    return scope.current_students() & Q(current_registration__status__in=m.OPEN_STATUSES)


def _cases(scope):
    if scope.everything:
        return Q()
    return _cases_origin(scope) | _cases_destination(scope)


def _cases_origin(scope):
    if scope.school_id:
        return Q(school_id=scope.school_id)
    return scope.codes("scope_code") if scope.code else NOTHING


def _cases_destination(scope):
    if scope.school_id:
        return Q(destination_school_id=scope.school_id)
    return scope.codes("destination_scope_code") if scope.code else NOTHING


def _schools_read(scope):
    """Schools in scope, and both sides of the cases in scope: a destination reads where a
    student comes from, an origin where it goes."""
    if scope.everything:
        return Q()
    # Uncorrelated: the scope's cases are read once (a hashed set), not probed for each of the
    # province's twelve thousand schools (a county's list filter asked 50 ms of them).
    cases = m.Case.objects.filter(_cases(scope)).order_by()
    return (scope.schools() | Q(pk__in=cases.values("school_id"))
            | Q(pk__in=cases.filter(destination_school__isnull=False).values("destination_school_id")))


def _archive_read(scope):
    """Archive entries recorded by a school in scope, and those of a student up to the end of each
    registration in scope: after a
    transfer the former school reads the history up to its hand-over, not what is recorded
    afterwards (the new school's certificates, notes)."""
    if scope.everything:
        return Q()
    held_then = m.Registration.objects.filter(Q(student=OuterRef("student_id")) & _registrations(scope)).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=TruncDate(ExpressionWrapper(OuterRef("recorded_at"), output_field=DateTimeField()))))
    return scope.schools("school__") | Q(Exists(held_then))


SCOPES = {
    m.School: {"read": _schools_read, "write": lambda s: s.schools()},
    m.SchoolClass: {"read": lambda s: s.schools("school__")},
    m.Registration: {"read": _registrations,
                     "write": lambda s: _registrations(s) & Q(status__in=m.OPEN_STATUSES)},
    m.Student: {"read": _students_read, "write": _students_write},
    m.Guardian: {"read": lambda s: Q(Exists(m.Student.objects.filter(Q(pk=OuterRef("student_id")) & _students_read(s))))},
    # The archive follows the student's registrations: every school that held the student (and
    # its authorities) reads it, not the school merely named in a draft case; only the school
    # (and authorities) of the open registration add to it.
    m.ArchiveEntry: {"read": lambda s: _archive_read(s),
                     "write": lambda s: Q(Exists(m.Student.objects.filter(Q(pk=OuterRef("student_id")) & _students_write(s))))},
    m.AuxiliaryNumber: {"read": lambda s: s.schools("school__")},
    # Jurisdictions are public reference data (GB/T 2260): every unit reads their names (a
    # school sees its county and the authority deciding its case); each keeps only its own.
    m.Jurisdiction: {"read": lambda s: Q(), "write": lambda s: s.jurisdictions()},
    m.AuxiliaryNumberTemplate: {"read": lambda s: s.jurisdictions("jurisdiction__")},
    m.StaffProfile: {"read": lambda s: s.schools("school__") | s.jurisdictions("jurisdiction__")},
    # A case is reached from either side: its school and the destination school, and every
    # unit above them (each side's authorities, the province).
    m.Case: {"read": lambda s: _cases(s)},
    # The calendar is read by everyone with a unit and kept by the province.
    m.CalendarOverride: {"read": lambda s: Q(), "write": lambda s: Q() if s.everything or len(s.code or "") == 2
                         else NOTHING},
    m.Evidence: {"read": lambda s: Q(Exists(m.Case.objects.filter(Q(pk=OuterRef("case_id")) & _cases(s))))},
    # 第三十八条: the read log is reviewed by the authorities above the student's school (the
    # code recorded with each read); it is written only by student_reads_record.
    m.ReadLogEntry: {"read": lambda s: Q() if s.everything else Q(scope_code__startswith=s.code) if s.code
                     else NOTHING, "write": lambda s: NOTHING},
}
READ_ACTIONS = {"view"}
# Actions no door offers, whoever asks (a superuser too): nothing in the registry is deleted,
# and a student, a registration or an auxiliary number comes into being only through its
# service (a registration case, a transfer, the number ledger), never a raw form.
REFUSED_ACTIONS = {"delete"}
SERVICE_ONLY = {m.Student: {"add"}, m.Registration: {"add"}, m.AuxiliaryNumber: {"add", "change"},
                m.Evidence: {"add", "change"}, m.Case: {"delete"},
                m.Jurisdiction: {"add"}}  # GB/T 2260 divisions come in with manage.py import_divisions


class ScopedPermissionPolicy(ModelPermissionPolicy):
    """Model permissions from groups, narrowed to the user's part of the jurisdiction tree."""

    def user_has_permission(self, user, action):
        if action in REFUSED_ACTIONS or action in SERVICE_ONLY.get(self.model, ()):
            return False
        # As in Django's admin, a user who may change a model may also view it.
        if action == "view" and super().user_has_permission(user, "change"):
            return True
        return super().user_has_permission(user, action)

    def scope_filter(self, user, actions):
        """Where the user may do *any* of ``actions``: the read scope as soon as one of them
        is a read action (it contains the write scope), else the write scope."""
        scope = scope_of(user)
        if scope.is_empty:
            return NOTHING
        rules = SCOPES[self.model]
        kind = "read" if set(actions) & READ_ACTIONS else "write"
        return rules.get(kind, rules["read"])(scope)

    def narrow(self, user, actions, queryset=None):
        """``queryset`` (default: all) cut to what the user may do any of ``actions`` on: only
        the actions the user's groups grant count, each within its own scope."""
        queryset = self.model._default_manager.all() if queryset is None else queryset
        granted = [action for action in actions if self.user_has_permission(user, action)]
        if not granted:
            return queryset.none()
        return queryset.filter(self.scope_filter(user, granted))

    def instances_user_has_any_permission_for(self, user, actions):
        return self.narrow(user, actions)

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_any_permission_for_instance(user, [action], instance)

    def decide_instances(self, user, actions, pks):
        """Decide ``actions`` on the objects ``pks`` of a listing in one query and keep the answers
        on the user (this request's) for the per-object questions that follow: Wagtail's URL finder
        asks one per row of the site history."""
        pks = {str(pk) for pk in pks if pk is not None}  # a log entry's object_id is text
        if not pks:
            return
        allowed = {str(pk) for pk in self.narrow(user, actions).filter(pk__in=pks).values_list("pk", flat=True)}
        decided = user.__dict__.setdefault("_xueji_decided_instances", {})
        for pk in pks:
            decided[(self.model, frozenset(actions), pk)] = pk in allowed

    def user_has_any_permission_for_instance(self, user, actions, instance):
        decided = getattr(user, "_xueji_decided_instances", {}).get((self.model, frozenset(actions), str(instance.pk)))
        if decided is not None:
            return decided
        granted = [action for action in actions if self.user_has_permission(user, action)]
        if not granted:
            return False
        where = self.scope_filter(user, granted)
        if where == Q():  # the whole registry (a superuser's read): no query per object of a listing
            return True
        return self.model._default_manager.filter(Q(pk=instance.pk) & where).exists()

    def in_scope(self, user, instance, actions=("view",)):
        """Scope alone, without model permissions: used to decide 404 versus 403."""
        return self.model._default_manager.filter(Q(pk=instance.pk) & self.scope_filter(user, actions)).exists()


POLICIES = {model: ScopedPermissionPolicy(model) for model in SCOPES}


def register_policies():
    for model, policy in POLICIES.items():
        register_permission_policy(model, policy)


def policy_for(model):
    return POLICIES[model]


def visible(user, model, actions=("view",), queryset=None):
    """Everything of ``model`` (or of ``queryset``) the user may act on with any of ``actions``."""
    return POLICIES[model].narrow(user, actions, queryset)


def in_scope(user, model, queryset=None, actions=("view",)):
    """``queryset`` (default: all) narrowed to the user's scope, ignoring model permissions."""
    queryset = model._default_manager.all() if queryset is None else queryset
    policy = POLICIES[model]
    if scope_of(user).is_empty:
        return queryset.none()
    return queryset.filter(policy.scope_filter(user, actions))


def get_in_scope_or_404(user, model, queryset=None, actions=("view",), **lookup):
    """The object, or Http404 both when it does not exist and when it is out of scope."""
    try:
        return in_scope(user, model, queryset, actions).get(**lookup)
    except (model.DoesNotExist, ValueError, TypeError) as error:
        raise Http404 from error


# --- the audit log (cases.models.RegistryLogEntry) -----------------------------------------
def audit_scope_filter(user):
    """Q over RegistryLogEntry: entries about objects in the user's scope. An entry carries
    the supervising code and the school of its object at the time it was written."""
    scope = scope_of(user)
    if scope.everything:
        return Q()
    if scope.school_id:
        where = Q(school_id=scope.school_id)
    elif scope.code:
        where = scope.codes("scope_code")  # a range of registry_log_scope_time, never LIKE
    else:
        return NOTHING
    # A case belongs to both sides: the destination reads its history too. Its entries carry
    # the origin's code and school (cases/audit.py), so only the cases into the scope from
    # outside it are asked by id, not the scope's years of its own cases.
    into = _cases_destination(scope) & ~_cases_origin(scope)
    case_ids = m.Case.objects.filter(into).annotate(text_id=Cast("pk", CharField())).values("text_id")
    return where | Q(content_type=ContentType.objects.get_for_model(m.Case), object_id__in=case_ids)


def audit_entries_visible(user, entries):
    """The registry's audit entries a user may read: of a model the user holds some permission
    on, about an object in the user's scope.

    Wagtail's ``BaseLogEntryManager.viewable_by_user`` caches the allowed content types on the
    user object under one name for *all* log models, so whichever log model asks first decides
    for the others (ModelLogEntry asking first hides every registry entry). This computes the
    content types afresh, in a subquery, without reading or writing that cache.
    """
    if scope_of(user).is_empty:
        return entries.none()
    if not user.is_superuser:
        granted = Permission.objects.filter(Q(user=user) | Q(group__user=user)).values("content_type_id")
        entries = entries.filter(content_type_id__in=granted)
    return entries.filter(audit_scope_filter(user))


# --- print jobs (a merged PDF of many students' certificates) -------------------------------
def print_jobs_visible(user, queryset=None):
    """The print jobs a user may see and download: the ones they created, and (for any staff
    user) the ones whose every certificate is of a student in their scope. A merged PDF with one
    student out of scope is not theirs to read, so such a job is as missing as any other."""
    queryset = m.PrintJob.objects.all() if queryset is None else queryset
    if user is None or not user.is_authenticated or not user.is_active:
        return queryset.none()
    certificates = m.Certificate.objects.filter(print_jobs=OuterRef("pk"))
    outside = certificates.exclude(pk__in=certificates_visible(user).values("pk"))
    return queryset.filter(Q(created_by=user) | (Q(Exists(certificates)) & ~Q(Exists(outside))))


# --- Excel intakes, duplicate decisions, scheduled jobs ---------------------------------------
def intake_uploads_visible(user, queryset=None):
    """The uploaded intake workbooks of the registration cases in the user's scope (第八、十一条)."""
    queryset = m.IntakeUpload.objects.all() if queryset is None else queryset
    return queryset.filter(case__in=in_scope(user, m.Case))


def duplicate_decisions_visible(user, queryset=None):
    """The registrars' duplicate decisions (第十一条) of the cases in the user's scope: the
    school's own, and its schools' for an authority above."""
    queryset = m.DuplicateDecision.objects.all() if queryset is None else queryset
    return queryset.filter(case__in=in_scope(user, m.Case))


def job_runs_visible(user, queryset=None):
    """Scheduled runs concern the whole province: shown to authority staff and superusers, not
    to schools. Approving and undoing are the province's (cases/services/jobs.py)."""
    queryset = m.JobRun.objects.all() if queryset is None else queryset
    scope = scope_of(user)
    return queryset if (scope.everything or scope.code) else queryset.none()


# --- what a case form may name (the pickers of cases/admin/case_fields.py and the API) -----------
def pickable(user, kind, *, school=None, stage=None):
    """What a user filling a case may pick, by field kind: students and registrations the user
    may act on (write scope); any school as a destination (the directory of schools is public:
    a transfer names a school in another county) and the classes of the school concerned
    (a destination class is chosen at the destination); jurisdictions."""
    if scope_of(user).is_empty:
        return m.Student.objects.none() if kind == "student" else m.School.objects.none()
    if kind == "student":
        return in_scope(user, m.Student, actions=("change",))
    if kind == "registrations":
        queryset = in_scope(user, m.Registration, actions=("change",)).filter(status=m.RegistrationStatus.ACTIVE)
        return queryset.filter(school=school) if school is not None else queryset
    if kind == "school":
        return m.School.objects.all()
    if kind == "school_class":
        queryset = m.SchoolClass.objects.filter(school=school) if school is not None else m.SchoolClass.objects.none()
        return queryset.filter(stage=stage) if stage else queryset
    if kind == "jurisdiction":
        return m.Jurisdiction.objects.all()
    raise ValueError(kind)


# --- personal data (ID number, addresses, guardians' phones and ID numbers) -------------------
# The registry number is personal when it is a G number: "G" + the ID number by rule (第九条), so
# showing it whole shows the ID number. J and L numbers embed no ID and ``mask`` leaves them whole.
PERSONAL_FIELDS = {
    m.Student: ("id_number", "registry_number", "household_address", "address"),
    m.Guardian: ("phone", "id_number"),
}


def students_held(user, student_ids, *, cached=True):
    """The ids among ``student_ids`` whose registration ``user``'s unit holds or supervises: the
    school of the student's current registration (the open one, else the latest,
    cases/services/current.py) and the units above it, i.e. ``Scope.current_students``.

    This one decision serves two rules. 第十四条: only they start cases, issue or revoke
    certificates and print for the student; the former school and its authority read the
    history up to the hand-over. Personal data: only they see it whole; every other unit that may
    read the student (the former school, the school named in a draft transfer) sees it masked,
    field by field, in the admin and in GraphQL alike. At most one query (none for students
    whose rows were noted, ``note_held``); reads are cached on the user for the request, writes
    ask afresh (``cached=False``)."""
    scope = scope_of(user)
    ids = {int(pk) for pk in student_ids if pk is not None}
    if scope.everything:
        return ids
    if scope.is_empty:
        return set()
    cache = user.__dict__.setdefault("_xueji_held", {}) if cached else {}
    unknown = ids - cache.keys()
    if unknown:
        held = set(_HELD_READS.rows(("held", scope), lambda ids: m.Student.objects.filter(
            any_of("pk", ids, "bigint") & scope.current_students()).values_list("pk", flat=True), sorted(unknown)))
        cache.update({pk: pk in held for pk in unknown})
    return {pk for pk in ids if cache.get(pk)}


# The held condition compiled once per scope, run with each list of ids (cases/prepared.py).
_HELD_READS = PreparedReads()


def note_held(user, students):
    """Decide ``students_held`` for the request from Student rows already loaded (their current
    school and scope code are columns of the row): a page of the API asks no query for them."""
    scope = scope_of(user)
    cache = user.__dict__.setdefault("_xueji_held", {})
    for student in students:
        if "scope_code" in student.__dict__ and "current_school_id" in student.__dict__:
            cache.setdefault(student.pk, scope.holds(student))


def holds_student(user, student):
    """May ``user`` act for ``student`` (start a case, issue, revoke, print)? Asked afresh."""
    return bool(students_held(user, [student.pk], cached=False))


def certificates_visible(user, queryset=None):
    """Certificates a user reads: those issued by a school in the user's scope. After a transfer
    the former school keeps what it issued and never sees what the new school issues (第十四条)."""
    queryset = m.Certificate.objects.all() if queryset is None else queryset
    scope = scope_of(user)
    return queryset.filter(scope.schools("school__")) if not scope.is_empty else queryset.none()


def mask(field, value):
    """A personal value as a unit outside the registration sees it: enough to recognise, not
    enough to use (ID 6201**********123X, phone 139****5678, address 兰州市城关区****, registry
    number G6201**********123X). Idempotent: a masked value masks to itself."""
    if not value:
        return value
    value = str(value)
    if field == "registry_number":
        # G + ID number: masked as the ID number is (G6201**********123X); J/L stay whole.
        return "G" + mask("id_number", value[1:]) if value[:1] == "G" else value
    if field == "id_number":
        return value[:4] + "*" * max(len(value) - 8, 4) + value[-4:] if len(value) > 8 else "*" * len(value)
    if field == "phone":
        return value[:3] + "****" + value[-4:] if len(value) > 7 else "*" * len(value)
    return value[:6] + "****"


def _student_id(instance):
    return instance.pk if isinstance(instance, m.Student) else instance.student_id


def personal_value(user, instance, field):
    """``instance.field`` whole or masked for ``user`` (a Student or a Guardian)."""
    value = getattr(instance, field)
    if field in PERSONAL_FIELDS[type(instance)] and not _held(user, _student_id(instance)):
        return mask(field, value)
    return value


def _held(user, student_id):
    """``students_held`` for one student, from the request's cache when decided (a page asks it
    for every personal field of every row)."""
    known = user.__dict__.get("_xueji_held", {}).get(student_id)
    return known if known is not None else bool(students_held(user, [student_id]))


def registry_number_shown(user, student):
    """The registry number as ``user`` sees it (whole for the holder, a G number masked else)."""
    return personal_value(user, student, "registry_number")


def personal_view(user, instances):
    """``instances`` (Students, Guardians) as ``user`` may see them, for display: personal
    fields masked on the instances of students ``user`` does not hold, and the others marked
    whole, so that ``str(student)`` (which masks a G number unless told otherwise, see
    ``Student.__str__``) shows it whole to the holder. One query for the batch. The instances are
    display-only afterwards, never saved (a masked value would be refused by the unique indexes
    anyway, and services re-read what they write)."""
    instances = [i for i in instances if i is not None]
    held = students_held(user, [_student_id(i) for i in instances])
    for instance in instances:
        whole = _student_id(instance) in held
        if not whole:
            for field in PERSONAL_FIELDS[type(instance)]:
                setattr(instance, field, mask(field, getattr(instance, field)))
        instance._xueji_personal_whole = whole
    return instances


def personal_text(user, student, text):
    """``text`` about ``student`` (an archive entry's title or body, written with the student's
    numbers at the time: "学籍号 G…,2026年9月1日入学") as ``user`` may read it: the student's G
    registry number and ID number masked unless ``user`` holds the student. ``student`` must be
    the stored row (its numbers whole)."""
    if not text or student is None or students_held(user, [student.pk]):
        return text
    return numbers_masked_in(text, student.registry_number, student.id_number)


def numbers_masked_in(text, registry_number, id_number):
    """``text`` with these (whole) numbers of one student masked: for a reader who does not hold
    the student (``personal_text``; GraphQL batches the look-up of the numbers)."""
    for field, value in (("registry_number", registry_number), ("id_number", id_number)):
        if text and value and len(value) >= 18:
            text = text.replace(value, mask(field, value))
    return text


G_NUMBER = re.compile(r"G\d{17}[\dX]")


def g_numbers_masked(text):
    """``text`` (a log entry's label or data, read by units that may not hold the students it
    names) with every G registry number in it masked."""
    return G_NUMBER.sub(lambda match: mask("registry_number", match.group()), text) if text else text


def students_held_q(user, prefix=""):
    """Q over Student (or a ``prefix``-ed relation to it): the students ``user`` holds, the same
    decision as ``students_held`` as a filter (for searches by number, cases/search.py)."""
    scope = scope_of(user)
    if scope.everything:
        return Q()
    if scope.is_empty:
        return NOTHING
    return scope.current_students(prefix)
