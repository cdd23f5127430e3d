from django.conf import settings
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.admin.auth import require_admin_access
from wagtail.documents import urls as wagtaildocs_urls

from cases.admin.reports import (
    NamedAgingPagesView,
    ScopedLogEntriesView,
    ScopedModelIndexView,
    ScopedWorkflowTasksView,
    ScopedWorkflowView,
)
from cases.accounts import user_delete_refused
from cases.admin.workflow_guard import derived_workflow_urls
from cases.documents import private_as_missing_urls, private_chosen_view
from cms import views as public_views
from graphql_api import downloads as api_downloads
from graphql_api.views import XuejiGraphQLView, document_download

# Scoped replacements of Wagtail's workflow reports: they must come before the admin's URLs.
scoped_reports = [
    path("admin/reports/workflow/", require_admin_access(ScopedWorkflowView.as_view())),
    path("admin/reports/workflow/results/", require_admin_access(ScopedWorkflowView.as_view(results_only=True))),
    path("admin/reports/workflow_tasks/", require_admin_access(ScopedWorkflowTasksView.as_view())),
    path("admin/reports/workflow_tasks/results/",
         require_admin_access(ScopedWorkflowTasksView.as_view(results_only=True))),
    # The index of record types counts what the user may see (cases/admin/reports.py).
    path("admin/snippets/", require_admin_access(ScopedModelIndexView.as_view())),
    # The site history deciding a page's objects at once (cases/admin/reports.py).
    path("admin/reports/site-history/", require_admin_access(ScopedLogEntriesView.as_view())),
    path("admin/reports/site-history/results/", require_admin_access(ScopedLogEntriesView.as_view(results_only=True))),
    # The aging-pages report with people's names (cases/admin/reports.py).
    path("admin/reports/aging-pages/", require_admin_access(NamedAgingPagesView.as_view())),
    path("admin/reports/aging-pages/results/", require_admin_access(NamedAgingPagesView.as_view(results_only=True))),
    # The document chooser's pick answers a private document (evidence) like a missing one.
    path("admin/documents/chooser/chosen/<str:pk>/", require_admin_access(private_chosen_view())),
    # The document admin's views of one document (edit, delete, usage…) likewise.
    *private_as_missing_urls(),
    # The case workflows and their steps are derived from the code: read-only in the workflow admin.
    *derived_workflow_urls(),
]

urlpatterns = scoped_reports + [
    # Staff accounts are deactivated, never deleted (cases/accounts.py): Wagtail's delete view is shut.
    path("admin/users/delete/<str:pk>/", require_admin_access(user_delete_refused), name="xueji_user_delete_refused"),
    # CSRF is checked by the view itself: enforced for sessions, not for bearer tokens.
    path("graphql/", csrf_exempt(XuejiGraphQLView.as_view(graphiql=settings.DEBUG)), name="graphql"),
    path("graphql/documents/<int:pk>/", document_download, name="graphql_document"),
    path("graphql/certificates/<int:pk>/pdf/", api_downloads.certificate_pdf, name="graphql_certificate_pdf"),
    path("graphql/print-jobs/<int:pk>/pdf/", api_downloads.print_job_pdf, name="graphql_print_job_pdf"),
    path("graphql/intake/<int:pk>/template.xlsx", api_downloads.intake_template, name="graphql_intake_template"),
    path("graphql/intake-uploads/<int:pk>/result.xlsx", api_downloads.intake_result, name="graphql_intake_result"),
    path("graphql/exports/statistics.xlsx", api_downloads.statistics_xlsx, name="graphql_statistics_xlsx"),
    path("graphql/exports/oversight.xlsx", api_downloads.oversight_xlsx, name="graphql_oversight_xlsx"),
    path("graphql/exports/roster/", api_downloads.roster, name="graphql_roster"),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
]

if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()

# The public site's verification and status lookup (cms/views.py).
urlpatterns += [
    path("verify/", public_views.verify, name="certificate_verify"),
    path("lookup/", public_views.lookup, name="status_lookup"),
    path("search/", public_views.search, name="site_search"),
]

urlpatterns += [path("", include(wagtail_urls))]

handler500 = "cms.middleware.server_error"
