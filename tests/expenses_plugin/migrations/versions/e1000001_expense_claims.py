"""expense claims

Revision ID: e1000001
Revises:
"""
import sqlalchemy as sa
from alembic import op

revision = "e1000001"
down_revision = None
branch_labels = ("expenses",)
depends_on = None


def upgrade():
    op.create_table(
        "expenses_claims",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("purpose", sa.String(length=200), nullable=False),
        sa.Column("amount_cents", sa.Integer(), nullable=False),
        sa.Column("applicant_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"],
                                name=op.f("fk_expenses_claims_customer_id_customers")),
        sa.ForeignKeyConstraint(["applicant_id"], ["users.id"],
                                name=op.f("fk_expenses_claims_applicant_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_expenses_claims")),
    )


def downgrade():
    op.drop_table("expenses_claims")
