from django.urls import path
from wagtail import hooks

from cms.accounts import otp_view


@hooks.register("register_admin_urls")
def register_otp_url():
    # /admin/otp/: two-factor enrolment and verification (cms/accounts.py)
    return [path("otp/", otp_view, name="xueji_otp")]
