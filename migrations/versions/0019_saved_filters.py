"""Saved filters of the task lists; the dossier's channel and day received on each task

- saved_filter: a name and the list's query string, unique per (user, list, name);
- human_task.channel and human_task.received_at, copied from the dossier (neither changes after
  reception) so that the inbox and the supervisor's list filter and sort on them without a join;
- partial indexes over open tasks for the lists' new filters and sorts, and four that hold
  every column the lists filter and count by (led by my tasks, a pool, a deadline state, a
  procedure), so that a count reads an index alone (bench/task_lists.py); the last replaces
  0007's ix_human_task_open_procedure, which it extends;
- dossier.owner_name indexed (the sort by owner), and on PostgreSQL with pg_trgm a trigram index
  for the search by part of a name.

Revision ID: 0019
Revises: 0018
"""

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

OPEN = sa.text("state = 'open'")
UNCLAIMED = sa.text("state = 'open' AND assignee_id IS NULL")
INDEXES = {
    "ix_human_task_open_created": ["created_at"],
    "ix_human_task_open_title": ["title"],
    "ix_human_task_open_priority": ["priority", "due_at"],
}
# the sorts by procedure, unit and officer, walked one name at a time
INDEXES |= {f"ix_human_task_open_{c}": [c, "id"] for c in ("procedure_id", "agency_id")}
INDEXES["ix_human_task_open_assignee_id"] = ["assignee_id", "id"]
# what the lists filter and count by (app/models/tasks.py `_COVER`)
COVER = ["deadline_state", "procedure_id", "element_id", "channel", "received_at", "dossier_id"]
COVER += ["state"]
# what a page of my tasks or of a pool is sorted by, read from the index alone
PAGE = ["priority", "due_at", "created_at", "title", "id"]
# the columns a list names besides the one an index is led by (channel, day received)
REST = ["deadline_state", "procedure_id", "element_id", "dossier_id", "agency_id", "assignee_id"]
REST += ["role", "priority", "state", "id"]
COVERING = {
    "ix_human_task_list_channel": ["channel", "due_at", *REST],
    "ix_human_task_list_received": ["received_at", *REST],
    "ix_human_task_list_mine": ["assignee_id", *COVER, "agency_id", *PAGE],
    "ix_human_task_list_state": [*COVER, "agency_id", "assignee_id", "role"],
    "ix_human_task_list_procedure": [
        "procedure_id",
        "element_id",
        "deadline_state",
        "channel",
        "received_at",
        "dossier_id",
        "agency_id",
        "assignee_id",
        "role",
        "state",
    ],
}


def upgrade() -> None:
    op.create_table(
        "saved_filter",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "user_id",
            sa.Integer(),
            sa.ForeignKey(
                "user_account.id", name="fk_saved_filter_user_id_user_account", ondelete="CASCADE"
            ),
            nullable=False,
        ),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("query", sa.String(1000), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_saved_filter"),
        sa.UniqueConstraint("user_id", "kind", "name", name="uq_saved_filter_name"),
    )

    with op.batch_alter_table("human_task") as batch:
        batch.add_column(sa.Column("channel", sa.String(16), nullable=True))
        batch.add_column(sa.Column("received_at", sa.DateTime(timezone=True), nullable=True))
    op.execute(
        "UPDATE human_task SET "
        "channel = (SELECT channel FROM dossier WHERE dossier.id = human_task.dossier_id), "
        "received_at = (SELECT received_at FROM dossier WHERE dossier.id = human_task.dossier_id)"
    )
    for name, columns in INDEXES.items():
        op.create_index(name, "human_task", columns, postgresql_where=OPEN, sqlite_where=OPEN)
    op.drop_index("ix_human_task_open_procedure", table_name="human_task")
    op.create_index("ix_dossier_owner_name", "dossier", ["owner_name"])
    bind = op.get_bind()
    if bind.dialect.name == "postgresql" and bind.scalar(
        sa.text("SELECT count(*) FROM pg_available_extensions WHERE name = 'pg_trgm'")
    ):
        # the search by part of an owner's name (ILIKE '%…%') read from an index, not a scan
        # of every dossier (pg_trgm is a trusted extension: the database's owner may create it)
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute(
            "CREATE INDEX ix_dossier_owner_name_trgm ON dossier USING gin (owner_name gin_trgm_ops)"
        )
    for name, columns in COVERING.items():
        op.create_index(name, "human_task", columns, postgresql_where=OPEN, sqlite_where=OPEN)
    op.create_index(
        "ix_human_task_list_pool",
        "human_task",
        ["agency_id", "role", *COVER, "assignee_id", *PAGE],
        postgresql_where=UNCLAIMED,
        sqlite_where=UNCLAIMED,
    )


def downgrade() -> None:
    op.drop_index("ix_dossier_owner_name", table_name="dossier")
    op.execute("DROP INDEX IF EXISTS ix_dossier_owner_name_trgm")
    op.drop_index("ix_human_task_list_pool", table_name="human_task")
    for name in COVERING:
        op.drop_index(name, table_name="human_task")
    op.create_index(
        "ix_human_task_open_procedure",
        "human_task",
        ["procedure_id", "element_id"],
        postgresql_where=OPEN,
        sqlite_where=OPEN,
    )
    for name in INDEXES:
        op.drop_index(name, table_name="human_task")
    with op.batch_alter_table("human_task") as batch:
        batch.drop_column("received_at")
        batch.drop_column("channel")
    op.drop_table("saved_filter")
