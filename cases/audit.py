"""Audit entries for every change of registry data.

We use Wagtail's own log (ModelLogEntry) rather than a table of our own: its entries show in
each object's history view and in the site history report, and they are written in the
caller's transaction, so a rolled-back change leaves no audit entry behind.
"""

from wagtail.log_actions import log

# action code → (label, past-tense message), registered with Wagtail in wagtail_hooks.
ACTIONS = {
    "xueji.division.import": ("导入行政区划", "导入行政区划"),
    "xueji.division.edit": ("修改学籍辅号县码", "修改学籍辅号县码"),
    "xueji.school.create": ("新建学校", "新建学校"),
    "xueji.school.edit": ("修改学校", "修改学校信息"),
    "xueji.student.register": ("建立学籍", "建立学籍"),
    "xueji.student.edit": ("修改学生联系信息", "修改学生联系信息"),
    "xueji.student.number_convert": ("临时学籍号转正", "临时学籍号转为正式学籍号"),
    "xueji.registration.status": ("学籍状态变动", "学籍状态变动"),
    "xueji.registration.class": ("调整班级", "调整班级"),
    "xueji.auxiliary.issue": ("编排学籍辅号", "编排学籍辅号"),
    "xueji.auxiliary.cancel": ("注销学籍辅号", "注销学籍辅号"),
    "xueji.auxiliary.template": ("设置学籍辅号规则", "设置学籍辅号规则"),
    "xueji.class.promote": ("年度升级", "年度升级"),
    "xueji.class.create": ("新建班级", "新建班级"),
    "xueji.class.edit": ("修改班级名称", "修改班级名称"),
    "xueji.staff.create": ("登记学籍工作人员", "登记学籍工作人员"),
    "xueji.staff.edit": ("修改学籍工作人员", "修改学籍工作人员信息"),
    "xueji.staff.deactivate": ("停用账号", "停用学籍工作人员账号"),
    "xueji.staff.activate": ("启用账号", "启用学籍工作人员账号"),
    "xueji.staff.password": ("重置密码", "重置学籍工作人员密码"),
    "xueji.archive.append": ("追加档案条目", "追加档案条目"),
    "xueji.demo.seed": ("生成演示数据", "生成演示数据"),
    "xueji.case.create": ("新建学籍变动案卷", "新建学籍变动案卷"),
    "xueji.case.edit": ("修改案卷", "修改案卷"),
    "xueji.case.evidence": ("上传证明材料", "上传证明材料"),
    "xueji.case.submit": ("提交审批", "提交审批"),
    "xueji.case.override": ("特批", "特批一般不予办理的规定"),
    "xueji.case.withdraw": ("撤回案卷", "撤回案卷"),
    "xueji.case.restart": ("重新审批", "案卷内容改变,已审批的步骤作废并重新审批"),
    "xueji.case.approve": ("案卷办结", "案卷批准并生效"),
    "xueji.calendar.override": ("调整工作日", "调整工作日"),
    "xueji.certificate.issue": ("签发证书证明", "签发证书证明"),
    "xueji.certificate.revoke": ("作废证书证明", "作废证书证明"),
    "xueji.certificate.print": ("打印证书证明", "打印(补打)证书证明"),
    "xueji.intake.upload": ("导入新生名单", "上传新生名单工作簿"),
    "xueji.duplicate.decide": ("查重裁定", "裁定疑似重复学生"),
    "xueji.job.undo": ("撤销定时任务", "撤销年度升级"),
    "xueji.student.card_print": ("打印学籍卡", "打印学籍卡"),
}


def audit_scope(instance):
    """(supervising code, school id) of the object an entry is about, for scoping the log."""
    from cases import models as m

    school = None
    if isinstance(instance, m.School):
        school = instance
    elif isinstance(instance, m.Student):
        registration = instance.registrations.order_by("-started_on", "-id").select_related("school").first()
        school = registration.school if registration else None
    elif isinstance(instance, m.CalendarOverride):
        from django.conf import settings

        return settings.XUEJI_PROVINCE_CODE, None
    elif isinstance(instance, m.Case):
        return instance.scope_code, instance.school_id
    elif isinstance(instance, m.ArchiveEntry):
        return audit_scope(instance.student)
    elif isinstance(instance, m.StaffProfile):
        if instance.jurisdiction_id:
            return instance.jurisdiction.code, None
        school = instance.school
    elif isinstance(instance, m.Jurisdiction):
        return instance.code, None
    elif isinstance(instance, m.AuxiliaryNumberTemplate):
        return instance.jurisdiction.code, None
    elif hasattr(instance, "school"):
        school = instance.school
    if school is None:
        return "", None
    return school.scope_code, school.pk


def audit(instance, action, *, acting_user, data=None, title=None):
    """Write the audit entry in the caller's transaction."""
    if action not in ACTIONS:
        raise ValueError(f"unregistered audit action {action}")
    return log(instance, action, user=acting_user, data=data or {}, title=title)


def audit_many(instances, action, *, acting_user, data=None, scope=None):
    """One entry per instance, set-based, for batches (a school's new intake, a range of
    auxiliary numbers): plain rows hashed into the chain and written by one COPY
    (chain.insert_values), no model object per entry. ``scope``: (supervising code, school id)
    of them all, or a function of the instance giving it."""
    from django.contrib.contenttypes.models import ContentType
    from django.utils import timezone

    from cases import chain
    from cases.models import RegistryLogEntry

    if action not in ACTIONS:
        raise ValueError(f"unregistered audit action {action}")
    instances = list(instances)
    types = {kind: ContentType.objects.get_for_model(kind, for_concrete_model=False).pk
             for kind in {type(instance) for instance in instances}}
    # What every entry of the batch shares is given once (chain.insert_values encodes it once).
    common = {"action": action, "timestamp": timezone.now(), "uuid": None,
              "user_id": acting_user.pk if acting_user is not None else None, "revision_id": None,
              "content_changed": False, "deleted": False}
    if len(types) == 1:
        (common["content_type_id"],) = types.values()
    if scope and not callable(scope):
        common["scope_code"], common["school_id"] = scope
    if not callable(data):
        common["data"] = data or {}
    rows = []
    for instance in instances:
        # With ``common``: every column the hash covers (chain.content_fields), as an unsaved entry holds them.
        row = {"label": str(instance)[:255], "object_id": str(instance.pk)}
        if "content_type_id" not in common:
            row["content_type_id"] = types[type(instance)]
        if "scope_code" not in common:
            row["scope_code"], row["school_id"] = (scope(instance) if callable(scope) else None) or audit_scope(instance)
        if callable(data):
            row["data"] = data(instance)
        rows.append(row)
    chain.insert_values(RegistryLogEntry, rows, common)
