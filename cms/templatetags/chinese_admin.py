"""Filters for Wagtail templates overridden in templates/wagtailadmin/ (Chinese, no codes)."""

from django import template
from django.apps import apps

register = template.Library()


@register.filter
def app_name(app_label):
    """The Chinese name of an app (``cms`` → 站点) instead of its code."""
    try:
        return apps.get_app_config(app_label).verbose_name
    except LookupError:
        return ""
