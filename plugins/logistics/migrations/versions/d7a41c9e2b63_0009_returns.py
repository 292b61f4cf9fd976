"""0009 returns (退货单) and their lines

Revision ID: d7a41c9e2b63
Revises: c3e81a5d0f27
Create Date: 2026-12-06 03:00:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = 'd7a41c9e2b63'
down_revision = 'c3e81a5d0f27'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('logistics_returns',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=32), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('complaint_ref', sa.String(length=40), nullable=False),
    sa.Column('reason', sa.String(length=300), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('received_at', sa.DateTime(), nullable=True),
    sa.Column('received_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_logistics_returns_customer_id_customers')),
    sa.ForeignKeyConstraint(['order_id'], ['logistics_orders.id'], name=op.f('fk_logistics_returns_order_id_logistics_orders')),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_logistics_returns_created_by_users')),
    sa.ForeignKeyConstraint(['received_by'], ['users.id'], name=op.f('fk_logistics_returns_received_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_logistics_returns')),
    sa.UniqueConstraint('number', name=op.f('uq_logistics_returns_number'))
    )
    with op.batch_alter_table('logistics_returns', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_logistics_returns_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_logistics_returns_order_id'), ['order_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_logistics_returns_complaint_ref'), ['complaint_ref'], unique=False)

    op.create_table('logistics_return_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('return_id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('bags', sa.Integer(), nullable=False),
    sa.Column('kg', sa.Integer(), nullable=False),
    sa.Column('received_bags', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['return_id'], ['logistics_returns.id'], name=op.f('fk_logistics_return_lines_return_id_logistics_returns'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['product_id'], ['logistics_products.id'], name=op.f('fk_logistics_return_lines_product_id_logistics_products')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_logistics_return_lines'))
    )
    with op.batch_alter_table('logistics_return_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_logistics_return_lines_return_id'), ['return_id'], unique=False)


def downgrade():
    op.drop_table('logistics_return_lines')
    op.drop_table('logistics_returns')
