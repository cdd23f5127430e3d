"""How registry values read in the Chinese admin."""

from wagtail.snippets.views.snippets import InspectView


class RegistryInspectView(InspectView):
    """Yes/no and empty values in Chinese, not Python's True/False/None; titled 查看 (Wagtail's
    "Inspecting" reads 检查, an examination). A related student reads with its G registry number
    whole only for the holder, and the text of a record about a student (an archive entry's title
    and body) with the student's numbers masked for anyone else (cases/access.py)."""

    page_title = "查看"

    # The header's edit and delete buttons as the object's own views will answer (its write
    # scope: the former school reads a student who left, it does not edit it), not as the model
    # permission alone would: no button that answers 403. Asked once per page.
    def get_edit_url(self):
        if "_edit_url" not in self.__dict__:
            self._edit_url = super().get_edit_url() if self.user_has_permission_for_instance(
                "change", self.object) else None
        return self._edit_url

    def get_delete_url(self):
        if "_delete_url" not in self.__dict__:
            self._delete_url = super().get_delete_url() if self.user_has_permission_for_instance(
                "delete", self.object) else None
        return self._delete_url

    def get_fields(self):
        # Never the database id ("ID 1"): staff know a record by its name and numbers.
        return [name for name in super().get_fields() if name != self.model._meta.pk.name]

    def get_field_display_value(self, field_name, field):
        from cases import access
        from cases.models import Student

        if getattr(field, "many_to_one", False) and getattr(self.object, field.attname, None) is None:
            return "—"  # an empty relation, not "None"
        value = super().get_field_display_value(field_name, field)
        if isinstance(value, Student):
            return str(access.personal_view(self.request.user, [value])[0])
        if isinstance(value, str) and getattr(self.object, "student_id", None) and not isinstance(self.object, Student):
            if not hasattr(self, "_stored_student"):  # the stored row: its numbers whole, to find them
                self._stored_student = Student.objects.filter(pk=self.object.student_id).first()
            value = access.personal_text(self.request.user, self._stored_student, value)
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
