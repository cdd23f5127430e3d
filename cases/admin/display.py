"""How registry values read in the Chinese admin."""

from wagtail.snippets.views.snippets import InspectView


class RegistryInspectView(InspectView):
    """Yes/no and empty values in Chinese, not Python's True/False/None."""

    def get_field_display_value(self, field_name, field):
        value = super().get_field_display_value(field_name, field)
        if value is True:
            return "是"
        if value is False:
            return "否"
        return "—" if value in (None, "") else value
