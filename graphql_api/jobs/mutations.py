"""The province approves the promotion's dry run and may undo it within a month (第十六条):
each one call of cases/services/jobs.py, which decides who may."""

import graphene

from cases.services.jobs import job_approve, promotion_undo
from graphql_api.core.mutations import ServiceMutation, get_visible

from .types import JobRunNode


class ApproveJobRun(ServiceMutation):
    """批准年度升级的预演(省级学籍主管部门),任务随即排队执行;撤销后可再次批准。"""

    result = graphene.Field(JobRunNode)

    class Arguments:
        id = graphene.ID(required=True)

    @classmethod
    def perform(cls, info, id):
        return job_approve(acting_user=info.context.user, run=get_visible(info, JobRunNode, id))


class UndoJobRun(ServiceMutation):
    """撤销已完成的年度升级(省级,完成后30天内):升级记录作废(保留),班级退回上一学年。"""

    result = graphene.Field(JobRunNode)

    class Arguments:
        id = graphene.ID(required=True)

    @classmethod
    def perform(cls, info, id):
        return promotion_undo(acting_user=info.context.user, run=get_visible(info, JobRunNode, id))


class JobMutations(graphene.ObjectType):
    approve_job_run = ApproveJobRun.Field()
    undo_job_run = UndoJobRun.Field()
