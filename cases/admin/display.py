"""How registry values read in the Chinese admin."""

from wagtail.snippets.views.snippets import InspectView


class RegistryInspectView(InspectView):
    """Yes/no and empty values in Chinese, not Python's True/False/None; titled 查看 (Wagtail's
    "Inspecting" reads 检查, an examination)."""

    page_title = "查看"

    def get_field_display_value(self, field_name, field):
        if getattr(field, "many_to_one", False) and getattr(self.object, field.attname, None) is None:
            return "—"  # an empty relation, not "None"
        value = super().get_field_display_value(field_name, field)
        if value is True:
            return "是"
        if value is False:
            return "否"
        if hasattr(value, "get_username"):  # a person reads as a name, not a login
            return value.get_full_name() or value.get_username()
        if isinstance(value, (list, tuple)):  # a set of stages, stored as codes
            from cases.models import Stage

            labels = dict(Stage.choices)
            return "、".join(str(labels.get(item, item)) for item in value) or "—"
        return "—" if value in (None, "") else value
