"""The case workflows and their steps are derived from the code (sync_case_workflows): in
Wagtail's workflow admin the superuser sees them but edits, disables, enables or creates none
of them, and cannot choose a registry step into another workflow (cases/admin/workflow_guard.py).
Every refusal changes nothing; Wagtail's own tasks stay editable."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse
from wagtail.models import GroupApprovalTask, Task, Workflow, WorkflowTask

from cases.admin.workflow_guard import REFUSAL
from cases.models import CaseWorkflow, RegistryApprovalTask
from cases.workflow import sync_case_workflows
from tests.test_admin_hostile_forms import PostedForms

pytestmark = pytest.mark.django_db


def snapshot():
    return (list(Workflow.objects.order_by("pk").values()), list(WorkflowTask.objects.order_by("pk").values()),
            list(Task.objects.order_by("pk").values()), list(RegistryApprovalTask.objects.order_by("pk").values()))


@pytest.fixture
def admin(client):
    client.force_login(get_user_model().objects.create_superuser("root", "root@example.com", "x"))
    return client


def form_data(client, url):
    """What a browser posts back from the page's post form, as the page filled it in."""
    parser = PostedForms()
    parser.feed(client.get(url).content.decode())
    form = max((f for f in parser.forms if f["method"] == "post"), key=lambda f: len(f["names"]))
    return {key: list(values) for key, values in form["data"].items()}


def refused(response):
    messages = [str(m) for m in response.wsgi_request._messages] if hasattr(response, "wsgi_request") else []
    return response.status_code == 302 and REFUSAL in messages


def test_case_workflows_and_their_steps_are_read_only_to_the_superuser(admin):
    link = CaseWorkflow.objects.get(case_type="transfer")
    task = RegistryApprovalTask.objects.filter(workflow_tasks__workflow=link.workflow).first()
    # The lists still show them.
    assert link.workflow.name in admin.get(reverse("wagtailadmin_workflows:index")).content.decode()
    assert task.name in admin.get(reverse("wagtailadmin_workflows:task_index")).content.decode()
    before = snapshot()
    workflow_urls = [reverse(f"wagtailadmin_workflows:{name}", args=[link.workflow_id])
                     for name in ("edit", "disable", "enable")]
    task_urls = [reverse(f"wagtailadmin_workflows:{name}", args=[task.pk])
                 for name in ("edit_task", "disable_task", "enable_task")]
    add_url = reverse("wagtailadmin_workflows:add_task", args=["cases", "registryapprovaltask"])
    for url in [*workflow_urls, *task_urls, add_url]:
        assert refused(admin.get(url)), url
        posted = {"name": "改过的名称", "level": "school", "side": "origin", "working_days": "1", "active": ""}
        assert refused(admin.post(url, posted)), url
    # Nor through the edit form as a browser would post it (with the tasks list emptied).
    assert snapshot() == before
    # The message is shown in Chinese where the refusal leads.
    page = admin.get(workflow_urls[0], follow=True).content.decode()
    assert REFUSAL in page
    # A registry step is not offered as a type of task, nor picked by the chooser.
    assert "registryapprovaltask" not in admin.get(reverse("wagtailadmin_workflows:select_task_type"),
                                                    follow=True).content.decode()
    assert admin.get(reverse("wagtailadmin_workflows:task_chosen", args=[task.pk])).status_code == 404
    sync_case_workflows()
    assert snapshot() == before  # the code agrees with what is stored: nothing to put back


def test_no_other_workflow_takes_a_registry_step(admin):
    """A page workflow posted with a registry step among its tasks is refused with a form error
    (the step would route a page's approval by schools and counties)."""
    registry_task = RegistryApprovalTask.objects.first()
    stock = GroupApprovalTask.objects.first()
    url = reverse("wagtailadmin_workflows:add")
    data = form_data(admin, url)
    data.update({"name": ["页面审核"], "workflow_tasks-TOTAL_FORMS": ["1"], "workflow_tasks-INITIAL_FORMS": ["0"],
                 "workflow_tasks-0-task": [str(registry_task.pk)], "workflow_tasks-0-ORDER": ["1"],
                 "workflow_tasks-0-id": [""]})
    before = snapshot()
    answer = admin.post(url, data)
    assert answer.status_code == 200 and snapshot() == before
    assert "选择一个有效的选项" in answer.content.decode()
    # The same form with Wagtail's own task is saved: only registry steps are kept out.
    data["workflow_tasks-0-task"] = [str(stock.pk)]
    assert admin.post(url, data).status_code == 302
    assert list(Workflow.objects.get(name="页面审核").tasks.values_list("pk", flat=True)) == [stock.pk]


def test_wagtails_own_tasks_stay_editable(admin):
    stock = GroupApprovalTask.objects.first()
    url = reverse("wagtailadmin_workflows:edit_task", args=[stock.pk])
    assert admin.get(url).status_code == 200
    data = form_data(admin, url)
    groups = sorted(Group.objects.values_list("pk", flat=True))[:2]
    data["groups"] = [str(pk) for pk in groups]
    assert admin.post(url, data).status_code == 302
    assert sorted(stock.groups.values_list("pk", flat=True)) == groups
