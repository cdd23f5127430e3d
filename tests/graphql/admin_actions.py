"""The admin's menu of actions, walked from the admin itself: what a school registrar or an
authority can *do* there (writes; downloads are listed separately). Used by the API parity test."""

from django.urls import get_resolver
from wagtail import hooks

from cases.services.staff import GROUP_PERMISSIONS

# URL names every Wagtail snippet viewset has: reads, or features the registry switches off.
STOCK = {"list", "list_results", "add", "edit", "delete", "usage", "history", "history_results", "inspect",
         "revisions_revert", "revisions_compare", "revisions_unschedule", "revisions_view", "unpublish", "lock",
         "unlock", "workflow_history", "workflow_history_detail", "workflow_preview", "preview_on_add",
         "preview_on_edit", "revisions_unschedule", "copy", "choose", "choose_results", "chosen",
         "chosen_multiple", "create", "lookup", "collect_workflow_action_data", "workflow_action",
         "confirm_workflow_cancellation"}
READS = ("pdf", "card", "lookup")
# Admin pages that only read (their forms post to the separate URLs listed as writes): the API
# answers them with queries and download URLs, checked against the schema like any row.
READ_PAGES = {"xueji_intake", "xueji_intake_template", "xueji_intake_result", "xueji_duplicate_decisions",
              "xueji_rosters", "xueji_statistics", "xueji_oversight"}
REGISTRY_APP = "cases"


def _granted():
    return {code.split(".")[1] for codes in GROUP_PERMISSIONS.values() for code in codes}


def _url_names(patterns, namespace=""):
    for pattern in patterns:
        if hasattr(pattern, "url_patterns"):
            inner = f"{namespace}:{pattern.namespace}" if namespace and pattern.namespace else \
                (pattern.namespace or namespace)
            yield from _url_names(pattern.url_patterns, inner)
        elif pattern.name:
            yield f"{namespace}:{pattern.name}" if namespace else pattern.name


def admin_actions():
    """{code: kind (write, read, download)} with codes like ``case:add``, ``staffprofile:deactivate``,
    ``xueji_certificate_issue``, ``bulk:place_in_class``."""
    granted = _granted()
    actions = {}
    for name in set(_url_names(get_resolver().url_patterns)):
        namespace, _, view = name.rpartition(":")
        if namespace.startswith(f"wagtailsnippets_{REGISTRY_APP}_"):
            model = namespace.removeprefix(f"wagtailsnippets_{REGISTRY_APP}_")
            if view in ("add", "edit"):
                if f"{'add' if view == 'add' else 'change'}_{model}" in granted:
                    actions[f"{model}:{view}"] = "write"
            elif view not in STOCK and not view.endswith(READS):
                actions[f"{model}:{view}"] = "write"
        elif not namespace and name.startswith("xueji_"):
            actions[name] = "download" if name.endswith(READS) else "read" if name in READ_PAGES else "write"
    for hook in hooks.get_hooks("register_bulk_action"):
        models = getattr(hook, "models", None) or []
        # Wagtail's stock bulk delete is refused for every registry record (append-only).
        if hook.action_type != "delete" and any(model._meta.app_label == REGISTRY_APP for model in models):
            actions[f"bulk:{hook.action_type}"] = "write"
    return actions
