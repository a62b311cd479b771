"""orders: any way to pay in the registry, not a list fixed in the schema

Revision ID: 0009_payment_methods
Revises: 0008_login_sessions
Create Date: 2026-12-02 08:00:00

Ways to pay are objects listed in shop/payments/registry.py; adding one must not need a
migration, so the database no longer lists their codes (the registry checks them when an order
is placed). A downgrade brings the old list back, and fails while an order names another code.
"""

from alembic import op

revision = "0009_payment_methods"
down_revision = "0008_login_sessions"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_orders_payment_method_known"), type_="check")


def downgrade():
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.create_check_constraint("payment_method_known", "payment_method IN ('cod', 'vietqr', 'stripe')")
