"""What the public site may learn: certificate verification and the status lookup.

Limits of the lookup (counted in the Django cache, shared by all workers when it is Redis):
enumeration is stopped per IP (10 an hour) and for everyone together (a circuit breaker), and
name-guessing against one ID number is stopped per ID — but a stranger must not be able to lock
a parent out. So the per-ID limit counts only *failed* lookups, each IP once (one stranger
counts as one, however often he tries), in a short window (15 minutes): only several IPs failing
on the same ID within minutes pause that ID, and only until the window ends. An IP that found
the student before (the parent's home) is trusted for that ID for 30 days and is not paused.

Both answer with the minimum (masked name, masked number, school, status) and never tell a
wrong guess from a missing record: an altered serial, a wrong check code and an unknown serial
give the same "unknown"; an unknown ID number and a name that does not match give the same
"not found", after the same query and a constant-time compare.
"""

import hmac
import re
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils.crypto import salted_hmac

from cases import models as m
from cases import ratelimit
from cases.identity import normalize_name
from cases.services.certificates import check_code_matches

SERIAL_RE = re.compile(r"^[A-Z0-9]{4,12}-\d{1,10}$")
CODE_RE = re.compile(r"^[A-Z2-7]{8}$")


def mask_name(name):
    """王小明 → 王*明, 王明 → 王*, 欧阳小明 → 欧**明."""
    name = name or ""
    if len(name) <= 1:
        return "*"
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def mask_number(number):
    number = number or ""
    return f"{number[:4]}****{number[-4:]}" if len(number) > 8 else "****"


# --- verification -------------------------------------------------------------------------
@dataclass(frozen=True)
class Verification:
    outcome: str  # valid | revoked | unknown
    kind: str = ""
    name: str = ""
    school: str = ""
    issued_on: object = None
    revoked_on: object = None


def certificate_verify(serial, code):
    serial = (serial or "").strip().upper()[:40]
    code = (code or "").strip().upper()[:16]
    if not (SERIAL_RE.match(serial) and CODE_RE.match(code)):
        return Verification("unknown")
    certificate = m.Certificate.objects.filter(serial=serial).select_related("student", "school").first()
    if not check_code_matches(certificate, code):
        return Verification("unknown")
    from django.utils import timezone

    return Verification(
        "revoked" if certificate.is_revoked else "valid", kind=certificate.get_kind_display(),
        name=mask_name(certificate.student.name), school=certificate.school.name if certificate.school else "",
        issued_on=timezone.localdate(certificate.issued_at),
        revoked_on=timezone.localdate(certificate.revoked_at) if certificate.revoked_at else None,
    )


# --- status lookup ------------------------------------------------------------------------
@dataclass(frozen=True)
class LookupResult:
    outcome: str  # found | not_found | limited
    limited_by: str = ""  # ip | all | id
    registry_number: str = ""
    school: str = ""
    status: str = ""


def id_number_hash(id_number):
    # Keyed, not a plain SHA-256: the space of ID numbers is small enough to enumerate.
    return salted_hmac("xueji.lookup.id_number", id_number, secret=settings.SECRET_KEY,
                       algorithm="sha256").hexdigest()


def _trust_key(ip, hashed):
    return f"xueji:lookup:trust:{hashed}:{ip}"


def _limited_by(ip, hashed):
    """Count this attempt against the IP and global limits; '' when allowed, else which limit."""
    if ratelimit.over_limit(f"xueji:lookup:ip:{ip}", settings.XUEJI_LOOKUP_LIMIT_PER_IP,
                            settings.XUEJI_LOOKUP_IP_PERIOD):
        return "ip"
    if ratelimit.over_limit("xueji:lookup:all", settings.XUEJI_LOOKUP_LIMIT_GLOBAL,
                            settings.XUEJI_LOOKUP_GLOBAL_PERIOD):
        return "all"
    failing_ips = ratelimit.count(f"xueji:lookup:id:{hashed}")
    if failing_ips >= settings.XUEJI_LOOKUP_ID_FAILING_IPS and not cache.get(_trust_key(ip, hashed)):
        return "id"
    return ""


def _count_failure(ip, hashed):
    """One more failing IP for this ID in the window (an IP counts once per window)."""
    period = settings.XUEJI_LOOKUP_ID_PERIOD
    if cache.add(f"xueji:lookup:id:{hashed}:{ip}", 1, period):
        ratelimit.hit(f"xueji:lookup:id:{hashed}", period)


def _log(ip, hashed, outcome):
    m.LookupLog.objects.create(ip=ip or None, id_number_hash=hashed, outcome=outcome)


@transaction.atomic
def student_status_lookup(*, ip, name, id_number):
    id_number = (id_number or "").strip().upper()[:18]
    name = normalize_name(name)[:50]  # as stored: invisible characters and dot variants folded
    hashed = id_number_hash(id_number)
    limited_by = _limited_by(ip, hashed)
    if limited_by:
        _log(ip, hashed, m.LookupOutcome.LIMITED)
        return LookupResult("limited", limited_by=limited_by)
    # One query whatever the answer: the student with the latest registration's school and
    # status, so a found and a not-found lookup do the same work.
    latest = m.Registration.objects.filter(student=OuterRef("pk")).order_by("-started_on", "-id")
    row = (m.Student.objects.filter(id_number=id_number)
           .annotate(school_name=Subquery(latest.values("school__name")[:1]),
                     status=Subquery(latest.values("status")[:1]))
           .values("name", "registry_number", "school_name", "status").first())
    stored_name = row["name"] if row else "\u0000" * max(len(name), 1)
    matches = hmac.compare_digest(stored_name.encode(), name.encode()) and row is not None
    if not matches:
        _count_failure(ip, hashed)
        _log(ip, hashed, m.LookupOutcome.NOT_FOUND)
        return LookupResult("not_found")
    cache.set(_trust_key(ip, hashed), 1, settings.XUEJI_LOOKUP_TRUST_PERIOD)
    _log(ip, hashed, m.LookupOutcome.FOUND)
    return LookupResult("found", registry_number=mask_number(row["registry_number"]),
                        school=row["school_name"] or "",
                        status=m.RegistrationStatus(row["status"]).label if row["status"] else "")
