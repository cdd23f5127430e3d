"""The registry of case types: code → instance. Adding a case type = one module here (with
``@register``), one template, one test module."""

CASE_TYPES = {}


def register(cls):
    instance = cls()
    CASE_TYPES[instance.code] = instance
    return cls


def get_case_type(code):
    return CASE_TYPES.get(code)


def choices():
    return [(code, case_type.name) for code, case_type in CASE_TYPES.items()]


# Import the modules so that each registers itself.
from . import correction, suspension, transfer  # noqa: E402,F401
