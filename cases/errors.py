"""Rule failures carry a code and the article they come from.

The admin and the API show them the same way: the code identifies the rule for programs,
the message (Chinese) explains it to a person, the article points at the text.
"""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError


class RuleError(ValidationError):
    """A broken rule: ``RuleError("id_checksum", "公民身份号码校验位错误", article="第十五条")``."""

    def __init__(self, code, message, *, field=None, article="", params=None):
        super().__init__(message, code=code, params=params)
        self.field = field
        self.article = article


def rule_errors(error):
    """Flatten a ValidationError (RuleErrors or plain ones) into dicts {field code message article}."""
    if hasattr(error, "error_dict"):
        items = []
        for field, errors in error.error_dict.items():
            for item in errors:
                for flat in rule_errors(item):
                    flat["field"] = flat["field"] or (None if field == NON_FIELD_ERRORS else field)
                    items.append(flat)
        return items
    return [
        {
            "field": getattr(item, "field", None),
            "code": item.code or "invalid",
            "message": str(item.message % item.params if item.params else item.message),
            "article": getattr(item, "article", ""),
        }
        for item in error.error_list
    ]
