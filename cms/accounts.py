"""Signing in: login throttling (django-axes) and two-factor sign-in (django-otp, TOTP).

- ``LoginThrottleBackend``: django-axes' backend, which refuses a locked-out username+address
  before the password is checked. Without a request (a shell, a script) there is no address to
  count and nothing to throttle, so it steps aside (Axes' own backend would raise).
- ``RequireOTPMiddleware``: a user who must use two-factor sign-in (staff of county, city and
  province units; school staff when ``XUEJI_OTP_FOR_SCHOOLS``) reaches no admin page, no session
  API call and no document before entering a one-time code: the admin redirects to
  ``otp_view``, the API answers 401 ``otp_required``. Bearer tokens are exempt: only a verified
  session can create one.
- ``otp_view``: enrolment (a QR code for any authenticator app, with the key spelled out) the
  first time, then the code after each password sign-in. Wrong codes are throttled by
  django-otp (growing delays).
"""

from urllib.parse import quote

import segno
from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from cases.edge import is_digits


class LoginThrottleBackend(AxesStandaloneBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def otp_required(user):
    """Whether this signed-in user must finish the sign-in with a one-time code."""
    from cases.access import profile_of

    if not user.is_authenticated:
        return False
    profile = profile_of(user)
    if profile is None:
        return False
    return settings.XUEJI_OTP_FOR_AUTHORITIES if profile.jurisdiction_id else settings.XUEJI_OTP_FOR_SCHOOLS


def _exempt_paths():
    return (reverse("xueji_otp"), reverse("wagtailadmin_login"), reverse("wagtailadmin_logout"))


class RequireOTPMiddleware:
    GUARDED = ("/admin/", "/graphql/", "/documents/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._must_verify(request):
            if request.path.startswith("/admin/"):
                return redirect(f"{reverse('xueji_otp')}?next={quote(request.get_full_path())}")
            return JsonResponse({"errors": [{"message": "请先完成两步验证(动态验证码)后再访问",
                                             "extensions": {"code": "otp_required"}}]}, status=401,
                                json_dumps_params={"ensure_ascii": False})
        return self.get_response(request)

    def _must_verify(self, request):
        if not (settings.XUEJI_OTP_FOR_AUTHORITIES or settings.XUEJI_OTP_FOR_SCHOOLS):
            return False
        if not request.path.startswith(self.GUARDED) or request.path.startswith(_exempt_paths()):
            return False
        if request.META.get("HTTP_AUTHORIZATION"):
            return False  # a bearer token (checked by the API itself), issued only to verified sessions
        user = request.user
        return user.is_authenticated and not user.is_verified() and otp_required(user)


def _next_url(request):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                       require_https=request.is_secure()):
        return target
    return reverse("wagtailadmin_home")


@never_cache
def otp_view(request):
    user = request.user
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    enrolling = device is None
    if enrolling:
        # One pending device per user, kept until confirmed, so reloading shows the same QR code.
        device = TOTPDevice.objects.filter(user=user, confirmed=False).first() or TOTPDevice.objects.create(
            user=user, name="身份验证器", confirmed=False)
    error = ""
    if request.method == "POST":
        token = "".join(request.POST.get("token", "").split())
        if not (is_digits(token) and len(token) == device.digits):
            error = f"请输入身份验证器上显示的 {device.digits} 位数字"
        elif not device.verify_is_allowed()[0]:
            error = "验证码错误次数过多,请稍候再试"
        elif device.verify_token(token):
            if enrolling:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
            otp_login(request, device)
            return redirect(_next_url(request))
        else:
            error = "验证码不正确或已过期,请输入身份验证器上当前显示的数字"
    context = {"enrolling": enrolling, "error": error, "next": _next_url(request), "digits": device.digits}
    if enrolling:
        context["qr_svg"] = segno.make(device.config_url, error="m").svg_inline(scale=4)
        context["secret"] = " ".join(_base32(device.bin_key)[i:i + 4] for i in range(0, 32, 4))
    return render(request, "account/otp.html", context, status=200 if not error else 400)


def _base32(key):
    from base64 import b32encode

    return b32encode(key).decode().rstrip("=")
