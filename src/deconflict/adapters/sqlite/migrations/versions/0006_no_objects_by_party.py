"""No index of objects by (type, party): no query reads by it, and every object written
updated it — a page more in the write-ahead log at each commit (18 frames for a notice
committed alone instead of 22: benchmarks/commit_pages.py on the benchmark's store).

Revision ID: 0006
Revises: 0005
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("objects_by_party", "objects")


def downgrade() -> None:
    op.create_index("objects_by_party", "objects", ["type", "party"])
