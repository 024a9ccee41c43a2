"""No index of objects by (type, party), as SQLite's 0006 (which says why).

Revision ID: 0003
Revises: 0002
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("objects_by_party", "objects")


def downgrade() -> None:
    op.create_index("objects_by_party", "objects", ["type", "party"])
