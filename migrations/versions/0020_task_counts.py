"""Open tasks counted per list key by the database (app/models/task_counts.py)

- task_count: open tasks per (agency, role, claimed, procedure, step, channel, deadline state);
- task_count_change: +1 / -1 rows appended by triggers on human_task whenever an open task
  appears, goes or changes one of those columns (no shared row is updated, so writers never
  wait on each other); the scheduler folds them into task_count;
- task_count_unit: the same per (agency, claimed, procedure, channel, deadline state), folded from
  the same changes, for a supervisor's list whose filters need no role or step;
- all filled from the tasks open now;
- human_task.dossier_code and human_task.owner_name, copied from the dossier (and kept in step
  by a trigger should either ever change), so that the lists sort by them without a join;
- partial indexes over open tasks: escalated steps alone with every column a list filters by
  (the default order's first segment), and the sorts by step, code and owner ended by the task
  id (the tie-break), so that a page is a walk that stops;
- on SQLite, an FTS5 trigram index of the dossiers' owner names (the search by part of a
  name; pg_trgm serves it on PostgreSQL, migration 0019).

Revision ID: 0020
Revises: 0019
"""

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

KEY = ["agency_id", "role", "claimed", "procedure_id", "element_id", "channel", "deadline_state"]
TRACKED = ["state", "agency_id", "role", "assignee_id", "procedure_id", "element_id", "channel"]
TRACKED += ["deadline_state"]


def _key_columns(primary: bool) -> list[sa.Column]:
    types = {
        "agency_id": sa.Integer(),
        "role": sa.String(16),
        "claimed": sa.SmallInteger(),
        "procedure_id": sa.Integer(),
        "element_id": sa.String(128),
        "channel": sa.String(16),
        "deadline_state": sa.String(16),
    }
    return [sa.Column(name, types[name], nullable=False, primary_key=primary) for name in KEY]


def _values(row: str, claimed: str) -> str:
    """The key of `row` (NEW or OLD) as SQL values, NULLs as 0 / ''."""
    return (
        f"{row}.agency_id, {row}.role, {claimed}, coalesce({row}.procedure_id, 0), "
        f"{row}.element_id, coalesce({row}.channel, ''), {row}.deadline_state"
    )


COLUMNS = ", ".join([*KEY, "n"])


OPEN = sa.text("state = 'open'")
ESCALATED = sa.text("state = 'open' AND priority > 0")
# what a list filters by besides its scope (app/models/tasks.py `_REST`)
REST = ["deadline_state", "procedure_id", "element_id", "dossier_id", "agency_id", "assignee_id"]
REST += ["role", "channel", "received_at", "state", "id"]
SORTS = {
    "ix_human_task_open_title": ["title", "id"],
    "ix_human_task_open_code": ["dossier_code", "id"],
    "ix_human_task_open_owner": ["owner_name", "id"],
}


def upgrade() -> None:
    _copied_columns()
    _name_search()
    op.create_table("task_count", *_key_columns(True), sa.Column("n", sa.Integer(), nullable=False))
    op.create_table(
        "task_count_change",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        *_key_columns(False),
        sa.Column("n", sa.Integer(), nullable=False),
    )
    op.create_index("ix_task_count_procedure", "task_count", ["procedure_id", "element_id"])
    unit_types = {
        "agency_id": sa.Integer(),
        "claimed": sa.SmallInteger(),
        "procedure_id": sa.Integer(),
        "channel": sa.String(16),
        "deadline_state": sa.String(16),
    }
    op.create_table(
        "task_count_unit",
        *(sa.Column(n, t, nullable=False, primary_key=True) for n, t in unit_types.items()),
        sa.Column("n", sa.Integer(), nullable=False),
    )
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        _postgres_triggers()
    else:
        _sqlite_triggers()
    claimed = "CASE WHEN assignee_id IS NULL THEN 0 ELSE 1 END"
    op.execute(
        f"INSERT INTO task_count ({COLUMNS}) "  # nosec B608
        f"SELECT agency_id, role, {claimed}, coalesce(procedure_id, 0), element_id, "
        "coalesce(channel, ''), deadline_state, count(*) FROM human_task WHERE state = 'open' "
        f"GROUP BY agency_id, role, {claimed}, coalesce(procedure_id, 0), element_id, "
        "coalesce(channel, ''), deadline_state"
    )
    op.execute(
        "INSERT INTO task_count_unit "
        "(agency_id, claimed, procedure_id, channel, deadline_state, n) "
        "SELECT agency_id, claimed, procedure_id, channel, deadline_state, sum(n) FROM task_count "
        "GROUP BY agency_id, claimed, procedure_id, channel, deadline_state"
    )


