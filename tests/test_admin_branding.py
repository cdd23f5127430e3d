"""The admin carries the registry's mark and name, not Wagtail's: Wagtail's documented branding
blocks (branding_logo, branding_login, branding_title, branding_favicon) are overridden in
templates/wagtailadmin/, and the settings menu's "Wagtail v…" footer is dropped."""

import re

import pytest


@pytest.mark.django_db
def test_the_registrys_mark_and_name_not_wagtails(client):
    """Login page, sidebar and tab: the 学籍 mark and the registry's name, no Wagtail bird or
    wordmark (Wagtail's branding blocks: branding_logo, branding_login, branding_title,
    branding_favicon)."""
    from django.contrib.auth import get_user_model

    def branded(html):
        html = html.replace("wagtail.sidebar.WagtailBrandingModule", "")  # the sidebar's script module, not shown
        assert "icon-wagtail" not in html and "Wagtail" not in html and "wagtailadmin/images/favicon" not in html
        assert 'class="xj-mark"' in html and "cases/img/xueji-mark.svg" in html
        assert "甘肃省中小学生学籍管理" in html

    branded(client.get("/admin/login/").content.decode())
    client.force_login(get_user_model().objects.create_superuser("root", password="x"))
    page = client.get("/admin/").content.decode()
    branded(page)
    assert re.search(r"<template data-wagtail-sidebar-branding-logo>\s*<span class=\"xj-mark\"", page)
