"""The audit log without foreign keys; the unused (state, due_soon_at) index dropped

The audit log is append-only history: its rows must not slow the work they record (every
foreign key is a lookup per row: a sweep pass moving 10,000 steps wrote 20,000 of them), nor be
tied to the lifetime of the rows they mention. `ix_human_task_due_soon` is read by no query
since the partial indexes of 0007; each update of a step paid for it.

Revision ID: 0017
Revises: 0016
"""


from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

FOREIGN_KEYS = (
    ("fk_audit_event_actor_id_user_account", "actor_id", "user_account"),
    ("fk_audit_event_dossier_id_dossier", "dossier_id", "dossier"),
    ("fk_audit_event_instance_id_process_instance", "instance_id", "process_instance"),
)


def _append_only_again() -> None:
    """SQLite alters a table by copying it, which drops its triggers: put back the ones that
    keep the audit log append-only (0001). PostgreSQL alters in place and keeps its trigger."""
    if op.get_bind().dialect.name == "sqlite":
        for action in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER IF NOT EXISTS audit_event_no_{action.lower()} BEFORE {action} "
                "ON audit_event BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END"
            )


def upgrade() -> None:
    with op.batch_alter_table("audit_event") as batch:
        for name, _, _ in FOREIGN_KEYS:
            batch.drop_constraint(name, type_="foreignkey")
    _append_only_again()
    op.drop_index("ix_human_task_due_soon", table_name="human_task")


def downgrade() -> None:
    op.create_index("ix_human_task_due_soon", "human_task", ["state", "due_soon_at"])
    with op.batch_alter_table("audit_event") as batch:
        for name, column, table in FOREIGN_KEYS:
            batch.create_foreign_key(name, table, [column], ["id"])
    _append_only_again()

