"""login sessions, refund status and review, checkout details on the cart, limit indexes

Revision ID: 0008_login_sessions
Revises: 0007_catalog_version
Create Date: 2026-12-02 02:05:46

"""

import sqlalchemy as sa
from alembic import op

revision = "0008_login_sessions"
down_revision = "0007_catalog_version"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "login_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("remember", sa.Boolean(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_login_sessions_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_login_sessions_token_hash")),
    )
    with op.batch_alter_table("login_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_login_sessions_user_id"), ["user_id"], unique=False)

    with op.batch_alter_table("carts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("checkout_details", sa.JSON(), nullable=True))

    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.add_column(sa.Column("refund_status", sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column("review_reason", sa.String(length=200), nullable=True))
        batch_op.create_check_constraint(
            "refund_status_known", "refund_status IS NULL OR refund_status IN ('due', 'sent')"
        )
        batch_op.create_index("ix_orders_email_created", ["email", "created_at"], unique=False)
        batch_op.create_index("ix_orders_phone_created", ["phone", "created_at"], unique=False)
    # "Refund due" was derived from the state before (paid, then cancelled); it is now this flag.
    op.execute("UPDATE orders SET refund_status = 'due' WHERE status = 'cancelled' AND paid_at IS NOT NULL")
    op.execute("UPDATE orders SET refund_status = 'sent' WHERE status = 'refunded'")

    with op.batch_alter_table("outbound_mail", schema=None) as batch_op:
        batch_op.create_index("ix_outbound_mail_to_created", ["to_addr", "created_at"], unique=False)


def downgrade():
    with op.batch_alter_table("outbound_mail", schema=None) as batch_op:
        batch_op.drop_index("ix_outbound_mail_to_created")

    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_index("ix_orders_phone_created")
        batch_op.drop_index("ix_orders_email_created")
        batch_op.drop_constraint("refund_status_known", type_="check")
        batch_op.drop_column("review_reason")
        batch_op.drop_column("refund_status")

    with op.batch_alter_table("carts", schema=None) as batch_op:
        batch_op.drop_column("checkout_details")

    with op.batch_alter_table("login_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_login_sessions_user_id"))

    op.drop_table("login_sessions")
