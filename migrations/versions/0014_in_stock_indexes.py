"""catalog: partial indexes of the packs that are sold out and of the products without a price

Revision ID: 0014_in_stock_indexes
Revises: 0013_search_words_index
Create Date: 2026-12-03 14:40:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0014_in_stock_indexes"
down_revision = "0013_search_words_index"
branch_labels = None
depends_on = None

# The listing's "in stock only" read every pack to find the ones with stock (2–3 ms over 10,000
# products on PostgreSQL); the few products that are not in stock, from these two, answer the
# same question: those with a sold-out pack and those without a price (without packs).
SOLD_OUT = sa.text("on_hand <= reserved")
NO_PRICE = sa.text("price_from_vnd IS NULL")


def upgrade():
    op.create_index(
        "ix_variants_sold_out", "variants", ["product_id"], postgresql_where=SOLD_OUT, sqlite_where=SOLD_OUT
    )
    op.create_index("ix_products_no_price", "products", ["id"], postgresql_where=NO_PRICE, sqlite_where=NO_PRICE)


def downgrade():
    op.drop_index("ix_products_no_price", table_name="products")
    op.drop_index("ix_variants_sold_out", table_name="variants")
