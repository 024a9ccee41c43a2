"""The append-only log and the objects it produced.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "log",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("at", sa.Text, nullable=False),
        sa.Column("actor", sa.Text, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("subject_type", sa.Text, nullable=False),
        sa.Column("subject_id", sa.Text, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("body_sha256", sa.Text, nullable=False),
        sa.Column("prev_hash", sa.Text, nullable=False),
        sa.Column("hash", sa.Text, nullable=False, unique=True),
    )
    op.create_table(
        "objects",
        sa.Column("type", sa.Text, primary_key=True),
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("party", sa.Text),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("seq", sa.Integer, sa.ForeignKey("log.seq"), nullable=False),
    )
    op.create_index("objects_by_party", "objects", ["type", "party"])
    # Append-only: the store never updates or deletes a log row.
    op.execute(
        "CREATE TRIGGER log_no_update BEFORE UPDATE ON log "
        "BEGIN SELECT RAISE(ABORT, 'the log is append-only'); END"
    )
    op.execute(
        "CREATE TRIGGER log_no_delete BEFORE DELETE ON log "
        "BEGIN SELECT RAISE(ABORT, 'the log is append-only'); END"
    )


def downgrade() -> None:
    op.drop_table("objects")
    op.drop_table("log")
