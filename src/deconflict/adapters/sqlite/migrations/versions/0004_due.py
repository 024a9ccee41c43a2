"""When each object next needs attention (a message's deadline while it waits for an answer),
indexed, so deadline processing reads only what is due instead of every message.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("objects") as batch:
        batch.add_column(sa.Column("due", sa.Float, nullable=True))
    op.create_index("objects_due", "objects", ["due"], sqlite_where=sa.text("due IS NOT NULL"))


def downgrade() -> None:
    op.drop_index("objects_due", "objects")
    with op.batch_alter_table("objects") as batch:
        batch.drop_column("due")
