"""The registry's scheduled duties, as data: which period is due on a day, what a run does.

- 年度升级 (第十六条): from 1 September, once per school year; a dry run the province approves,
  undone within its first month if need be.
- 休学期满 (第三十一条): daily; suspensions that reached their end since the last run, reported
  to the school and, in compulsory education, to the township that must chase the family.
- 随迁子女辍学档案移交 (第三十二条): at the end of each term, the archives of migrant children
  who dropped out are handed to the county of their household register.
- 学籍统计汇总: daily, the statistics cube is rebuilt from the registry (the statistics pages
  read it: a province's figures without aggregating five million registrations per view).

The scheduler and the runs' bookkeeping are in ``cases/services/jobs.py``.
"""

from dataclasses import dataclass

from django.db.models import Count, Exists, F, OuterRef, Q

from cases import models as m

HANDOVER_TITLE = "辍学学生档案移交户籍所在县"


@dataclass(frozen=True)
class Job:
    code: str
    name: str
    article: str
    needs_approval: bool = False

    def period_of(self, today):
        return PERIODS[self.code](today)


def _school_year_period(today):
    return str(m.school_year_of(today))  # the school year starting 1 September


def _term_period(today):
    """The last finished term: the autumn term ends in January, the spring term in July."""
    if 2 <= today.month <= 7:
        return f"{today.year - 1}-秋季学期"
    return f"{today.year if today.month >= 8 else today.year - 1}-春季学期"


PERIODS = {
    "promotion": _school_year_period,
    "suspension_ends": lambda today: today.isoformat(),
    "migrant_dropout_handover": _term_period,
    "statistics": lambda today: today.isoformat(),
}
JOBS = {job.code: job for job in (
    Job("promotion", "年度升级", "第十六条", needs_approval=True),
    Job("suspension_ends", "休学期满提醒", "第三十一条"),
    Job("migrant_dropout_handover", "随迁子女辍学档案移交", "第三十二条"),
    # Not a duty of the regulation: the daily cube the statistics pages read (cases/models/statistics.py).
    Job("statistics", "学籍统计汇总", ""),
)}


# --- promotion --------------------------------------------------------------------------------
def promotion_due(school_year):
    return m.SchoolClass.objects.filter(cohort__lte=school_year).filter(
        Q(promoted_through__isnull=True) | Q(promoted_through__lt=school_year))


def promotion_preview(school_year):
    """What the promotion would do (nothing written): classes per stage and new grade, and the
    cohorts whose last year has passed (to graduate, not to promote)."""
    rows = promotion_due(school_year).values("stage", "cohort").annotate(n=Count("pk")).order_by("stage", "cohort")
    promote, complete = {}, 0
    stages = dict(m.Stage.choices)
    for row in rows:
        grade = school_year - row["cohort"] + 1
        if grade > m.STAGE_YEARS[row["stage"]]:
            complete += row["n"]
            continue
        key = f"{stages[row['stage']]}升入第{grade}学年"
        promote[key] = promote.get(key, 0) + row["n"]
    return {"school_year": school_year, "classes": promote, "promote": sum(promote.values()), "complete": complete}


# --- suspensions reaching their end -------------------------------------------------------------
def suspensions_ended(since, today):
    """Suspended registrations whose end fell in (since, today], with school and township."""
    return (m.Registration.objects.filter(status=m.RegistrationStatus.SUSPENDED, suspended_until__gt=since,
                                          suspended_until__lte=today)
            .select_related("student", "school__township").order_by("school_id", "suspended_until"))


# --- migrant dropouts' archives ------------------------------------------------------------------
def migrant_dropouts_to_hand_over():
    """Dropped-out compulsory registrations of migrant children registered in another county,
    whose archive has not been handed over yet."""
    handed = m.ArchiveEntry.objects.filter(student=OuterRef("student"), title__startswith=HANDOVER_TITLE)
    return (m.Registration.objects.filter(status=m.RegistrationStatus.DROPPED_OUT, stage__in=m.COMPULSORY_STAGES,
                                          student__is_migrant=True, student__household_county__isnull=False)
            .exclude(student__household_county_id=F("school__county_id"))
            .filter(~Exists(handed)).select_related("student__household_county", "school"))
