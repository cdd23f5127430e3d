"""The read log's chain is linked by the database on PostgreSQL (cases/chain.py, ``append``):
one statement per request instead of five (begin, the chain's lock, its head, the insert, commit).

The function takes the rows' content already serialised canonically by Python (the JSON every
row's hash covers, ``chain.content_json``), so Python and SQL never each build it: the server
only locks the chain, reads its head and hashes head + content in order."""

from django.db import migrations

APPEND_SQL = """
CREATE OR REPLACE FUNCTION xueji_read_log_append(
    lock_key bigint, contents text[], ats timestamptz[], user_ids integer[], usernames text[], doors text[],
    whats text[], student_ids bigint[], scope_codes text[]) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    head text;
    sequence text := pg_get_serial_sequence('cases_readlogentry', 'id');
    ids bigint[];
    prevs text[];
    hashes text[];
BEGIN
    -- Held to the end of the transaction: id order stays chain order (as chain.link in Python).
    PERFORM pg_advisory_xact_lock(lock_key);
    -- A new snapshot for this statement (READ COMMITTED): the head a writer before us committed.
    SELECT entry_hash INTO head FROM cases_readlogentry ORDER BY id DESC LIMIT 1;
    head := coalesce(head, repeat('0', 64));
    FOR i IN 1 .. coalesce(array_length(contents, 1), 0) LOOP
        ids[i] := nextval(sequence);
        prevs[i] := head;
        head := encode(sha256(convert_to(head || contents[i], 'UTF8')), 'hex');
        hashes[i] := head;
    END LOOP;
    INSERT INTO cases_readlogentry (id, prev_hash, entry_hash, at, user_id, username, door, what, student_id,
                                    scope_code)
    SELECT * FROM unnest(ids, prevs, hashes, ats, user_ids, usernames, doors, whats, student_ids, scope_codes);
    RETURN coalesce(array_length(contents, 1), 0);
END
$$;
"""


def create_function(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(APPEND_SQL, params=None)


def drop_function(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS xueji_read_log_append(bigint, text[], timestamptz[], integer[], "
                              "text[], text[], text[], bigint[], text[]);", params=None)


class Migration(migrations.Migration):
    dependencies = [("cases", "0026_merge_session3_b")]

    operations = [migrations.RunPython(create_function, drop_function, elidable=False)]
