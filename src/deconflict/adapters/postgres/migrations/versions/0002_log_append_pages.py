"""Fewer random pages written per log entry: no unique index on ``hash``, and no subject index
for conflicts (as SQLite's 0005, which says why).

Revision ID: 0002
Revises: 0001
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER TABLE log DROP CONSTRAINT IF EXISTS log_hash_key")
    op.execute("DROP INDEX log_by_subject")
    op.execute(
        "CREATE INDEX log_by_subject ON log (subject_type, subject_id, seq) "
        "WHERE subject_type <> 'conflict'"
    )


def downgrade() -> None:
    op.execute("DROP INDEX log_by_subject")
    op.execute("CREATE INDEX log_by_subject ON log (subject_type, subject_id, seq)")
    op.execute("ALTER TABLE log ADD CONSTRAINT log_hash_key UNIQUE (hash)")
