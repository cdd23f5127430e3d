"""The registry of case types: code → instance. Adding a case type = one module here (with
``@register``), one template (``templates/cases/case_types/<code>.html``, a few lines extending
``_document.html``) and one test module (``tests/case_types/test_<module>.py``);
``tests/test_case_type_modules.py`` checks all three for every registered type."""

CASE_TYPES = {}


def register(cls):
    instance = cls()
    CASE_TYPES[instance.code] = instance
    return cls


def get_case_type(code):
    return CASE_TYPES.get(code)


def choices():
    return [(code, case_type.name) for code, case_type in CASE_TYPES.items()]


def _discover():
    """Import every module of this package so that each case type registers itself."""
    import importlib
    import pkgutil

    for module in pkgutil.iter_modules(__path__):
        if module.name not in {"base", "effects", "fields", "display"}:
            importlib.import_module(f"{__name__}.{module.name}")


_discover()
