"""The working-day calendar (第二十、二十五条): statutory holidays out, make-up days in."""

import datetime

import graphene

from cases.calendar import add_working_days, is_working_day, overrides_between, working_days_between
from graphql_api.core.errors import ApiError

MAX_SPAN = 366


class CalendarDay(graphene.ObjectType):
    date = graphene.Date(required=True)
    is_working_day = graphene.Boolean(required=True)


def _check_span(days):
    if not 0 <= days <= MAX_SPAN:
        raise ApiError(f"日期范围应在0至{MAX_SPAN}天之间", "invalid_range")


class WorkdayQueries(graphene.ObjectType):
    working_days = graphene.List(graphene.NonNull(CalendarDay), required=True,
                                 start=graphene.Date(required=True), end=graphene.Date(required=True),
                                 description="start 至 end(含两端)每天是否为工作日,最多366天")
    working_days_between = graphene.Int(required=True, start=graphene.Date(required=True),
                                        end=graphene.Date(required=True),
                                        description="start 之后至 end(含)的工作日数")
    add_working_days = graphene.Date(required=True, start=graphene.Date(required=True),
                                     count=graphene.Int(required=True),
                                     description="start 之后第 count 个工作日(办理期限的算法)")

    def resolve_working_days(root, info, start, end):
        _check_span((end - start).days)
        overrides = overrides_between(start, end)
        days = (start + datetime.timedelta(days=n) for n in range((end - start).days + 1))
        return [CalendarDay(date=day, is_working_day=is_working_day(day, overrides)) for day in days]

    def resolve_working_days_between(root, info, start, end):
        _check_span((end - start).days)
        return working_days_between(start, end)

    def resolve_add_working_days(root, info, start, count):
        _check_span(count)
        return add_working_days(start, count)
