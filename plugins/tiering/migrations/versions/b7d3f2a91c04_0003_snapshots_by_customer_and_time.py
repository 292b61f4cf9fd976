"""0003 snapshots found by customer and time

Revision ID: b7d3f2a91c04
Revises: d1187af0e16d
Create Date: 2026-12-06 03:12:00.000000
"""
from alembic import op


revision = 'b7d3f2a91c04'
down_revision = 'd1187af0e16d'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('tiering_snapshots', schema=None) as batch_op:
        batch_op.create_index('ix_tiering_snapshots_customer_time', ['customer_id', 'computed_at', 'id'], unique=False)
        batch_op.drop_index('ix_tiering_snapshots_customer_id')


def downgrade():
    with op.batch_alter_table('tiering_snapshots', schema=None) as batch_op:
        batch_op.create_index('ix_tiering_snapshots_customer_id', ['customer_id'], unique=False)
        batch_op.drop_index('ix_tiering_snapshots_customer_time')
