"""The Chinese the admin reads where Wagtail and Django leave English: locale/build_po.py writes
locale/zh_Hans/LC_MESSAGES/django.po, msgfmt compiles it into django.mo, and both are committed
(nothing compiles them at set-up). A stale .po or .mo fails here."""

import gettext
import importlib.util
from pathlib import Path
from types import SimpleNamespace

import pytest

from django.utils import translation

LOCALE = Path(__file__).resolve().parents[1] / "locale"


def build_module():
    spec = importlib.util.spec_from_file_location("build_po", LOCALE / "build_po.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_po_file_is_what_build_po_writes():
    assert (LOCALE / "zh_Hans" / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8") == build_module().build()


def test_the_committed_mo_file_is_compiled_from_it():
    built = build_module()
    with open(LOCALE / "zh_Hans" / "LC_MESSAGES" / "django.mo", "rb") as compiled:
        catalog = gettext.GNUTranslations(compiled)
    for msgid, msgstr in built.SINGULAR.items():
        assert catalog.gettext(msgid) == msgstr, msgid
    for (singular, plural), msgstr in built.PLURAL.items():
        assert catalog.ngettext(singular, plural, 2) == msgstr, singular


def test_django_reads_our_catalogue_before_wagtails():
    with translation.override("zh-hans"):
        assert translation.gettext("Assign your workflow to snippets") == "将流程用于以下类型"
        assert translation.gettext("Members of the chosen Wagtail Groups can approve this task") == "所选用户组的成员可以审批该步骤"


def test_the_subjects_of_workflow_emails_are_chinese():
    """Seen in the demo's mail: 'The 学籍变动案卷 "XJ…" has been submitted to workflow "…"'."""
    from types import SimpleNamespace

    from django.template.loader import render_to_string

    class Case:
        def __str__(self):
            return "XJ20260000001 休学 孙小强"

    step = SimpleNamespace(name="学籍变动审批:休学")
    with translation.override("zh-hans"):
        for event in ("workflow_state_submitted", "workflow_state_approved", "workflow_state_rejected",
                      "task_state_submitted", "task_state_approved", "task_state_rejected"):
            subject = render_to_string(f"wagtailadmin/notifications/{event}_subject.txt", {
                "object": Case(), "model_name": "学籍变动案卷", "workflow": step, "task": step}).strip()
            assert "XJ20260000001" in subject and "学籍变动审批" in subject, event
            assert "has been" not in subject and "The " not in subject, subject


def test_a_case_in_review_tells_its_submitter_to_withdraw_not_that_approvers_edit():
    """Seen in chromium: the lock banner of a case in review read 只有该步骤的审批人可以编辑, yet
    approvers only agree or return; the submitting side withdraws to change it ."""
    with translation.override("zh-hans"):
        text = translation.gettext("Only reviewers for this task can edit the %(model_name)s.")
    assert "撤回" in text and "审批人可以编辑" not in text


def test_names_in_list_headers_and_empty_lists_have_no_stray_space():
    """Seen in chromium: Wagtail's Chinese read 没有可显示的 证书证明。 and 添加 学籍变动案卷."""
    with translation.override("zh-hans"):
        empty = translation.gettext("There are no %(model_name)s to display.") % {"model_name": "证书证明"}
        add = translation.gettext("Add %(model_name)s") % {"model_name": "学籍变动案卷"}
    assert (empty, add) == ("暂无证书证明。", "添加学籍变动案卷")


NOTIFICATION_EVENTS = ("workflow_state_submitted", "workflow_state_approved", "workflow_state_rejected",
                       "task_state_submitted", "task_state_approved", "task_state_rejected")


@pytest.mark.django_db
def test_the_bodies_of_workflow_emails_are_chinese(django_user_model, monkeypatch):
    """Seen in the demo's mail: the bodies said 你可以在此处编辑 学籍变动案卷 and 'Hello'; every
    line a staff member reads in a workflow email (text and HTML) is Chinese, URLs aside."""
    import re

    from django.template.loader import render_to_string

    from cases.models import Case as CaseModel

    monkeypatch.setattr(CaseModel, "__str__", lambda self: "XJ20260000001 休学 孙小强")
    monkeypatch.setattr(CaseModel, "get_latest_revision_as_object", lambda self: self)
    user = django_user_model.objects.create(username="school-1", first_name="王老师", is_superuser=True)
    step = SimpleNamespace(name="学籍变动审批:休学", id=1)
    context = {"object": CaseModel(pk=1), "model_name": "学籍变动案卷", "workflow": step, "task": step, "user": user,
               "requested_by": user, "comment": "请补充病历", "settings": None}
    found = []
    with translation.override("zh-hans"):
        for event in NOTIFICATION_EVENTS:
            for suffix in ("txt", "html"):
                body = render_to_string(f"wagtailadmin/notifications/{event}.{suffix}", context)
                text = re.sub(r"(?s)<style.*?</style>|<!--.*?-->", " ", body)
                text = re.sub(r"https?://\S+|<[^>]*>|&[#\w]+;", " ", text)
                english = re.findall(r"[A-Za-z]{3,}", text.replace("XJ20260000001", ""))
                if english or re.search(r"[\u4e00-\u9fff] 学籍变动案卷", text):
                    found.append((event, suffix, " ".join(text.split())))
    assert found == []
    with translation.override("zh-hans"):  # the edit link's line (rendered for those who may edit)
        line = translation.gettext("You can edit the %(model_name)s here:") % {"model_name": "学籍变动案卷"}
    assert line == "请在此办理该学籍变动案卷:"
