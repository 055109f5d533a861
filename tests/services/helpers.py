"""Shared steps for service tests: deploy a test model, move a dossier along the counter path."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import select

from app.models import Document, Dossier, HumanTask, Notification, OutboxMessage, Procedure, User
from app.services.core.actors import Actor
from app.services.core.outbox import claim
from app.services.dossiers import local_operators, service_calls, tasks
from app.services.dossiers.reception import ReceiveDossier, receive_dossier
from app.services.process_models.deploy import deploy, read_bundle
from app.storage.db import db

MODELS = Path(__file__).parent / "models"


def receive(actor: Actor, **extra) -> str:
    return receive_dossier(
        ReceiveDossier("2.000488", "cccd", "001090012345", "Nguyễn Văn An", extra=extra), actor
    )


def open_task(code: str, element_id: str) -> HumanTask | None:
    with db.transaction() as session:
        return session.scalar(
            select(HumanTask)
            .join(HumanTask.dossier)
            .where(HumanTask.state == "open", HumanTask.element_id == element_id)
            .where(HumanTask.dossier.has(code=code))
        )


def complete(code: str, element_id: str, actor: Actor, data: dict) -> None:
    """Complete the open step, then make the calls the worker makes itself right after it
    (the e-result's issuing after an approval: `run_deferred`)."""
    task = open_task(code, element_id)
    assert task is not None, f"no open {element_id} task for {code}"
    tasks.complete_task(task.id, actor, data)
    run_deferred()


def run_deferred() -> list[str]:
    """Run the pending calls of deferred local operators (the e-result's rendering and
    signatures, which the worker takes off the approval's request), as the worker would."""
    with db.transaction() as session:
        ids = session.scalars(
            select(OutboxMessage.id)
            .where(
                OutboxMessage.operator.in_(local_operators.DEFERRED),
                OutboxMessage.state == "pending",
            )
            .order_by(OutboxMessage.id)
        ).all()
    return [service_calls.run_deferred_call(claim(i).id) for i in ids]


# What the portal answers for the citizen `receive` uses (the simulator's first demo account).
PORTAL_ACCOUNT = {
    "id": "VN-000001",
    "identifier_type": "cccd",
    "identifier": "001090012345",
    "full_name": "Nguyễn Văn An",
    "gender": "Nam",
    "birth_date": "1990-05-12",
    "permanent_address": "Số 12 Hàng Bài, Phường Hoàn Kiếm, Hà Nội",
    "phone": "0912345678",
}


def deliver(operator: str, result: dict) -> list[str]:
    """Hand `result` back for every pending call of `operator`, as the worker would; an
    account check that says "exists" without the account gets the demo citizen's."""
    if operator == "portal.check_account" and result.get("exists") and not result.get("account"):
        result = {**result, "account": PORTAL_ACCOUNT}
    with db.transaction() as session:
        ids = session.scalars(
            select(OutboxMessage.id)
            .where(OutboxMessage.operator == operator, OutboxMessage.state == "pending")
            .order_by(OutboxMessage.id)
        ).all()
    return [service_calls.complete_service_call(claim(i).id, result) for i in ids]


def use_test_model(process_id: str, procedure_code: str = "2.000488") -> None:
    """Point the demo procedure at a model from tests/services/models."""
    with db.transaction() as session:
        version = deploy(
            session,
            read_bundle(MODELS / process_id),
            process_id=process_id,
            name=process_id,
            deployed_by="test",
        )
        procedure = session.scalar(select(Procedure).where(Procedure.code == procedure_code))
        procedure.model_version_id = version.id


def notices_of(username: str) -> list[str]:
    """The notification messages an officer has received, oldest first."""
    with db.transaction() as session:
        user_id = session.scalar(select(User.id).where(User.username == username))
        return list(
            session.scalars(
                select(Notification.message)
                .where(Notification.user_id == user_id)
                .order_by(Notification.id)
            )
        )


def settle(
    drain: Callable[[], int], clock: Any, until: Callable[[], object], rounds: int = 60
) -> object:
    """Run the worker and the scheduler (the `drain` fixture, in this process) until `until()`
    answers true, letting one second pass on the frozen `clock` between rounds so that retries
    fall due after their backoff: every call is made here, so nothing waits in real time."""
    clock.freeze()
    for _ in range(rounds):
        drain()
        if answer := until():
            return answer
        clock.advance(1)
    raise AssertionError(f"the outbox did not settle in {rounds} rounds of the worker")


def results_of(code: str) -> list[Document]:
    """The dossier's result documents (detached)."""
    with db.transaction() as session:
        rows = session.scalars(
            select(Document)
            .join(Dossier, Dossier.id == Document.dossier_id)
            .where(Document.source == "result", Dossier.code == code)
        ).all()
        session.expunge_all()
        return list(rows)
