"""Staff accounts in the admin: an authority's head creates the accounts of the units in its
scope, edits role and training dates, deactivates (never deletes) and resets passwords. Every
form saves through cases/services/staff.py, which checks who may and writes the audit entry."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.admin.ui.tables import Column
from wagtail.admin.widgets.button import ListingButton
from wagtail.snippets.views.snippets import CreateView, EditView, IndexView

from cases import access
from cases import models as m
from cases.errors import rule_errors
from cases.services.staff import (
    staff_create,
    staff_may_manage,
    staff_reset_password,
    staff_set_active,
    staff_update,
)

from .scoping import ScopedSnippetViewSet, ServiceFormMixin


class StaffCreateForm(WagtailAdminModelForm):
    full_name = forms.CharField(label="姓名", max_length=150)
    username = forms.RegexField(label="登录名", max_length=150, regex=r"^[\w.@+-]+$",
                                help_text="字母、数字或 . @ + - _,用于登录",
                                error_messages={"invalid": "登录名只能包含字母、数字和 . @ + - _"})
    password1 = forms.CharField(label="初始密码", widget=forms.PasswordInput, help_text="至少 8 位,不能全为数字")
    password2 = forms.CharField(label="再次输入密码", widget=forms.PasswordInput)
    unit_school = forms.ModelChoiceField(label="所在学校", queryset=m.School.objects.none(), required=False,
                                         empty_label="(不是学校人员)")
    unit_jurisdiction = forms.ModelChoiceField(label="所在教育行政部门", queryset=m.Jurisdiction.objects.none(),
                                               required=False, empty_label="(不是行政部门人员)")

    class Meta:
        model = m.StaffProfile
        fields = ["role", "trained_on", "filed_on"]

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        self.fields["unit_school"].queryset = access.visible(for_user, m.School).order_by("name")
        self.fields["unit_jurisdiction"].queryset = access.visible(for_user, m.Jurisdiction).exclude(
            level="township").order_by("code")
        self.fields["trained_on"].help_text = "学籍管理员应先培训后上岗(第三十六条)"

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", "两次输入的密码不一致")
        units = [u for u in (data.get("unit_school"), data.get("unit_jurisdiction")) if u]
        if len(units) != 1:
            self.add_error("unit_school", "请选择一个所在单位:学校或教育行政部门,二者选一")
        data["unit"] = units[0] if len(units) == 1 else None
        return data


CREATE_PANEL = ObjectList([FieldPanel(name) for name in (
    "full_name", "username", "password1", "password2", "unit_school", "unit_jurisdiction", "role", "trained_on",
    "filed_on")], base_form_class=StaffCreateForm)


class StaffEditForm(WagtailAdminModelForm):
    full_name = forms.CharField(label="姓名", max_length=150)

    class Meta:
        model = m.StaffProfile
        fields = ["role", "trained_on", "filed_on"]

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        self.fields["full_name"].initial = self.instance.user.first_name


EDIT_PANEL = ObjectList([FieldPanel(name) for name in ("full_name", "role", "trained_on", "filed_on")],
                        base_form_class=StaffEditForm)


class StaffCreateView(ServiceFormMixin, CreateView):
    def dispatch(self, request, *args, **kwargs):
        if not staff_may_manage(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def save_through_service(self, form):
        data = form.cleaned_data
        return staff_create(acting_user=self.request.user, username=data["username"], password=data["password1"],
                            full_name=data["full_name"], unit=data["unit"], role=data["role"],
                            trained_on=data.get("trained_on"), filed_on=data.get("filed_on"))

    def get_success_message(self, instance=None):
        instance = instance or self.object
        return f"已为{instance.unit}开通账号:{instance.user.first_name}(登录名 {instance.user.username})"


class StaffEditView(ServiceFormMixin, EditView):
    def save_through_service(self, form):
        changes = {f: form.cleaned_data[f] for f in form.changed_data
                   if f in ("full_name", "role", "trained_on", "filed_on")}
        return staff_update(acting_user=self.request.user, profile=self.object, changes=changes)


def _full_name(profile):
    return profile.user.first_name or profile.user.username


class StaffIndexView(IndexView):
    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        if staff_may_manage(self.request.user, instance.unit) and instance.user_id != self.request.user.pk:
            label, url_name = ("启用账号", "activate") if not instance.user.is_active else ("停用账号", "deactivate")
            buttons += [
                ListingButton(label, url=reverse(f"wagtailsnippets_cases_staffprofile:{url_name}", args=[instance.pk]),
                              icon_name="lock", priority=40),
                ListingButton("重置密码", url=reverse("wagtailsnippets_cases_staffprofile:password",
                                                   args=[instance.pk]), icon_name="key", priority=50),
            ]
        return buttons


class ReasonForm(forms.Form):
    reason = forms.CharField(label="停用原因", max_length=200)


class PasswordForm(forms.Form):
    password1 = forms.CharField(label="新密码", widget=forms.PasswordInput, help_text="至少 8 位,不能全为数字")
    password2 = forms.CharField(label="再次输入新密码", widget=forms.PasswordInput)

    def clean(self):
        data = super().clean()
        if data.get("password1") != data.get("password2"):
            self.add_error("password2", "两次输入的密码不一致")
        return data


def _account_view(request, pk, *, title, form_class, act, done):
    """停用 / 启用 / 重置密码: a confirmation form, then the service; 404 out of scope."""
    profile = access.get_in_scope_or_404(request.user, m.StaffProfile, pk=pk)
    if not staff_may_manage(request.user, profile.unit):
        raise PermissionDenied
    form = form_class(request.POST or None) if form_class else None
    if request.method == "POST" and (form is None or form.is_valid()):
        try:
            act(profile, form.cleaned_data if form else {})
            messages.success(request, done.format(name=_full_name(profile)))
            return redirect("wagtailsnippets_cases_staffprofile:list")
        except ValidationError as error:
            for item in rule_errors(error):
                if form is not None:
                    form.add_error(None, item["message"])
                else:
                    messages.error(request, item["message"])
    return TemplateResponse(request, "cases/admin/staff_account.html",
                            {"title": title, "profile": profile, "form": form, "full_name": _full_name(profile)})


def deactivate_view(request, pk):
    return _account_view(request, pk, title="停用账号", form_class=ReasonForm, done="已停用{name}的账号",
                         act=lambda p, d: staff_set_active(acting_user=request.user, profile=p, active=False,
                                                           reason=d["reason"]))


def activate_view(request, pk):
    return _account_view(request, pk, title="启用账号", form_class=None, done="已启用{name}的账号",
                         act=lambda p, d: staff_set_active(acting_user=request.user, profile=p, active=True))


def password_view(request, pk):
    return _account_view(request, pk, title="重置密码", form_class=PasswordForm, done="已重置{name}的密码",
                         act=lambda p, d: staff_reset_password(acting_user=request.user, profile=p,
                                                               password=d["password1"]))


class StaffProfileViewSet(ScopedSnippetViewSet):
    model = m.StaffProfile
    icon = "user"
    menu_label = _("学籍工作人员")
    index_view_class = StaffIndexView
    add_view_class = StaffCreateView
    edit_view_class = StaffEditView
    list_display = [
        Column("full_name", label=_("姓名"), accessor=_full_name),
        Column("username", label=_("登录名"), accessor="user.username"),
        Column("unit", label=_("所在单位"), accessor=lambda p: str(p.unit)),
        "role",
        Column("active", label=_("账号状态"), accessor=lambda p: "启用" if p.user.is_active else "已停用"),
        "trained_on",
        "filed_on",
    ]
    list_filter = ["role"]
    search_fields = ["user__first_name", "user__username"]
    search_backend_name = None
    list_per_page = 50
    inspect_view_fields = ["user", "school", "jurisdiction", "role", "is_formal_staff", "trained_on", "filed_on"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user", "school", "jurisdiction")

    def get_add_view_kwargs(self, **kwargs):
        panel = CREATE_PANEL.bind_to_model(self.model)
        return super().get_add_view_kwargs(panel=panel, form_class=panel.get_form_class(), **kwargs)

    def get_edit_view_kwargs(self, **kwargs):
        panel = EDIT_PANEL.bind_to_model(self.model)
        return super().get_edit_view_kwargs(panel=panel, form_class=panel.get_form_class(), **kwargs)

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [
            path("<int:pk>/deactivate/", deactivate_view, name="deactivate"),
            path("<int:pk>/activate/", activate_view, name="activate"),
            path("<int:pk>/password/", password_view, name="password"),
        ]
