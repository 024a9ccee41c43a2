"""The PostgreSQL schema in one step: the append-only log, the objects it produced (with when
each next falls due), the replies kept for Idempotency-Key, and the volumes of the active
notices, declarations and measures as PostGIS geometries and range types (GiST-indexed).

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
    op.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    op.create_table(
        "log",
        sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=False),
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
    op.create_index("log_by_subject", "log", ["subject_type", "subject_id", "seq"])
    op.create_table(
        "objects",
        sa.Column("type", sa.Text, primary_key=True),
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("party", sa.Text),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("seq", sa.BigInteger, sa.ForeignKey("log.seq"), nullable=False),
        sa.Column("due", sa.Float, nullable=True),
    )
    op.create_index("objects_by_party", "objects", ["type", "party"])
    op.create_index("objects_due", "objects", ["due"], postgresql_where=sa.text("due IS NOT NULL"))
    op.create_table(
        "idempotency",
        sa.Column("member", sa.Text, primary_key=True),
        sa.Column("key", sa.Text, primary_key=True),
        sa.Column("request_sha256", sa.Text, nullable=False),
        sa.Column("status", sa.Integer, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("at", sa.Text, nullable=False),
    )
    # One row per volume of each active notice, declaration and measure; a projection of the
    # objects (rewritten with them), for spatial queries in the database.
    op.execute(
        "CREATE TABLE volumes ("
        " type text NOT NULL,"
        " id text NOT NULL,"
        " idx integer NOT NULL,"
        " geom geometry(Geometry, 4326) NOT NULL,"
        ' "window" tstzrange NOT NULL,'
        " band numrange NOT NULL,"
        " PRIMARY KEY (type, id, idx),"
        " FOREIGN KEY (type, id) REFERENCES objects (type, id))"
    )
    op.execute("CREATE INDEX volumes_geom ON volumes USING gist (geom)")
    op.execute('CREATE INDEX volumes_window ON volumes USING gist ("window")')
    op.execute("CREATE INDEX volumes_band ON volumes USING gist (band)")
    # Append-only: the store never updates, deletes or truncates a log row.
    op.execute(
        "CREATE FUNCTION log_append_only() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RAISE EXCEPTION 'the log is append-only'; END $$"
    )
    op.execute(
        "CREATE TRIGGER log_no_update_or_delete BEFORE UPDATE OR DELETE ON log "
        "FOR EACH ROW EXECUTE FUNCTION log_append_only()"
    )
    op.execute(
        "CREATE TRIGGER log_no_truncate BEFORE TRUNCATE ON log "
        "FOR EACH STATEMENT EXECUTE FUNCTION log_append_only()"
    )


def downgrade() -> None:
    op.drop_table("volumes")
    op.drop_table("idempotency")
    op.drop_table("objects")
    op.drop_table("log")
    op.execute("DROP FUNCTION log_append_only()")
