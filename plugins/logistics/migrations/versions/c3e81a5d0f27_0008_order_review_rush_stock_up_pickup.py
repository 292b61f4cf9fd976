"""0008 order review, rush reasons, stock-up per line, delayed pick-ups

Revision ID: c3e81a5d0f27
Revises: 27d8fd97d3b5
Create Date: 2026-12-06 01:45:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = 'c3e81a5d0f27'
down_revision = '27d8fd97d3b5'
branch_labels = None
depends_on = None

WAITING_PICKUP = "state IN ('paid', 'products_confirmed', 'invoiced')"


def upgrade():
    with op.batch_alter_table('logistics_orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rush_reason', sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column('rush_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('ready_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('pickup_reminded_at', sa.DateTime(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_logistics_orders_rush_by_id_users'), 'users', ['rush_by_id'], ['id'])
        batch_op.create_index('ix_logistics_orders_waiting_pickup', ['ready_at'], unique=False,
                              postgresql_where=sa.text(WAITING_PICKUP), sqlite_where=sa.text(WAITING_PICKUP))

    with op.batch_alter_table('logistics_order_lines', schema=None) as batch_op:
        batch_op.add_column(sa.Column('produced_bags', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('ready_bags', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('logistics_order_lines', schema=None) as batch_op:
        batch_op.drop_column('ready_bags')
        batch_op.drop_column('produced_bags')

    with op.batch_alter_table('logistics_orders', schema=None) as batch_op:
        batch_op.drop_index('ix_logistics_orders_waiting_pickup', postgresql_where=sa.text(WAITING_PICKUP),
                            sqlite_where=sa.text(WAITING_PICKUP))
        batch_op.drop_constraint(batch_op.f('fk_logistics_orders_rush_by_id_users'), type_='foreignkey')
        batch_op.drop_column('pickup_reminded_at')
        batch_op.drop_column('ready_at')
        batch_op.drop_column('rush_by_id')
        batch_op.drop_column('rush_reason')
