"""The read log's server function takes its rows as one JSON document (cases/chain.py, ``append``).

0027 took nine arrays: psycopg quotes a text array element by element in Python (a regular
expression per element), which cost more than the function itself (~2 ms of ~4 ms for a page of
50 students). One JSON text is written by the C encoder and parsed by the server. Each element
is ``[content, at, user_id, username, door, what, student_id, scope_code]``; ``content`` is the
row's canonical JSON serialised by Python (``chain.content_json``), which the hash covers: the
server only locks the chain, reads its head and hashes head + content in order, as before."""

from django.db import migrations

APPEND_JSON_SQL = """
CREATE OR REPLACE FUNCTION xueji_read_log_append(lock_key bigint, entries jsonb) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    head text;
    sequence regclass := pg_get_serial_sequence('cases_readlogentry', 'id')::regclass;
    n integer := jsonb_array_length(entries);
    ids bigint[];
    prevs text[];
    hashes text[];
BEGIN
    -- Held to the end of the transaction: id order stays chain order (as chain.link in Python).
    PERFORM pg_advisory_xact_lock(lock_key);
    -- A new snapshot for this statement (READ COMMITTED): the head a writer before us committed.
    SELECT entry_hash INTO head FROM cases_readlogentry ORDER BY id DESC LIMIT 1;
    head := coalesce(head, repeat('0', 64));
    FOR i IN 1 .. n LOOP
        ids[i] := nextval(sequence);
        prevs[i] := head;
        head := encode(sha256(convert_to(head || (entries -> (i - 1) ->> 0), 'UTF8')), 'hex');
        hashes[i] := head;
    END LOOP;
    INSERT INTO cases_readlogentry (id, prev_hash, entry_hash, at, user_id, username, door, what, student_id,
                                    scope_code)
    SELECT ids[i], prevs[i], hashes[i], (e ->> 1)::timestamptz, (e ->> 2)::integer, e ->> 3, e ->> 4, e ->> 5,
           (e ->> 6)::bigint, e ->> 7
    FROM jsonb_array_elements(entries) WITH ORDINALITY AS t(e, i);
    RETURN n;
END
$$;
"""
DROP_ARRAYS_SQL = ("DROP FUNCTION IF EXISTS xueji_read_log_append(bigint, text[], timestamptz[], integer[], text[], "
                   "text[], text[], bigint[], text[]);")


def to_json(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_ARRAYS_SQL, params=None)
        schema_editor.execute(APPEND_JSON_SQL, params=None)


def to_arrays(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        from importlib import import_module

        previous = import_module("cases.migrations.0027_read_log_append_on_server")
        schema_editor.execute("DROP FUNCTION IF EXISTS xueji_read_log_append(bigint, jsonb);", params=None)
        schema_editor.execute(previous.APPEND_SQL, params=None)


class Migration(migrations.Migration):
    dependencies = [("cases", "0027_read_log_append_on_server")]

    operations = [migrations.RunPython(to_json, to_arrays, elidable=False)]
