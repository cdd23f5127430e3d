"""WAGTAIL_FINISH_WORKFLOW_ACTION. Wagtail imports this while ``wagtail.models`` is still
loading, so nothing is imported at module level."""


def finish_case(workflow_state, user=None):
    """The last approval applies the case inside the workflow's transaction; if applying
    fails, the approval is rolled back with it. Never Wagtail's publish: no one holds a
    publish permission on cases."""
    from cases.models import Case
    from cases.services.cases import case_finalize

    case_finalize(case=Case.objects.get(pk=workflow_state.object_id), acting_user=user)
