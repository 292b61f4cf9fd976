"""sample notes

Revision ID: 5a3b0001
Revises:
"""
import sqlalchemy as sa
from alembic import op

revision = "5a3b0001"
down_revision = None
branch_labels = ("sampleplug",)
depends_on = None


def upgrade():
    op.create_table(
        "sampleplug_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"],
                                name=op.f("fk_sampleplug_notes_customer_id_customers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sampleplug_notes")),
    )


def downgrade():
    op.drop_table("sampleplug_notes")
