"""The admin's date picker writes and shows 2026年12月1日, the one date form of the admin."""

import datetime

from django import forms
from django.db import models
from wagtail.admin.forms.models import register_form_field_override
from wagtail.admin.widgets import AdminDateInput


def chinese_date(day):
    return f"{day.year}年{day.month}月{day.day}日"


class ChineseDateInput(AdminDateInput):
    """Wagtail's picker, without zero padding (strftime has no portable form for it); typed
    input is parsed by DATE_INPUT_FORMATS (cms/formats), which accept this form and ISO."""

    def __init__(self, attrs=None, format=None):
        super().__init__(attrs=attrs, format=format)
        self.js_format = "Y年n月j日"

    def format_value(self, value):
        if isinstance(value, datetime.date):
            return chinese_date(value)
        return super().format_value(value)

    def get_config(self):
        # The picker's own parser cannot read 2026年3月5日 and, on leaving the box, would replace a
        # typed date by 1 January of its year: what is typed is kept and the server reads it.
        return {**super().get_config(), "validateOnBlur": False}


register_form_field_override(models.DateField, override={"widget": ChineseDateInput})


class ChineseFileInput(forms.FileInput):
    """A file box that reads 选择文件 / 未选择文件 whatever the browser's language (the native
    control speaks the browser's): the native input is visually hidden inside a labelled button."""

    template_name = "cases/widgets/file.html"
