"""Index the log by subject, for an object's history (versions of a notice, an investigation).

Revision ID: 0002
Revises: 0001
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("log_by_subject", "log", ["subject_type", "subject_id", "seq"])


def downgrade() -> None:
    op.drop_index("log_by_subject", "log")
