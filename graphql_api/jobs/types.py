"""Scheduled jobs (第十六、三十一、三十二条): each run with its period, status, dry run, outcome and
what it changed, as the admin's 定时任务 shows them."""

import datetime

import graphene

from cases import access
from cases import models as m
from cases.jobs import JOBS
from cases.services.jobs import UNDO_DAYS
from graphql_api.accounts.types import User
from graphql_api.core import enums
from graphql_api.core.nodes import ScopedNode
from graphql_api.core.optimize import Join

JobStatus = enums.choices_enum("JobStatus", m.JobStatus, "定时任务状态")


class Job(graphene.ObjectType):
    """一项定时任务。"""

    code = graphene.String(required=True, description="promotion 年度升级、suspension_ends 休学期满提醒、"
                                                      "migrant_dropout_handover 随迁子女辍学档案移交")
    name = graphene.String(required=True)
    article = graphene.String(required=True)
    needs_approval = graphene.Boolean(required=True, description="预演后须省级批准才执行(年度升级)")


class ClassCount(graphene.ObjectType):
    label = graphene.String(required=True, description="如 初中升入第2学年")
    classes = graphene.Int(required=True)


class PromotionPreview(graphene.ObjectType):
    """年度升级的预演(不写入任何数据):各学段升入新年级的班级数,及学业年限已满、待办理毕业的班级数。"""

    school_year = graphene.Int(required=True)
    promote = graphene.Int(required=True, description="将升级的班级数")
    complete = graphene.Int(required=True, description="学业年限已满的班级数(不升级,待毕业)")
    classes = graphene.List(graphene.NonNull(ClassCount), required=True)


class JobRunNode(ScopedNode):
    job = graphene.Field(Job, required=True)
    status = graphene.Field(JobStatus, required=True)
    preview = graphene.Field(PromotionPreview, description="年度升级的预演;其他任务为空")
    changes = graphene.JSONString(required=True, description="执行的变更内容(只读)")
    approved_by = graphene.Field(User)
    undone_by = graphene.Field(User)
    undoable_until = graphene.DateTime(description="年度升级完成后可撤销的截止时间;不可撤销时为空")
    related = {"approvedBy": Join("approved_by"), "undoneBy": Join("undone_by")}

    class Meta:
        model = m.JobRun
        name = "JobRun"
        fields = ("id", "period", "outcome", "created_at", "started_at", "finished_at", "undone_at")
        description = "定时任务的一次执行(每项任务每个周期一次)"

    @classmethod
    def scoped(cls, queryset, info):
        return access.job_runs_visible(info.context.user, queryset)

    def resolve_job(root, info):
        job = JOBS.get(root.job)
        if job is None:
            return Job(code=root.job, name=root.job, article="", needs_approval=False)
        return Job(code=job.code, name=job.name, article=job.article, needs_approval=job.needs_approval)

    def resolve_preview(root, info):
        preview = root.preview or {}
        if "school_year" not in preview:
            return None
        return PromotionPreview(school_year=preview["school_year"], promote=preview.get("promote", 0),
                                complete=preview.get("complete", 0),
                                classes=[ClassCount(label=k, classes=v) for k, v in preview.get("classes", {}).items()])

    def resolve_undoable_until(root, info):
        if root.job != "promotion" or root.status != m.JobStatus.DONE or not root.finished_at:
            return None
        return root.finished_at + datetime.timedelta(days=UNDO_DAYS)
