"""Indexes for the staff work queues.

The search index is PostgreSQL's only (a GIN index on a text-search document); other
databases search without one (see ``frontdoor/staff/queues/search.py``, whose
``DOCUMENT_SQL`` must stay the expression below, so that searches use the index). It is
built CONCURRENTLY so that filing requests is not blocked while it builds on a large table.
"""

from django.conf import settings
from django.db import migrations, models

SEARCH_DOCUMENT = (
    "to_tsvector('simple'::regconfig, description || ' ' || address || ' ' || contact_name"
    " || ' ' || contact_email || ' ' || "
    "right(regexp_replace(contact_phone, '[^0-9]', '', 'g'), 10) || ' ' || "
    "right(regexp_replace(contact_phone, '[^0-9]', '', 'g'), 7))"
)


def create_search_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "CREATE INDEX CONCURRENTLY IF NOT EXISTS req_search_idx ON cases_servicerequest "
        f"USING gin ({SEARCH_DOCUMENT})"
    )
    # Statistics on the indexed expression let the planner tell a rare word (use the index)
    # from a common one (walk the requests in list order and stop at a page).
    schema_editor.execute("ANALYZE cases_servicerequest")


def drop_search_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX CONCURRENTLY IF EXISTS req_search_idx")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("cases", "0007_contact_lookup_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="event",
            index=models.Index(
                condition=models.Q(("action", "request.message_received")),
                fields=["created_at"],
                name="event_message_received_idx",
            ),
        ),
        migrations.RunPython(create_search_index, drop_search_index, elidable=False),
    ]