def _copied_columns() -> None:
    with op.batch_alter_table("human_task") as batch:
        batch.add_column(sa.Column("dossier_code", sa.String(64), nullable=True))
        batch.add_column(sa.Column("owner_name", sa.String(255), nullable=True))
    op.execute(
        "UPDATE human_task SET "
        "dossier_code = (SELECT code FROM dossier WHERE dossier.id = human_task.dossier_id), "
        "owner_name = (SELECT owner_name FROM dossier WHERE dossier.id = human_task.dossier_id)"
    )
    op.drop_index("ix_human_task_open_priority", table_name="human_task")
    op.drop_index("ix_human_task_open_title", table_name="human_task")
    op.create_index(
        "ix_human_task_open_escalated",
        "human_task",
        ["priority", "due_at", *REST],
        postgresql_where=ESCALATED,
        sqlite_where=ESCALATED,
    )
    for name, columns in SORTS.items():
        op.create_index(name, "human_task", columns, postgresql_where=OPEN, sqlite_where=OPEN)
    _widen_scopes(["dossier_code", "owner_name"])
    copy = "UPDATE human_task SET dossier_code = NEW.code, owner_name = NEW.owner_name "
    copy += "WHERE dossier_id = NEW.id"
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION dossier_names_changed() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN {copy}; RETURN NULL; END $$"
        )
        op.execute(
            "CREATE TRIGGER tr_dossier_names AFTER UPDATE OF code, owner_name ON dossier "
            "FOR EACH ROW WHEN ((OLD.code, OLD.owner_name) IS DISTINCT FROM "
            "(NEW.code, NEW.owner_name)) EXECUTE FUNCTION dossier_names_changed()"
        )
    else:
        op.execute(
            "CREATE TRIGGER tr_dossier_names AFTER UPDATE OF code, owner_name ON dossier "
            f"BEGIN {copy}; END"
        )


# 0019's indexes of my tasks and of a pool: a page of either sorted from the index alone
COVER = ["deadline_state", "procedure_id", "element_id", "channel", "received_at", "dossier_id"]
COVER += ["state"]
PAGE = ["priority", "due_at", "created_at", "title", "id"]
UNCLAIMED = sa.text("state = 'open' AND assignee_id IS NULL")


def _widen_scopes(extra: list[str]) -> None:
    """Recreate my tasks' and a pool's indexes with `extra` at the end of their page columns."""
    op.drop_index("ix_human_task_list_mine", table_name="human_task")
    op.drop_index("ix_human_task_list_pool", table_name="human_task")
    op.create_index(
        "ix_human_task_list_mine",
        "human_task",
        ["assignee_id", *COVER, "agency_id", *PAGE, *extra],
        postgresql_where=OPEN,
        sqlite_where=OPEN,
    )
    op.create_index(
        "ix_human_task_list_pool",
        "human_task",
        ["agency_id", "role", *COVER, "assignee_id", *PAGE, *extra],
        postgresql_where=UNCLAIMED,
        sqlite_where=UNCLAIMED,
    )


def _name_search() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    # external content: the index holds trigrams only; the names stay in `dossier`
    op.execute(
        "CREATE VIRTUAL TABLE dossier_name USING fts5(owner_name, content='dossier', "
        "content_rowid='id', tokenize='trigram')"
    )
    op.execute("INSERT INTO dossier_name(dossier_name) VALUES ('rebuild')")
    old = "INSERT INTO dossier_name(dossier_name, rowid, owner_name) "
    old += "VALUES ('delete', OLD.id, OLD.owner_name);"
    new = "INSERT INTO dossier_name(rowid, owner_name) VALUES (NEW.id, NEW.owner_name);"
    op.execute(f"CREATE TRIGGER tr_dossier_name_insert AFTER INSERT ON dossier BEGIN {new} END")
    op.execute(f"CREATE TRIGGER tr_dossier_name_delete AFTER DELETE ON dossier BEGIN {old} END")
    op.execute(
        "CREATE TRIGGER tr_dossier_name_update AFTER UPDATE OF owner_name ON dossier "
        f"BEGIN {old} {new} END"
    )


