"""Exports in the admin: the certificates' listing (with Wagtail's Excel export like the other
listings), and rosters (花名册) of a class, grade, school, county or city as Excel or PDF.

Every export is scoped through cases/access.py (a unit or class out of scope answers 404) and
logged (``export_record``).
"""

from django import forms
from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.ui.tables import Column
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.views.chooser import SnippetChooserViewSet
from wagtail.snippets.views.snippets import SnippetViewSet

from cases import access
from cases import models as m
from cases.errors import rule_errors
from cases.services.exports import roster_choices, roster_pdf, roster_registrations, roster_title, roster_xlsx

from .display import RegistryInspectView
from .scoping import ScopedExportMixin, StudentRowsMixin

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- certificates' listing ----------------------------------------------------------------------
def certificates_visible(user):
    """The one policy (cases/access.py): the issuing school decides, not the student — a former
    school still reads its old student but never what the new school issued (第十四条)."""
    return access.certificates_visible(user)


class CertificatePermissionPolicy(ModelPermissionPolicy):
    """Viewing only; issuing and revoking stay on the student's page."""

    def user_has_permission(self, user, action):
        return action == "view" and user.is_authenticated and user.is_active and (
            user.is_superuser or user.has_perm("cases.view_certificate"))

    def instances_user_has_any_permission_for(self, user, actions):
        if "view" not in actions or not self.user_has_permission(user, "view"):
            return m.Certificate.objects.none()
        return certificates_visible(user)

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_any_permission_for_instance(user, [action], instance)

    def user_has_any_permission_for_instance(self, user, actions, instance):
        return self.instances_user_has_any_permission_for(user, actions).filter(pk=instance.pk).exists()


register_permission_policy(m.Certificate, CertificatePermissionPolicy(m.Certificate))


class CertificateGuardMixin:
    def dispatch(self, request, *args, **kwargs):
        pk = kwargs.get("pk")
        if pk is not None and not certificates_visible(request.user).filter(pk=unquote(str(pk))).exists():
            raise Http404
        return super().dispatch(request, *args, **kwargs)


class CertificateChooserMixin:
    """The certificates' chooser offers and picks only what the listing shows (with the model's
    view permission): another school's certificate answers like a missing one."""

    def _visible(self):
        return CertificatePermissionPolicy(m.Certificate).instances_user_has_any_permission_for(
            self.request.user, ["view"])

    def get_object_list(self):
        return super().get_object_list().filter(pk__in=self._visible().values("pk"))

    def get_object(self, pk):
        return self._visible().get(pk=pk)

    def get_objects(self, pks):  # chosen-multiple
        return self._visible().filter(pk__in=pks)


class CertificateChooserViewSet(SnippetChooserViewSet):
    def construct_view(self, view_class, **kwargs):
        return super().construct_view(type(view_class.__name__, (CertificateChooserMixin, view_class), {}), **kwargs)


class CertificateViewSet(SnippetViewSet):
    model = m.Certificate
    chooser_viewset_class = CertificateChooserViewSet
    icon = "doc-full"
    menu_label = _("证书证明")
    add_to_admin_menu = False
    inspect_view_enabled = True
    copy_view_enabled = False
    list_display = ["serial", Column("kind", label=_("类别"), accessor="get_kind_display"), "student", "school",
                    "issued_at", "revoked_at"]
    list_filter = ["kind"]
    list_export = ["serial", "get_kind_display", "student.registry_number", "student.name", "school", "issued_at",
                   "revoked_at", "revoke_reason"]
    export_headings = {"get_kind_display": "类别", "student.registry_number": "学籍号", "student.name": "姓名"}
    export_filename = "certificates"
    search_fields = ["serial", "student__name", "student__registry_number"]
    search_backend_name = None
    list_per_page = 50
    inspect_view_class = RegistryInspectView  # the student whole only for the holder (cases/access.py)
    inspect_view_fields = ["serial", "kind", "student", "school", "issued_at", "issued_by", "revoked_at",
                           "revoke_reason"]

    def construct_view(self, view_class, **kwargs):
        mixins = (CertificateGuardMixin, StudentRowsMixin, ScopedExportMixin) if hasattr(
            view_class, "as_spreadsheet") else (CertificateGuardMixin,)
        return super().construct_view(type(view_class.__name__, (*mixins, view_class), {}), **kwargs)

    def get_queryset(self, request):
        return certificates_visible(request.user).select_related("student", "school")


# --- rosters ------------------------------------------------------------------------------------
class RosterForm(forms.Form):
    school = forms.ModelChoiceField(label="学校", queryset=m.School.objects.none(), required=False)
    unit = forms.ModelChoiceField(label="或:县(区)/市(州)全部学校", queryset=m.Jurisdiction.objects.none(),
                                  required=False)
    stage = forms.ChoiceField(label="学段", choices=[("", "全部")] + list(m.Stage.choices), required=False)
    grade = forms.IntegerField(label="年级(入学第几年)", min_value=1, max_value=9, required=False)
    school_class = forms.ModelChoiceField(label="班级", queryset=m.SchoolClass.objects.none(), required=False)
    format = forms.ChoiceField(label="格式", choices=[("xlsx", "Excel"), ("pdf", "PDF")])

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        choices = roster_choices(user)
        self.fields["school"].queryset = choices["schools"]
        self.fields["unit"].queryset = choices["units"]
        self.fields["school_class"].queryset = choices["classes"]
        if not access.scope_of(user).school_id:
            # Above a school, a select would hold every school and class the unit reads (the
            # province: 12,000 and 130,000 options, 25 s to render): they are searched instead.
            from .case_fields import ScopedPickerWidget

            self.fields["school"].widget = ScopedPickerWidget("school", user=user)
            self.fields["school_class"].widget = ScopedPickerWidget("school_class", user=user, within="school")
            self.fields["school_class"].help_text = "先选择学校,再查找其班级"

    def clean(self):
        data = super().clean()
        if not (data.get("school") or data.get("unit") or data.get("school_class")):
            raise ValidationError("请选择学校、班级,或县(区)/市(州)")
        return data


def _title(data):
    return roster_title(school=data.get("school"), school_class=data.get("school_class"), unit=data.get("unit"),
                        stage=data.get("stage") or None, grade=data.get("grade"))


def roster_page(request):
    if access.scope_of(request.user).is_empty:
        raise Http404
    form = RosterForm(request.GET or None, user=request.user)
    if request.GET and form.is_valid():
        data = form.cleaned_data
        registrations = roster_registrations(
            request.user, school=data.get("school"), school_class=data.get("school_class"), grade=data.get("grade"),
            unit_code=data["unit"].code if data.get("unit") else None, stage=data.get("stage") or None)
        title, query = _title(data), request.GET.urlencode()
        try:
            if data["format"] == "pdf":
                response = HttpResponse(roster_pdf(user=request.user, title=title, registrations=registrations,
                                                   query=query), content_type="application/pdf")
                response["Content-Disposition"] = content_disposition_header(True, f"{title}.pdf")
            else:
                response = HttpResponse(roster_xlsx(user=request.user, title=title, registrations=registrations,
                                                    query=query), content_type=XLSX)
                response["Content-Disposition"] = content_disposition_header(True, f"{title}.xlsx")
        except ValidationError as error:
            for item in rule_errors(error):
                messages.error(request, item["message"])
            return redirect("xueji_rosters")
        response["Cache-Control"] = "no-store"
        return response
    return render(request, "cases/admin/rosters.html", {"form": form})


@hooks.register("register_admin_urls")
def export_urls():
    return [path("rosters/", roster_page, name="xueji_rosters")]
