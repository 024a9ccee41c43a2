"""An object's row names the log entry that holds its current state instead of holding a copy
of it, as SQLite's 0007 (which says why): ``objects`` loses ``body`` and ``party``. Here the
foreign key on ``seq`` was always enforced, so no row can name a missing entry.

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
    op.drop_column("objects", "body")
    op.drop_column("objects", "party")


def downgrade() -> None:
    op.add_column("objects", sa.Column("party", sa.Text))
    op.add_column("objects", sa.Column("body", sa.Text, nullable=False, server_default=""))
    op.execute(
        "UPDATE objects SET body = log.body, party = log.body::jsonb ->> 'party' "
        "FROM log WHERE log.seq = objects.seq"
    )
    op.alter_column("objects", "body", server_default=None)
