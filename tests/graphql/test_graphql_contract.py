"""schema.graphql at the repository root is the published contract: it must match the code.

Regenerate with: .venv/bin/python manage.py graphql_schema --schema graphql_api.schema.schema --out schema.graphql
"""

from pathlib import Path

from graphql import print_schema

from graphql_api.schema import schema

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "schema.graphql"


def test_schema_graphql_is_up_to_date():
    assert SCHEMA_FILE.read_text(encoding="utf-8").strip() == print_schema(schema.graphql_schema).strip(), (
        "schema.graphql is stale: run manage.py graphql_schema --schema graphql_api.schema.schema --out schema.graphql"
    )
