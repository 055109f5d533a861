"""The officer's inbox (hộp công việc): my open tasks and my roles' pool, searched, filtered
and sorted as `task_search` reads it, with the count of each choice within the officer's scope."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import or_

from app.models import HumanTask
from app.services.core.actors import Actor
from app.services.dossiers import task_counts, task_pages, task_search
from app.services.dossiers.queries import COUNT_CAP, TaskRow, load_rows
from app.services.dossiers.task_search import Choice, Scope, TaskQuery
from app.storage.db import db

INBOX_SIZE = 50
# the partial indexes holding my open tasks and a pool's (app/models/tasks.py)
MINE_INDEX = "ix_human_task_list_mine"
POOL_INDEX = "ix_human_task_list_pool"


@dataclass(frozen=True)
class Inbox:
    mine: list[TaskRow]
    pool: list[TaskRow]
    mine_total: int
    pool_total: int
    query: TaskQuery = field(default_factory=TaskQuery)
    states: list[Choice] = field(default_factory=list)
    procedures: list[Choice] = field(default_factory=list)
    steps: list[Choice] = field(default_factory=list)
    agencies: list[Choice] = field(default_factory=list)


def scopes(actor: Actor) -> tuple[list[Any], list[Any] | None]:
    """The conditions of my open tasks, and of my roles' unclaimed ones (None without roles)."""
    mine = [task_search.IS_OPEN, HumanTask.assignee_id == actor.id]
    roles_by_agency: dict[int, set[str]] = {}
    for role, agency in actor.roles:
        roles_by_agency.setdefault(agency, set()).add(role)
    if not roles_by_agency:
        return mine, None
    # one condition per agency (agency and roles), so that the pool index serves it
    pools = [
        (HumanTask.agency_id == agency) & HumanTask.role.in_(sorted(roles))
        for agency, roles in sorted(roles_by_agency.items())
    ]
    return mine, [task_search.IS_OPEN, HumanTask.assignee_id.is_(None), or_(*pools)]


def inbox(
    actor: Actor, query: TaskQuery | None = None, pool_page: int = 1, mine_page: int = 1
) -> Inbox:
    """My open tasks and the unclaimed ones of my roles in my agencies, a page of each with
    their totals; nearest due first unless `query` sorts otherwise."""
    query = task_search.check(query or TaskQuery())
    mine_scope, _ = scopes(actor)
    # counted one pool (agency) at a time: each is then a seek in the pools' index, where the
    # pools' OR together would have the planner walk every unclaimed task
    pools = _pools(actor)
    agency_ids = {a for _, a in actor.roles}
    with db.transaction() as session:
        f = task_search.filters(session, query)
        counted = task_counts.counts(
            session,
            [Scope(mine_scope, index=MINE_INDEX), *pools],
            query,
            f,
            task_search.all_procedures(session),
        )
        pool_total = min(sum(counted.totals[1:]), COUNT_CAP + 1)
        mine_offset = (max(mine_page, 1) - 1) * INBOX_SIZE
        mine_ids = task_pages.narrow_page_ids(
            session,
            [([*mine_scope, *f.where()], MINE_INDEX)],
            query,
            INBOX_SIZE,
            mine_offset,
            counted.sizes[0],
        )
        offset = (max(pool_page, 1) - 1) * INBOX_SIZE
        pool_ids = task_pages.narrow_page_ids(
            session,
            [([*p.tasks, *f.where()], p.index) for p in pools],
            query,
            INBOX_SIZE,
            offset,
            sum(counted.sizes[1:]),
        )
        mine = load_rows(session, mine_ids)
        pool = load_rows(session, pool_ids)
        return Inbox(
            mine,
            pool,
            counted.totals[0],
            pool_total,
            query,
            states=counted.states,
            procedures=counted.procedures,
            steps=task_search.step_choices(session, query),
            agencies=task_search.agency_choices(session, agency_ids),
        )


def _pools(actor: Actor) -> list[Scope]:
    roles_by_agency: dict[int, set[str]] = {}
    for role, agency in actor.roles:
        roles_by_agency.setdefault(agency, set()).add(role)
    return [_pool(agency, sorted(roles)) for agency, roles in sorted(roles_by_agency.items())]


def _pool(agency: int, roles: list[str]) -> Scope:
    return Scope(
        [
            task_search.IS_OPEN,
            HumanTask.assignee_id.is_(None),
            HumanTask.agency_id == agency,
            HumanTask.role.in_(roles),
        ],
        lambda t: [t.agency_id == agency, t.role.in_(roles), t.claimed == 0],
        POOL_INDEX,
    )
