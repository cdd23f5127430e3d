"""Edge validation of every argument of every field, before any resolver or service sees it:
what no field of the registry accepts is refused here with a typed Chinese error, so it never
reaches the database as a 500 or an ``internal_error``. Field-specific rules (lengths of a
name, the declared fields of a case type) stay with the services and case types.

- text: no NUL or other control characters (tab and newlines allowed), at most
  ``MAX_TEXT`` characters;
- dates: between 1900-01-01 and 2100-12-31 (registry dates; far dates overflow date arithmetic);
The checks are cases/edge.py's, shared with every Django form (cms/formguard.py).
Page sizes (``first``/``last``: null, negative, over the limit) are answered by the connection
fields themselves (graphql_api/core/nodes.py: ``invalid_page``, ``page_too_large``).
"""

from graphql import GraphQLError

from cases.edge import problem  # the shared checks


def _problem(value, name):
    """(code, message) for the first value no field accepts, or None."""
    return problem(value, name)


def check_arguments(args):
    """Refuse (GraphQLError with a code) the first argument value no field accepts."""
    for key, value in args.items():
        found = _problem(value, key)
        if found:
            code, message = found
            raise GraphQLError(message, extensions={"code": code, "field": key})
