"""Fewer random pages written per log entry: no unique index on ``hash``, and no subject index
for conflicts.

Every entry wrote a leaf page at a random place in two indexes: the one behind ``UNIQUE (hash)``
(a hash is random by design) and ``log_by_subject`` for a conflict (its id is a digest). Each
such page is copied whole into the write-ahead log at every commit, so a notice with many
conflicts paid several pages for each. The hash needs no index: it is unique because the chain
says so (each entry's hash covers the previous one's), and nothing looks an entry up by it. An
object's history is read for lines and notices, never for a conflict, so the subject index
leaves conflicts out (``SqlTransaction.history`` names the same condition so the index serves).

SQLite cannot drop a table constraint: the log is copied into a table without it, once (the
append-only triggers are made again on the copy).

Revision ID: 0005
Revises: 0004
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_COLUMNS = "seq, at, actor, kind, subject_type, subject_id, body, body_sha256, prev_hash, hash"
_TRIGGERS = (
    "CREATE TRIGGER log_no_update BEFORE UPDATE ON log "
    "BEGIN SELECT RAISE(ABORT, 'the log is append-only'); END",
    "CREATE TRIGGER log_no_delete BEFORE DELETE ON log "
    "BEGIN SELECT RAISE(ABORT, 'the log is append-only'); END",
)


def upgrade() -> None:
    # Run with foreign keys off (SqliteStore._migrate): objects.seq names ``log``, which the
    # copy becomes; the references are checked once the migration has run.
    op.execute(
        "CREATE TABLE log_copy (seq INTEGER NOT NULL PRIMARY KEY, at TEXT NOT NULL, "
        "actor TEXT NOT NULL, kind TEXT NOT NULL, subject_type TEXT NOT NULL, "
        "subject_id TEXT NOT NULL, body TEXT NOT NULL, body_sha256 TEXT NOT NULL, "
        "prev_hash TEXT NOT NULL, hash TEXT NOT NULL)"
    )
    op.execute(f"INSERT INTO log_copy ({_COLUMNS}) SELECT {_COLUMNS} FROM log ORDER BY seq")
    op.execute("DROP TABLE log")  # its indexes and triggers go with it
    op.execute("ALTER TABLE log_copy RENAME TO log")
    for trigger in _TRIGGERS:
        op.execute(trigger)
    op.execute(
        "CREATE INDEX log_by_subject ON log (subject_type, subject_id, seq) "
        "WHERE subject_type <> 'conflict'"
    )


def downgrade() -> None:
    op.execute("DROP INDEX log_by_subject")
    op.execute("CREATE INDEX log_by_subject ON log (subject_type, subject_id, seq)")
    op.execute("CREATE UNIQUE INDEX log_hash ON log (hash)")
