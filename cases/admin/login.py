"""The admin's sign-in form with its labels in Chinese (Wagtail's leaves the password unlabelled,
so Django prints the field name)."""

from wagtail.admin.forms.auth import LoginForm


class RegistryLoginForm(LoginForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password"].label = "密码"
        self.fields["password"].widget.attrs["placeholder"] = "输入密码"
        self.fields["username"].widget.attrs["placeholder"] = "输入用户名"
        self.fields["remember"].label = "记住我"
