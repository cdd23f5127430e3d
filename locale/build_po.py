"""Write locale/zh_Hans/LC_MESSAGES/django.po: our Chinese for what Wagtail and Django leave in
English on the registry's admin pages. Run `python locale/build_po.py && msgfmt -o
locale/zh_Hans/LC_MESSAGES/django.mo locale/zh_Hans/LC_MESSAGES/django.po` after editing."""

from pathlib import Path

M = "%(model_name)s"
SINGULAR = {
    # lists, search, empty states
    f"No {M} match your query.": f"没有符合查询条件的{M}。",
    f"There are no {M} to display. Why not <a href=\"%(add_url)s\">add one</a>?":
        f"暂无{M}。<a href=\"%(add_url)s\">新建一条</a>",
    "You haven't created any %(snippet_type_name)s snippets. Why not <a href=\"%(wagtailsnippets_create_snippet_url)s\">create one now</a>?":
        "暂无%(snippet_type_name)s。<a href=\"%(wagtailsnippets_create_snippet_url)s\">新建一条</a>",
    f"%(start_index)s-%(end_index)s of %(items_count)s {M}": f"第 %(start_index)s–%(end_index)s 条,共 %(items_count)s 条{M}",
    f"%(start_index)s-%(end_index)s of %(items_count)s {M} across entire site.":
        f"第 %(start_index)s–%(end_index)s 条,共 %(items_count)s 条{M}(全站)。",
    "No results across entire site.": "全站没有结果。",
    "Search all pages…": "搜索全部页面…",
    "The filter options you have selected are not valid.": "所选筛选条件无效。",
    "Sort by '%(label)s' in ascending order.": "按“%(label)s”升序排列。",
    "Sort by '%(label)s' in descending order.": "按“%(label)s”降序排列。",
    "(blank)": "(空)",
    "item": "项",
    "items": "项",
    "Any": "不限",
    "- Select an option -": "- 请选择 -",
    "More bulk actions": "更多批量操作",
    "Item %(index)s of %(total)s": "第 %(index)s 项,共 %(total)s 项",
    "Sort item order": "调整顺序",
    "Disable custom ordering": "停用自定义排序",
    "Enable custom ordering": "启用自定义排序",
    "Date updated": "更新日期",
    "Edited by": "编辑人",
    "Locked by": "锁定人",
    "Disabled": "已停用",
    "Show disabled": "显示已停用",
    "By task": "按步骤",
    "By workflow": "按流程",
    "Anyone": "任何人",
    "Never": "从未",
    "System": "系统",
    "Unknown content type": "未知内容类型",
    "%(classname)s object (%(id)s)": "%(classname)s(%(id)s)",
    "%(related_model_name)s %(field_label)s": "%(related_model_name)s%(field_label)s",
    "%(field_label)s:": "%(field_label)s:",
    "Status %(status)s": "状态:%(status)s",
    # forms and editing
    "Go to the first error": "转到第一个错误",
    "There are validation errors, click save to highlight them.": "填写有误,请点击保存查看出错的项目。",
    "Saving will overwrite a newer version.": "保存将覆盖较新的版本。",
    "Save your changes before leaving": "离开前请先保存",
    "Saved": "已保存",
    "Save changes": "保存更改",
    "Refresh": "刷新",
    "Refreshing…": "正在刷新…",
    "Compare": "比较",
    "Checks": "检查",
    "Toggle checks": "显示/隐藏检查",
    "Section": "部分",
    "Show issue": "显示问题",
    "Actions (footer)": "操作",
    f"New: {M}": f"新建:{M}",
    f"Create a new {M}": f"新建{M}",
    "Choose parent": "选择上级",
    "Date cannot be in the future.": "日期不能晚于今天。",
    "Maximum filesize: %(max_upload_size)s.": "文件大小上限:%(max_upload_size)s。",
    "Required. Letters, digits and @/./+/-/_ only.": "必填。只能包含字母、数字和 @/./+/-/_。",
    "Password": "密码",
    "Autosave is paused": "自动保存已暂停",
    "Autosave is <span>paused</span>": "自动保存<span>已暂停</span>",
    "Correct the validation errors to resume preview (saving will highlight errors)": "请先改正填写错误",
    "Preview cannot display due to validation errors. <br /> Click save to highlight the relevant fields.":
        "填写有误,无法预览。<br />请点击保存查看出错的项目。",
    "You saved a new version in another window": "您已在另一个窗口保存了新版本",
    "%(user_name)s saved a new version": "%(user_name)s 保存了新版本",
    "View latest version": "查看最新版本",
    "You have unsaved changes in another window": "您在另一个窗口有未保存的修改",
    "%(user_name)s has unsaved changes": "%(user_name)s 有未保存的修改",
    "Currently idle": "当前空闲",
    "Currently viewing": "正在查看",
    "Proceeding will overwrite the changes you made in that window.": "继续将覆盖您在该窗口所做的修改。",
    "Proceeding will overwrite the changes made by %(user_name)s.": "继续将覆盖 %(user_name)s 所做的修改。",
    "Alternatively, you can view the latest version in a new tab.": "也可以在新标签页中查看最新版本。",
    "A network error occurred": "网络错误",
    "Troubleshoot your connection to the site before proceeding. Open the editor in a separate tab to view the latest version.":
        "请先检查网络连接,再在新标签页中打开以查看最新版本。",
    # workflow (cases) and locking
    f"{M} '%(object)s' has been submitted for moderation.": f"{M}“%(object)s”已提交审批。",
    f"{M} '%(object)s' created and submitted for moderation.": f"已新建{M}“%(object)s”并提交审批。",
    f"Workflow on {M} '%(object)s' has been cancelled.": f"{M}“%(object)s”已撤回。",
    f"Workflow on {M} '%(object)s' has been restarted.": f"{M}“%(object)s”已重新提交审批。",
    f"This {M} hasn't been submitted for moderation yet": f"该{M}尚未提交审批",
    f"This {M} is currently at <strong>%(task)s</strong> in <strong>%(workflow)s</strong>.":
        f"该{M}正处于<strong>%(workflow)s</strong>的<strong>%(task)s</strong>步骤。",
    f"Publishing this {M} will cancel the current workflow.": f"发布该{M}将终止当前审批。",
    f"This {M} is currently awaiting moderation.": f"该{M}正在审批中。",
    "This {model_name} is awaiting <b>'{task_name}'</b> in the <b>'{workflow_name}'</b> workflow.":
        "该{model_name}正在<b>“{workflow_name}”</b>中等待<b>“{task_name}”</b>。",
    f"Only reviewers for this task can edit the {M}.": f"只有该步骤的审批人可以编辑该{M}。",
    "Locked by workflow": "审批中已锁定",
    f"Reviewers can edit this {M} – lock it to prevent other reviewers from editing":
        f"审批人可以编辑该{M}:锁定后其他审批人不能编辑",
    f"Only reviewers can edit and approve the {M}": f"只有审批人可以编辑和审批该{M}",
    f"Anyone can edit this {M} – lock it to prevent others from editing": f"任何人都可以编辑该{M}:锁定后他人不能编辑",
    f"Anyone can edit this {M}": f"任何人都可以编辑该{M}",
    f"No one can make changes while the {M} is locked": f"{M}锁定期间任何人都不能修改",
    f"Only you can make changes while the {M} is locked": f"{M}锁定期间只有您可以修改",
    f"Only %(user)s can make changes while the {M} is locked": f"{M}锁定期间只有 %(user)s 可以修改",
    "Locked by you": "由您锁定",
    "To be created by %(user)s": "将由 %(user)s 创建",
    "Actions": "操作",
    "Locked by another user": "由他人锁定",
    "Locking: ": "锁定:",
    f"{M} '%(title)s' is now unlocked.": f"{M}“%(title)s”已解锁。",
    f"The {M} could not be saved as it is locked": f"该{M}已锁定,不能保存",
    f"The {M} '%(title)s' is not currently awaiting moderation.": f"{M}“%(title)s”当前不在审批中。",
    f"The {M} '%(title)s' is not currently awaiting moderation in task '%(task_name)s'.":
        f"{M}“%(title)s”当前不在“%(task_name)s”步骤审批中。",
    "Locked by <b>you</b> at <b>%(locking_date)s</b>": "由<b>您</b>于<b>%(locking_date)s</b>锁定",
    "Locked by <b>%(locked_by)s</b> at <b>%(locking_date)s</b>": "由<b>%(locked_by)s</b>于<b>%(locking_date)s</b>锁定",
    "<b>'{title}' was locked</b> by <b>you</b> on <b>{datetime}</b>.": "<b>“{title}”</b>已由<b>您</b>于<b>{datetime}</b>锁定。",
    "<b>'{title}' is locked</b> by <b>you</b>.": "<b>“{title}”</b>已由<b>您</b>锁定。",
    "<b>'{title}' was locked</b> by <b>{user}</b> on <b>{datetime}</b>.": "<b>“{title}”</b>已由<b>{user}</b>于<b>{datetime}</b>锁定。",
    "<b>'{title}' is locked</b>.": "<b>“{title}”</b>已锁定。",
    "Cancelled by %(cancelled_by)s": "由 %(cancelled_by)s 撤回",
    "at %(time)s by %(user_display_name)s": "%(time)s,%(user_display_name)s",
    "at %(time)s": "%(time)s",
    "%(time)s by %(user_display_name)s": "%(time)s,%(user_display_name)s",
    "%(time_period)s ago by %(user_display_name)s": "%(time_period)s前,%(user_display_name)s",
    "Changes requested %(finished_at)s": "%(finished_at)s 退回修改",
    "Sent to %(task_name)s %(started_at)s": "%(started_at)s 送交%(task_name)s",
    "%(status_display)s %(task_name)s %(started_at)s": "%(started_at)s %(task_name)s %(status_display)s",
    "%(action)s by <b>%(who)s</b> at <b>%(at)s</b>": "<b>%(who)s</b>于<b>%(at)s</b>%(action)s",
    "%(action)s at <b>%(at)s</b>": "于<b>%(at)s</b>%(action)s",
    "%(action)s by <b>%(who)s</b>": "<b>%(who)s</b>%(action)s",
    f"You are viewing a previous version of this {M} from <b>%(created_at)s</b> by %(user)s":
        f"您正在查看该{M}由 %(user)s 于<b>%(created_at)s</b>保存的历史版本",
    f"This workflow is disabled so it cannot be assigned to any snippets.": "该流程已停用。",
    "Pages/snippets at this step in a workflow will be moderated or approved by these groups of users":
        "处于该步骤的内容由以下用户组审批",
    "Workflow '%(workflow_name)s' on %(model_name)s '%(title)s': %(status)s":
        "%(model_name)s“%(title)s”的审批流程“%(workflow_name)s”:%(status)s",
    "Is commenting action": "是否评论",
    # the account menu, help, shortcuts, theme
    "Use server language: %(language_name)s": "使用系统语言:%(language_name)s",
    "Can access Wagtail admin": "可进入管理后台",
    "Wagtail %(current_version)s editor guide": "使用指南",
    "Shortcuts": "快捷键",
    "Show keyboard shortcuts": "显示键盘快捷键",
    "Application": "应用",
    "Toggle minimap": "显示/隐藏导航图",
    "Close modal dialogs (like this one)": "关闭对话框",
    "Add or show comments": "添加或显示评论",
    "account": "账户",
    "Keyboard shortcuts are currently disabled; manage your %(account_link)s to enable them.":
        "键盘快捷键当前已停用,可在%(account_link)s中启用。",
    "Keyboard shortcuts are currently enabled; manage your %(account_link)s to disable them.":
        "键盘快捷键当前已启用,可在%(account_link)s中停用。",
    "Enable custom keyboard shortcuts specific to Wagtail.": "启用后台专用的键盘快捷键。",
    "Theme preferences": "主题设置",
    "admin theme": "后台主题",
    "More contrast": "高对比度",
    "contrast": "对比度",
    "Snug": "紧凑",
    "density": "密度",
    "Layout": "布局",
    "Grid layout": "网格视图",
    "List layout": "列表视图",
    "Site name": "站点名称",
    "The name of the page as it will appear in URLs e.g http://domain.com/blog/[my-slug]/": "页面在网址中使用的名称",
    "Focus on the drag button and press up or down arrows to move the item, then press enter to submit the change.":
        "选中拖动按钮后按上下方向键移动,再按回车确认。",
    "Port": "端口",
    "Root page": "根页面",
    "Content metrics": "内容统计",
    "Words": "字数",
    "Reading time": "阅读时间",
    "Readability": "可读性",
    "This data explained": "数据说明",
    "How we calculate our metrics": "统计方法",
    "The root level is where you can add new sites to your Wagtail installation. Pages created here will not be accessible at any URL until they are associated with a site.":
        "这里是网站根目录,可在此新建站点。在此新建的页面须关联站点后才能访问。",
    "If you just want to add pages to an existing site, create them as children of the homepage instead.":
        "如只需为现有站点添加页面,请在首页下新建。",
    "Pages created here will not be accessible at any URL. To add pages to an existing site, create them as children of the homepage.":
        "在此新建的页面无法访问。如需为现有站点添加页面,请在首页下新建。",
    "Edit account avatar": "修改头像",
    "JavaScript is required to use Wagtail, but it is currently disabled.<br /> Here are the <a href=\"https://www.enable-javascript.com/\" target=\"_blank\" rel=\"noreferrer\">instructions how to enable JavaScript in your web browser</a>.":
        "使用本系统需要启用浏览器的 JavaScript。",
    # personal API tokens in the account page
    "API tokens": "API 令牌",
    "API token": "API 令牌",
    "Token": "令牌",
    "Last used": "最近使用",
    "Revoke": "撤销",
    "Revoked": "已撤销",
    "Copy token": "复制令牌",
    "Back to API tokens": "返回 API 令牌",
    "API token created": "已创建 API 令牌",
    "Yes, revoke": "确认撤销",
    "No, don't revoke": "不撤销",
    "Are you sure you want to revoke this API token?": "确定要撤销该 API 令牌吗?",
    "API token '%(name)s' revoked.": "API 令牌“%(name)s”已撤销。",
    "The token \"%(name)s\" has been created, copy it now, it will never be shown again.":
        "令牌“%(name)s”已创建,请立即复制,之后不再显示。",
    "Copying failed — please select and copy the token manually.": "复制失败,请手动选中并复制。",
    "A human-readable label to identify this token.": "便于识别该令牌的名称。",
    "created": "创建时间",
    "revoked at": "撤销时间",
    "last used at": "最近使用时间",
    "Can view": "可查看",
    "Toggle all change permissions": "全选/取消修改权限",
    "Toggle all delete permissions": "全选/取消删除权限",
    "Toggle all custom permissions": "全选/取消其他权限",
    # documents and images (evidence)
    "The document could not be created due to errors.": "文件上传失败。",
    "The file could not be found. Please change the source or delete the document.": "找不到该文件。",
    "Usage count: (low to high)": "引用次数(从少到多)",
    "Usage count: (high to low)": "引用次数(从多到少)",
    "Oldest": "最早",
    "unknown number": "未知数量",
    "You haven't uploaded any images.": "暂无图片。",
    "Privacy and access": "访问权限",
    "Scheduling…": "正在安排…",
    "Schedule to publish": "定时发布",
    "Page type": "页面类型",
    "Has child pages": "有下级页面",
    "Exploring": "浏览",
    "Page types usage": "页面类型使用情况",
    "Placeholder title": "占位标题",
    "locale": "语言区域",
    "for content type": "内容类型",
    "prevents deletion": "阻止删除",
    "may prevent deletion": "可能阻止删除",
    "will do nothing": "不受影响",
    "will unset the reference": "将清除引用",
    f"the {M} will also be deleted": f"{M}也将被删除",
    f"will be set to the default {M}": f"将设为默认{M}",
    f"will be set to a {M} specified by the system": f"将设为系统指定的{M}",
    f"One or more references to this {M} prevent it from being deleted.": f"该{M}被引用,不能删除。",
    "If you confirm deletion": "如果确认删除",
}
PLURAL = {
    ("One other user is currently viewing", "%(num_user)s other users are currently viewing"): "另有 %(num_user)s 人正在查看",
    (f"This {M} is referenced %(usage_count)s time.", f"This {M} is referenced %(usage_count)s times."):
        f"该{M}被引用 %(usage_count)s 次。",
    ("Referenced %(count)s time", "Referenced %(count)s times"): "被引用 %(count)s 次",
    ("1 snippet type", "%(counter)s snippet types"): "%(counter)s 种类型",
    ("%(num_pages)d page", "%(num_pages)d pages"): "%(num_pages)d 个页面",
    ("There is one matching page", "There are %(counter)s matching pages"): "有 %(counter)s 个页面符合条件",
    ("%(total)s Document <span class=\"w-sr-only\">created in %(site_name)s</span>",
     "%(total)s Documents <span class=\"w-sr-only\">created in %(site_name)s</span>"):
        "%(total)s 个文件<span class=\"w-sr-only\">(%(site_name)s)</span>",
    ("%(total)s Image <span class=\"w-sr-only\">created in %(site_name)s</span>",
     "%(total)s Images <span class=\"w-sr-only\">created in %(site_name)s</span>"):
        "%(total)s 张图片<span class=\"w-sr-only\">(%(site_name)s)</span>",
    ("%(total)s Page <span class=\"w-sr-only\">created in %(site_name)s</span>",
     "%(total)s Pages <span class=\"w-sr-only\">created in %(site_name)s</span>"):
        "%(total)s 个页面<span class=\"w-sr-only\">(%(site_name)s)</span>",
}


def quote(text):
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def build():
    lines = ['msgid ""', 'msgstr ""', '"Content-Type: text/plain; charset=UTF-8\\n"', '"Language: zh_Hans\\n"',
             '"Plural-Forms: nplurals=1; plural=0;\\n"', ""]
    for msgid, msgstr in SINGULAR.items():
        lines += [f"msgid {quote(msgid)}", f"msgstr {quote(msgstr)}", ""]
    for (singular, plural), msgstr in PLURAL.items():
        lines += [f"msgid {quote(singular)}", f"msgid_plural {quote(plural)}", f"msgstr[0] {quote(msgstr)}", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    Path(__file__).with_name("zh_Hans").joinpath("LC_MESSAGES", "django.po").write_text(build(), encoding="utf-8")
