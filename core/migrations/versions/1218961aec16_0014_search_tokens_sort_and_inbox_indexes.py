"""0014 search tokens, sort and inbox indexes

Customers and key people keep their search tokens (core.registry.grams), filled here for the
rows already there: a GIN index over them on PostgreSQL, an FTS5 table with triggers on SQLite.
Indexes for the owner and region sorts, and for the unread count (messages by reader, read marks
by user; the inbox, newest first per reader).

Revision ID: 1218961aec16
Revises: d58e69d44996
Create Date: 2026-12-06 01:50:00.000000
"""
from alembic import op
import sqlalchemy as sa

from core.registry import search_tables


revision = '1218961aec16'
down_revision = 'd58e69d44996'
branch_labels = None
depends_on = None


def upgrade():
    connection = op.get_bind()
    for table in search_tables.SEARCHED:
        op.add_column(table, sa.Column('search_grams', sa.Text(), server_default='', nullable=False))
        search_tables.fill_grams(connection, table)
        if connection.dialect.name == 'postgresql':
            op.execute(f"CREATE INDEX ix_{table}_search_grams ON {table} "
                       f"USING gin (string_to_array(search_grams, ' '))")
    search_tables.ensure(connection)
    op.create_index('ix_customers_owner_code', 'customers', ['owner_id', 'code', 'id'], unique=False)
    op.create_index('ix_customers_region_code', 'customers', ['region_id', 'code', 'id'], unique=False)
    op.create_index('ix_customers_code_id', 'customers', ['code', 'id'], unique=False)
    op.drop_index('ix_notifications_user_id', table_name='notifications')
    op.drop_index('ix_notifications_role_code', table_name='notifications')
    op.create_index('ix_notifications_user_inbox', 'notifications', ['user_id', 'created_at', 'id'], unique=False)
    op.create_index('ix_notifications_role_inbox', 'notifications', ['role_code', 'created_at', 'id'], unique=False)
    op.create_index('ix_notification_reads_user_id_notification_id', 'notification_reads',
                    ['user_id', 'notification_id'], unique=False)


def downgrade():
    op.drop_index('ix_notification_reads_user_id_notification_id', table_name='notification_reads')
    op.drop_index('ix_notifications_role_inbox', table_name='notifications')
    op.drop_index('ix_notifications_user_inbox', table_name='notifications')
    op.create_index('ix_notifications_role_code', 'notifications', ['role_code'], unique=False)
    op.create_index('ix_notifications_user_id', 'notifications', ['user_id'], unique=False)
    op.drop_index('ix_customers_code_id', table_name='customers')
    op.drop_index('ix_customers_region_code', table_name='customers')
    op.drop_index('ix_customers_owner_code', table_name='customers')
    connection = op.get_bind()
    search_tables.drop(connection)
    for table in search_tables.SEARCHED:
        if connection.dialect.name == 'postgresql':
            op.drop_index(f'ix_{table}_search_grams', table_name=table)
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('search_grams')
