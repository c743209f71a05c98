"""The text array dumper registered on PostgreSQL connections (cms/core/postgres.py)."""

import json

import pytest
from django.db import connection
from psycopg.adapt import PyFormat, Transformer
from psycopg.types.array import ListDumper
from psycopg.types.json import Jsonb

from cms.core.postgres import TextListDumper

TRICKY = [
    'a "quoted" word', "back\\slash", '\\"', "", "NULL", "comma, brace {} and space",
    "accents é à ç", "tab\tnewline\n", None, '{"key": "va\\"lue", "list": [1, "x"]}',
]


def dumped(dumper_class, value) -> bytes:
    transformer = Transformer()
    return bytes(dumper_class(list, transformer).upgrade(value, PyFormat.TEXT).dump(value))


@pytest.mark.parametrize("value", [TRICKY, [TRICKY[:3], TRICKY[3:6]], [], [None],
                                   [Jsonb({"title": 'Le "Bal"', "path": "C:\\x"})]])
def test_same_bytes_as_psycopgs_own_dumper(value):
    assert dumped(TextListDumper, value) == dumped(ListDumper, value)


def test_quotes_and_backslashes_are_escaped_through_the_attribute_psycopg_reads():
    # Renamed in a future psycopg, the override would silently stop applying.
    assert "_re_esc" in vars(ListDumper)
    assert dumped(TextListDumper, ['a "b" \\c']) == b'{"a \\"b\\" \\\\c"}'


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL dumper")
@pytest.mark.django_db
def test_postgresql_connections_use_it_and_values_round_trip():
    connection.ensure_connection()
    adapters = connection.connection.adapters
    assert adapters.get_dumper(list, PyFormat.TEXT) is TextListDumper
    texts = [text for text in TRICKY if text is not None]
    documents = [{"title": 'Le "Bal"', "path": "C:\\x\\\"y"}, {"empty": ""}]
    with connection.cursor() as cursor:
        cursor.execute("SELECT %s::text[], %s::jsonb[]", [texts, [Jsonb(d) for d in documents]])
        stored_texts, stored_documents = cursor.fetchone()
    assert stored_texts == texts
    # No jsonb[] loader is registered: the elements come back as JSON text.
    assert [json.loads(text) for text in stored_documents] == documents
