"""The one Alembic environment shared by core and every plugin (see core/migrate.py)."""
from alembic import context

from core.db import db

config = context.config
component = config.attributes["component"]
tables = config.attributes["tables"]


def include_object(obj, name, type_, reflected, compare_to):
    if type_ == "table":
        return name in tables
    table = getattr(obj, "table", None)
    return table is None or table.name in tables


connection = config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=db.metadata,
    version_table=component.version_table,
    include_object=include_object,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
