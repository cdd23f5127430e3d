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
    # Wagtail's own Chinese puts a space before the name (没有可显示的 证书证明。, 添加 学籍变动案卷)
    f"There are no {M} to display.": f"暂无{M}。",
    f"Add {M}": f"添加{M}",
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
    # Shown to the submitting side of a case in review: approvers decide, they never edit it.
    f"Only reviewers for this task can edit the {M}.": "审批期间不能修改;如需修改,请先撤回。",
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
# Wagtail 8's strings its Chinese catalogue does not have yet (pages, sites, workflows, redirects,
# scheduling, messages after an action, the user bar's checks): found by extracting every msgid of
# the installed Wagtail apps and asking gettext for each.
SINGULAR.update({
    "Troubleshoot your connection to the site before proceeding. Open the editor in a separate tab to view the last saved version.":
        "请先检查网络连接,再在新标签页中打开编辑器查看最近保存的版本。",
    "Please type <b>%(wagtail_site_name)s</b> to confirm.": "请输入<b>%(wagtail_site_name)s</b>以确认。",
    "We extract the main content from the page preview, remove all formatting, and calculate the number of words.":
        "从页面预览中提取正文、去除格式后统计字数。",
    "We calculate reading time from word count, using different reading speeds for different languages.":
        "按字数和各语言的阅读速度估算阅读时间。",
    "We use a readability formula based on length of words and sentences. Long sentences and words result in a worse readability score.":
        "按词句长短估算可读性:句子和词越长,可读性越差。",
    "See our <a href=\"%(guide_link)s\" target=\"_blank\">content checks guide</a> for more information on how content metrics are calculated.":
        "内容统计的计算方法见<a href=\"%(guide_link)s\" target=\"_blank\">内容检查说明</a>。",
    "Available in %(translations_total)s locales": "有 %(translations_total)s 种语言版本",
    "Invalid schedule": "定时设置无效",
    "Go-live:": "上线时间:",
    "Once scheduled:": "定时后:",
    "Choose who can view the live version of this page": "选择谁可以查看该页面的已发布版本",
    "Changing the privacy for this page has been disabled.": "该页面的访问权限不能修改。",
    f"Choose when this {M} should go live and/or expire": f"选择该{M}的上线和(或)下线时间",
    "Choose when this page should go live and/or expire": "选择该页面的上线和(或)下线时间",
    "This publishing schedule will only take effect after you select the \"Schedule to publish\" option":
        "选择“定时发布”后,发布时间表才会生效",
    "Anyone with editing permissions can create schedules": "有编辑权限的人都可以设置发布时间",
    "But only those with publishing permissions can make them effective.": "但只有有发布权限的人才能使其生效。",
    "This workflow is currently in progress on %(workflow_states_in_progress)s pages. Deleting this workflow will cancel moderation on these page. Are you sure you want to delete this workflow?":
        "该流程正在 %(workflow_states_in_progress)s 个页面上进行。删除该流程将终止这些页面的审核。确定要删除吗?",
    "Assign your workflow to snippets": "将流程用于以下类型",
    "Why not <a class=\"create-one-now\" href=\"#tab-new\" data-action=\"w-tabs#select:prevent\" data-w-tabs-target=\"trigger\" data-w-tabs-focus-param=\"true\">create one now</a>?":
        "<a class=\"create-one-now\" href=\"#tab-new\" data-action=\"w-tabs#select:prevent\" data-w-tabs-target=\"trigger\" data-w-tabs-focus-param=\"true\">新建一个</a>",
    f"The {M} \"%(title)s\" has been approved in workflow \"%(workflow)s\".": f"{M}“%(title)s”已在流程“%(workflow)s”中通过。",
    f"The {M} \"%(title)s\" has been rejected during \"%(task)s\" in workflow \"%(workflow)s\" by %(rejector)s.":
        f"{M}“%(title)s”在流程“%(workflow)s”的“%(task)s”步骤被 %(rejector)s 退回。",
    f"The {M} \"%(title)s\" has been rejected during \"%(task)s\" in workflow \"%(workflow)s\".":
        f"{M}“%(title)s”在流程“%(workflow)s”的“%(task)s”步骤被退回。",
    f"The {M} \"%(title)s\" has been rejected in moderation stage \"%(task)s\".": f"{M}“%(title)s”在“%(task)s”步骤被退回。",
    f"The {M} \"%(title)s\" has been approved in moderation stage \"%(task)s\".": f"{M}“%(title)s”在“%(task)s”步骤通过。",
    f"The {M} \"%(title)s\" has been submitted for approval in moderation stage \"%(task)s\".":
        f"{M}“%(title)s”已提交“%(task)s”步骤审批。",
    f"You can preview the {M} here:": f"可在此预览该{M}:",
    f"The {M} \"%(title)s\" has been submitted for moderation to workflow \"%(workflow)s\" by %(requester)s.":
        f"{M}“%(title)s”已由 %(requester)s 提交流程“%(workflow)s”审批。",
    f"The {M} \"%(title)s\" has been submitted for moderation to workflow \"%(workflow)s\".":
        f"{M}“%(title)s”已提交流程“%(workflow)s”审批。",
    # the subjects of the workflow notification emails (wagtailadmin/notifications/*_subject.txt)
    f"The {M} \"%(title)s\" has been submitted to workflow \"%(workflow)s\"": f"{M}“%(title)s”已提交“%(workflow)s”审批",
    f"The {M} \"%(title)s\" has been approved in \"%(workflow)s\".": f"{M}“%(title)s”已在“%(workflow)s”中通过。",
    f"The {M} \"%(title)s\" has been rejected during \"%(workflow)s\".": f"{M}“%(title)s”在“%(workflow)s”中被退回。",
    f"The {M} \"%(title)s\" has been submitted for approval in moderation stage \"%(task)s\"":
        f"{M}“%(title)s”已提交“%(task)s”步骤审批",
    f"The {M} \"%(title)s\" has been approved in \"%(task)s\".": f"{M}“%(title)s”已在“%(task)s”步骤通过。",
    # the bodies of the workflow notification emails (wagtailadmin/notifications/*.txt, *.html)
    f"The {M} \"%(title)s\" has been submitted for approval to moderation stage \"%(task)s\".":
        f"{M}“%(title)s”已提交“%(task)s”步骤审批。",
    f"You can edit the {M} here:": f"请在此办理该{M}:",
    "Hello %(username)s,": "%(username)s,您好:",
    "Edit your notification preferences here:": "修改通知设置:",
    f"The {M} \"%(title)s\" has been rejected during \"%(task)s\".": f"{M}“%(title)s”在“%(task)s”步骤被退回。",
    "Your pages and snippets in a workflow": "您提交审批中的内容",
    "Things in Wagtail %(version)s have changed!": "管理后台已更新",
    "Wagtail upgrade available": "有可用的系统更新",
    "Read the release notes.": "查看更新说明。",
    "This page was marked as needing changes at <strong>%(task)s</strong> in <strong>%(workflow)s</strong>.":
        "该页面在<strong>%(workflow)s</strong>的<strong>%(task)s</strong>步骤被退回修改。",
    "This page is currently at <strong>%(task)s</strong> in <strong>%(workflow)s</strong>.":
        "该页面正处于<strong>%(workflow)s</strong>的<strong>%(task)s</strong>步骤。",
    "There is no site set up for this location. Pages created here will not be accessible at any URL until a site is associated with this location.":
        "此处尚未设置站点。在此新建的页面须关联站点后才能访问。",
    "There is no site record for this location. Pages created here will not be accessible at any URL.":
        "此处没有站点记录,在此新建的页面无法访问。",
    "This page is locked, by you, to further editing": "该页面已由您锁定",
    "Search in '<span class=\"w-title-ellipsis\">%(title)s</span>'": "在“<span class=\"w-title-ellipsis\">%(title)s</span>”中搜索",
    f"%(start_index)s-%(end_index)s of %(items_count)s {M} in '<span class=\"w-title-ellipsis\">%(title)s</span>'.":
        f"“<span class=\"w-title-ellipsis\">%(title)s</span>”中第 %(start_index)s–%(end_index)s 条,共 %(items_count)s 条{M}。",
    "No results in '<span class=\"w-title-ellipsis\">%(title)s</span>'.": "“<span class=\"w-title-ellipsis\">%(title)s</span>”中没有结果。",
    "<p>Select a file where redirects are separated into rows and contains the columns representing <code>from</code> and <code>to</code> (they can be named anything).</p> <p>After submitting you will be taken to a confirmation view where you can customize your redirects before import.</p>":
        "<p>请选择每行一条重定向的文件,其中须有表示原地址和目标地址的两列(列名不限)。</p> <p>提交后可在确认页面调整,再导入。</p>",
    "Image focal point": "图片焦点",
    "Please provide an image description to comply with best practices for accessibility.": "请填写图片说明,方便使用读屏软件的用户。",
    "Upload successful. However, your new image seems to be a duplicate of this existing image. You may delete it if it wasn't required.":
        "上传成功,但新图片似乎与已有图片重复,如不需要可删除。",
    "Why not <a class=\"upload-one-now\" href=\"#tab-upload\" data-action=\"w-tabs#select:prevent\" data-w-tabs-target=\"trigger\" data-w-tabs-focus-param=\"true\">upload one now</a>?":
        "<a class=\"upload-one-now\" href=\"#tab-upload\" data-action=\"w-tabs#select:prevent\" data-w-tabs-target=\"trigger\" data-w-tabs-focus-param=\"true\">现在上传</a>",
    "You haven't created any %(snippet_type_name)s snippets. Why not <a href=\"%(wagtailsnippets_create_snippet_url)s\" target=\"_blank\" rel=\"noreferrer\">create one now</a>?":
        "暂无%(snippet_type_name)s。<a href=\"%(wagtailsnippets_create_snippet_url)s\" target=\"_blank\" rel=\"noreferrer\">新建一条</a>",
    "Create API token": "创建 API 令牌",
    "Revoke API token": "撤销 API 令牌",
    "API token revoked": "API 令牌已撤销",
    f"{M} scheduled for publishing at %(go_live_at)s": f"{M}定于 %(go_live_at)s 发布",
    f"{M} scheduled for publishing": f"{M}已定时发布",
    f"{M} unscheduled for publishing at %(go_live_at)s": f"{M}取消了 %(go_live_at)s 的定时发布",
    f"{M} unscheduled from publishing": f"{M}取消了定时发布",
    "Removed the '%(restriction)s' view restriction. The page is public.": "已取消“%(restriction)s”访问限制,页面公开。",
    "Resubmitted '%(task)s'. Workflow resumed": "已重新提交“%(task)s”,审批继续",
    "{model_name} '{title}' is locked and has been scheduled to go live at {datetime}":
        "{model_name}“{title}”已锁定,定于 {datetime} 上线",
    "Locked by schedule": "定时锁定",
    "Currently locked and will go live on the scheduled date": "当前已锁定,将于预定时间上线",
    "Button text is empty": "按钮文字为空",
    "Use meaningful text for screen reader users": "请为读屏用户填写有意义的文字",
    "Empty heading found": "有空标题",
    "Table header text is empty": "表头文字为空",
    "Empty frame title found": "有空的框架标题",
    "Use a meaningful title for screen reader users": "请为读屏用户填写有意义的标题",
    "Incorrect heading hierarchy": "标题层级不正确",
    "Avoid skipping levels": "不要跳过层级",
    "Input button text is empty": "输入按钮文字为空",
    "Link text is empty": "链接文字为空",
    "Misusing paragraphs as headings": "把段落当作标题使用",
    "Use proper heading tags": "请使用标题标签",
    "Image alt text has inappropriate pattern": "图片替代文字不恰当",
    "Use meaningful text": "请使用有意义的文字",
    "Meta description is empty": "页面描述为空",
    "Add a concise description for search engines": "请为搜索引擎填写简短描述",
    "%(range_start)s - %(range_end)s": "%(range_start)s 至 %(range_end)s",
    "Text editing": "文字编辑",
    "Cut": "剪切",
    "Paste": "粘贴",
    "Paste and match style": "粘贴并匹配格式",
    "Paste without formatting": "无格式粘贴",
    "Text formatting": "文字格式",
    "Insert or edit a link": "插入或编辑链接",
    "Monospace (code)": "等宽字体",
    "Strike-through": "删除线",
    "'%(page_title)s' has been moved successfully.": "“%(page_title)s”已移动。",
    "Privacy is inherited from the ancestor page - %(ancestor_page)s": "访问权限继承自上级页面“%(ancestor_page)s”",
    "(Private %(object)s)": "(非公开的%(object)s)",
    "Preview for %(block_label)s (%(block_type)s)": "%(block_label)s(%(block_type)s)预览",
    f"{M} '%(object)s' has been scheduled for publishing.": f"{M}“%(object)s”已定时发布。",
    f"{M} '%(object)s' created and scheduled for publishing.": f"已新建{M}“%(object)s”并定时发布。",
    f"{M} '%(object)s' is live and this version has been scheduled for publishing.": f"{M}“%(object)s”已上线,此版本已定时发布。",
    f"{M} '%(object)s' updated and published.": f"{M}“%(object)s”已更新并发布。",
    f"{M} '%(object)s' created and published.": f"已新建并发布{M}“%(object)s”。",
    f"{M} '%(object)s' has been replaced with version from %(timestamp)s.": f"{M}“%(object)s”已恢复为 %(timestamp)s 的版本。",
    f"Version from %(timestamp)s of {M} '%(object)s' has been published.": f"{M}“%(object)s”%(timestamp)s 的版本已发布。",
    f"Version from %(timestamp)s of {M} '%(object)s' has been scheduled for publishing.":
        f"{M}“%(object)s”%(timestamp)s 的版本已定时发布。",
    "The slug '%(page_slug)s' is already in use at the selected parent page. Make sure the slug is unique and try again.":
        "所选上级页面下已有网址名“%(page_slug)s”,请换一个。",
    f"Request to edit {M} was blocked by hook.": f"修改{M}的请求被拦截。",
    "The page could not be saved as it is locked.": "该页面已锁定,不能保存。",
    "The page could not be saved due to validation errors.": "页面填写有误,未能保存。",
    f"Request to create {M} was blocked by hook.": f"新建{M}的请求被拦截。",
    "The page could not be created due to validation errors.": "页面填写有误,未能新建。",
    "%(parent_pages)s and %(child_pages)s have been published": "%(parent_pages)s及%(child_pages)s已发布",
    "%(parent_pages)s and %(child_pages)s have been deleted": "%(parent_pages)s及%(child_pages)s已删除",
    "%(parent_pages)s and %(child_pages)s have been unpublished": "%(parent_pages)s及%(child_pages)s已取消发布",
    "You do not have permission to publish pages at \"%(page_title)s\"": "您无权在“%(page_title)s”下发布页面",
    "The slug '%(page_slug)s' is already in use within the parent page.": "上级页面下已有网址名“%(page_slug)s”。",
    "The new page will be a child of this given parent page.": "新页面将作为该页面的下级页面。",
    "Tag(s) %(value_too_long)s are over %(max_tag_length)d characters.": "标签 %(value_too_long)s 超过 %(max_tag_length)d 个字符。",
    "File format of type \"%(extension)s\" is not supported.": "不支持“%(extension)s”格式的文件。",
    "Imported file has a wrong encoding: %(error_message)s.": "导入文件的编码不正确:%(error_message)s。",
    "%(error)s encountered while trying to read file: %(filename)s.": "读取文件 %(filename)s 时出错:%(error)s。",
    "Comma or new line separated list of choices. Only applicable in checkboxes, radio and dropdown.":
        "选项之间用逗号或换行分隔,仅用于复选框、单选按钮和下拉列表。",
    "Default value. Comma or new line separated values supported for checkboxes.": "默认值;复选框可用逗号或换行分隔多个值。",
    "The name '%(duplicate_clean_name)s' is already assigned to this field and cannot be changed. Please enter a different label for the conflicting field.":
        "名称“%(duplicate_clean_name)s”已用于该字段,不能更改,请为冲突的字段另填标签。",
    "Field name '%(duplicate_clean_name)s' conflicts with another field. Please change the label.":
        "字段名“%(duplicate_clean_name)s”与其他字段冲突,请修改标签。",
    "Generate URL": "生成网址",
    "The slug '%(page_slug)s' is already in use within the parent page at '%(parent_url_path)s'.":
        "上级页面“%(parent_url_path)s”下已有网址名“%(page_slug)s”。",
    f"Cannot overwrite a revision that is not the latest for this {M}.": f"只能覆盖该{M}的最新版本。",
    "Cannot overwrite a revision that was not created by the current user.": "不能覆盖他人创建的版本。",
    "group site permission": "用户组站点权限",
    "group site permissions": "用户组站点权限",
    "Private, accessible with a shared password": "非公开,凭共享密码访问",
    "Private, accessible to any logged-in users": "非公开,登录用户可访问",
    "shared password": "共享密码",
    "Shared passwords should not be used to protect sensitive content. Anyone who has this password will be able to view the content.":
        "共享密码不能用于保护敏感内容:任何知道密码的人都能查看。",
    "There may only be one in progress or needs changes workflow state per page/snippet.": "每项内容只能有一个进行中或待修改的审批。",
    "Active workflows can be added to pages/snippets. Deactivating a workflow does not remove it from existing pages/snippets.":
        "启用的流程可用于页面和其他内容;停用流程不会将其从已使用的内容上移除。",
    "Task '%(task_name)s' on Revision '%(revision_info)s': %(status)s": "版本“%(revision_info)s”的步骤“%(task_name)s”:%(status)s",
    "Members of the chosen Wagtail Groups can approve this task": "所选用户组的成员可以审批该步骤",
    # Wagtail's zh catalogue says 检查 (an examination) for looking at a record.
    "Inspect": "查看",
})
PLURAL = {
    ("This action will delete <b>%(total_pages_formatted)s</b> page in total.",
     "This action will delete <b>%(total_pages_formatted)s</b> pages in total."): "此操作共将删除 <b>%(total_pages_formatted)s</b> 个页面。",
    ("Moved down 1 place.", "Moved down %(counter)s places."): "下移 %(counter)s 位。",
    ("Moved up 1 place.", "Moved up %(counter)s places."): "上移 %(counter)s 位。",
    ("Deleting this page will also delete %(descendant_count)s child page.",
     "Deleting this page will also delete %(descendant_count)s more child pages."): "删除该页面将同时删除 %(descendant_count)s 个下级页面。",
    ("It will also delete 1 translation and its combined %(translation_descendant_count)s translated child page.",
     "It will also delete 1 translation and its combined %(translation_descendant_count)s translated child pages."):
        "还将删除 1 个译本及其共 %(translation_descendant_count)s 个下级页面。",
    ("It will also delete %(translation_count)s translations and their combined %(translation_descendant_count)s translated child page.",
     "It will also delete %(translation_count)s translations and their combined %(translation_descendant_count)s translated child pages."):
        "还将删除 %(translation_count)s 个译本及其共 %(translation_descendant_count)s 个下级页面。",
    ("It will also delete %(translation_count)s translation.", "It will also delete %(translation_count)s translations."):
        "还将删除 %(translation_count)s 个译本。",
    ("Deleting this page will also delete 1 translation and its combined %(translation_descendant_count)s translated child page.",
     "Deleting this page will also delete 1 translation and its combined %(translation_descendant_count)s translated child pages."):
        "删除该页面将同时删除 1 个译本及其共 %(translation_descendant_count)s 个下级页面。",
    ("Deleting this page will also delete %(translation_count)s translations and their combined %(translation_descendant_count)s translated child page.",
     "Deleting this page will also delete %(translation_count)s translations and their combined %(translation_descendant_count)s translated child pages."):
        "删除该页面将同时删除 %(translation_count)s 个译本及其共 %(translation_descendant_count)s 个下级页面。",
    ("Deleting this page will also delete %(translation_count)s translation of this page.",
     "This will also delete %(descendant_count)s more child pages. Deleting this page will also delete %(translation_count)s translations of this page."):
        "删除该页面将同时删除其 %(translation_count)s 个译本。",
    ("This will also unpublish one translation of the page.", "This will also unpublish all %(translation_count)s translations of the page."):
        "还将取消发布该页面的 %(translation_count)s 个译本。",
    ("This page has one subpage and its translations have a combined one translated child page. Unpublish these too",
     "This page has %(live_descendant_count)s child pages and its translations have a combined one translated child page. Unpublish these too"):
        "该页面有 %(live_descendant_count)s 个下级页面,其译本共有 1 个下级页面,一并取消发布",
    ("This page has one child page and its translations have a combined %(translation_descendant_count)s translated child pages. Unpublish these too",
     "This page has %(live_descendant_count)s child pages and its translations have a combined %(translation_descendant_count)s translated child pages. Unpublish these too"):
        "该页面有 %(live_descendant_count)s 个下级页面,其译本共有 %(translation_descendant_count)s 个下级页面,一并取消发布",
    ("This page has one subpage. Unpublish this too", "This page has %(live_descendant_count)s subpages. Unpublish these too"):
        "该页面有 %(live_descendant_count)s 个下级页面,一并取消发布",
    ("This will also move one translation of this page and its child pages",
     "This will also move %(translations_to_move_count)s translations of this page and their child pages"):
        "还将移动该页面的 %(translations_to_move_count)s 个译本及其下级页面",
    ("Are you sure you want to delete this form submission?", "Are you sure you want to delete these form submissions?"):
        "确定要删除所选的表单提交记录吗?",
    ("This workflow is in progress on %(states_in_progress)d page/snippet. Disabling this workflow will cancel moderation on this page/snippet.",
     "This workflow is in progress on %(states_in_progress)d pages/snippets. Disabling this workflow will cancel moderation on these pages/snippets."):
        "该流程正在 %(states_in_progress)d 项内容上进行,停用将终止这些内容的审批。",
    ("This task is in progress on %(states_in_progress)d page/snippet. Disabling this task will cause it to be skipped in the moderation workflow and not be listed for selection when editing a workflow.",
     "This task is in progress on %(states_in_progress)d pages/snippets. Disabling this task will cause it to be skipped in the moderation workflow and not be listed for selection when editing a workflow."):
        "该步骤正在 %(states_in_progress)d 项内容上进行;停用后审批时将跳过该步骤,编辑流程时也不再列出。",
    ("%(num_parent_objects)d page has been published", "%(num_parent_objects)d pages have been published"):
        "已发布 %(num_parent_objects)d 个页面",
    ("%(num_parent_objects)d page", "%(num_parent_objects)d pages"): "%(num_parent_objects)d 个页面",
    ("%(num_child_objects)d child page", "%(num_child_objects)d child pages"): "%(num_child_objects)d 个下级页面",
    ("%(num_parent_objects)d page has been deleted", "%(num_parent_objects)d pages have been deleted"): "已删除 %(num_parent_objects)d 个页面",
    ("%(num_parent_objects)d page has been unpublished", "%(num_parent_objects)d pages have been unpublished"):
        "已取消发布 %(num_parent_objects)d 个页面",
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
