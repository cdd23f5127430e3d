"""Audit entries for every change of registry data.

We use Wagtail's own log (ModelLogEntry) rather than a table of our own: its entries show in
each object's history view and in the site history report, and they are written in the
caller's transaction, so a rolled-back change leaves no audit entry behind.
"""

from wagtail.log_actions import log

# action code → (label, past-tense message), registered with Wagtail in wagtail_hooks.
ACTIONS = {
    "xueji.division.import": ("导入行政区划", "导入行政区划"),
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
    "xueji.staff.create": ("登记学籍工作人员", "登记学籍工作人员"),
    "xueji.archive.append": ("追加档案条目", "追加档案条目"),
    "xueji.demo.seed": ("生成演示数据", "生成演示数据"),
}


def audit(instance, action, *, acting_user, data=None, title=None):
    if action not in ACTIONS:
        raise ValueError(f"unregistered audit action {action}")
    return log(instance, action, user=acting_user, data=data or {}, title=title)
