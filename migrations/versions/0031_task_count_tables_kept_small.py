"""The task counts' tables read as the small tables they are (PostgreSQL only)

- task_count_change is a queue: triggers append a row per change of an open step, the
  scheduler's fold deletes them every few seconds. After a burst (a bulk import, a
  reorganisation) its statistics still say "large" until autovacuum comes round, so every
  inbox's count was planned as a parallel scan of an almost empty table (at 1M tasks in
  bench/overdue.py: ~45 ms of worker start-up for 1 ms of reading, twice per inbox).
  Vacuumed and analysed after every few thousand changes, not after 20 % of the table.
- task_count, task_count_change and task_count_unit: never scanned by parallel workers
  (a few hundred rows at most, read by every inbox and supervisor's count).

Revision ID: 0031
Revises: 0030
"""

from alembic import op

revision = "0031"
down_revision = "0030"
branch_labels = None
depends_on = None

QUEUE = (
    "autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 5000, "
    "autovacuum_analyze_scale_factor = 0, autovacuum_analyze_threshold = 5000"
)
TABLES = ("task_count", "task_count_change", "task_count_unit")


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return  # SQLite plans without statistics of this kind and has no parallel scans
    for table in TABLES:
        op.execute(f"ALTER TABLE {table} SET (parallel_workers = 0)")
    op.execute(f"ALTER TABLE task_count_change SET ({QUEUE})")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in TABLES:
        op.execute(f"ALTER TABLE {table} RESET (parallel_workers)")
    op.execute(
        "ALTER TABLE task_count_change RESET (autovacuum_vacuum_scale_factor, "
        "autovacuum_vacuum_threshold, autovacuum_analyze_scale_factor, "
        "autovacuum_analyze_threshold)"
    )
