import graphene

from cases import models as m
from cases.jobs import JOBS
from graphql_api.core.filters import ApiFilterSet, InputFilter, Ordering
from graphql_api.core.nodes import ScopedConnectionField

from .types import Job, JobRunNode, JobStatus


class JobRunFilter(ApiFilterSet):
    job = InputFilter(graphene.String, field_name="job", label="任务代码(见 jobs)")
    status = InputFilter(JobStatus, field_name="status", label="状态")
    order_by = Ordering("created_at", "id")

    class Meta(ApiFilterSet.Meta):
        model = m.JobRun


class JobQueries(graphene.ObjectType):
    jobs = graphene.List(graphene.NonNull(Job), required=True, description="定时任务")
    job_runs = ScopedConnectionField(JobRunNode, filterset_class=JobRunFilter,
                                     description="定时任务的执行记录(教育行政部门可见;新的在前)")

    def resolve_jobs(root, info):
        return [Job(code=j.code, name=j.name, article=j.article, needs_approval=j.needs_approval)
                for j in JOBS.values()]