def _sqlite_triggers() -> None:
    new, old = (
        _values(r, f"CASE WHEN {r}.assignee_id IS NULL THEN 0 ELSE 1 END") for r in ("NEW", "OLD")
    )
    changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in TRACKED)
    op.execute(
        "CREATE TRIGGER tr_task_count_insert AFTER INSERT ON human_task "  # nosec B608
        "WHEN NEW.state = 'open' BEGIN "
        f"INSERT INTO task_count_change ({COLUMNS}) VALUES ({new}, 1); END"
    )
    op.execute(
        "CREATE TRIGGER tr_task_count_delete AFTER DELETE ON human_task "  # nosec B608
        "WHEN OLD.state = 'open' BEGIN "
        f"INSERT INTO task_count_change ({COLUMNS}) VALUES ({old}, -1); END"
    )
    op.execute(
        f"CREATE TRIGGER tr_task_count_update AFTER UPDATE OF {', '.join(TRACKED)} ON human_task "
        f"WHEN (OLD.state = 'open' OR NEW.state = 'open') AND ({changed}) BEGIN "
        f"INSERT INTO task_count_change ({COLUMNS}) SELECT {old}, -1 WHERE OLD.state = 'open'; "
        f"INSERT INTO task_count_change ({COLUMNS}) SELECT {new}, 1 WHERE NEW.state = 'open'; "
        "END"
    )


def _postgres_triggers() -> None:
    new, old = (
        _values(r, f"CASE WHEN {r}.assignee_id IS NULL THEN 0 ELSE 1 END") for r in ("NEW", "OLD")
    )
    op.execute(
        "CREATE FUNCTION task_count_changed() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "  # nosec B608
        "IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.state = 'open' THEN "
        f"INSERT INTO task_count_change ({COLUMNS}) VALUES ({old}, -1); END IF; "
        "IF TG_OP IN ('UPDATE', 'INSERT') AND NEW.state = 'open' THEN "
        f"INSERT INTO task_count_change ({COLUMNS}) VALUES ({new}, 1); END IF; "
        "RETURN NULL; END $$"
    )
    old_row = ", ".join(f"OLD.{c}" for c in TRACKED)
    new_row = ", ".join(f"NEW.{c}" for c in TRACKED)
    op.execute(
        "CREATE TRIGGER tr_task_count_write AFTER INSERT OR DELETE ON human_task "
        "FOR EACH ROW EXECUTE FUNCTION task_count_changed()"
    )
    op.execute(
        f"CREATE TRIGGER tr_task_count_update AFTER UPDATE OF {', '.join(TRACKED)} ON human_task "
        f"FOR EACH ROW WHEN (({old_row}) IS DISTINCT FROM ({new_row}) "
        "AND (OLD.state = 'open' OR NEW.state = 'open')) "
        "EXECUTE FUNCTION task_count_changed()"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS tr_task_count_update ON human_task")
        op.execute("DROP TRIGGER IF EXISTS tr_task_count_write ON human_task")
        op.execute("DROP FUNCTION IF EXISTS task_count_changed()")
        op.execute("DROP TRIGGER IF EXISTS tr_dossier_names ON dossier")
        op.execute("DROP FUNCTION IF EXISTS dossier_names_changed()")
    else:
        for name in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS tr_task_count_{name}")
            op.execute(f"DROP TRIGGER IF EXISTS tr_dossier_name_{name}")
        op.execute("DROP TRIGGER IF EXISTS tr_dossier_names")
        op.execute("DROP TABLE IF EXISTS dossier_name")
    op.drop_table("task_count_unit")
    op.drop_table("task_count_change")
    op.drop_index("ix_task_count_procedure", table_name="task_count")
    op.drop_table("task_count")
    for name in [*SORTS, "ix_human_task_open_escalated"]:
        op.drop_index(name, table_name="human_task")
    op.create_index(
        "ix_human_task_open_title",
        "human_task",
        ["title"],
        postgresql_where=OPEN,
        sqlite_where=OPEN,
    )
    op.create_index(
        "ix_human_task_open_priority",
        "human_task",
        ["priority", "due_at"],
        postgresql_where=OPEN,
        sqlite_where=OPEN,
    )
    _widen_scopes([])
    with op.batch_alter_table("human_task") as batch:
        batch.drop_column("owner_name")
        batch.drop_column("dossier_code")
