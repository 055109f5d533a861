"""In Chromium at 390 px (a phone): no page of an officer, a supervisor or a citizen scrolls
sideways. The walk follows the route table (every GET route that renders a page, with real
demo data: dossiers at several states, tasks in the pool and claimed, a scan, notifications),
so a screen added later is checked without being listed here. A failure names the page and
the element that sticks out. Tables become cards, every menu item stays on screen, tap targets
are at least 40 px high and no text is smaller than 14 px."""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from sqlalchemy import select

from app.domain.status import VN_TZ
from app.models import HumanTask, OutboxMessage
from app.services.deadlines import handover, overdue
from app.services.dossiers import tasks
from app.storage.db import db
from tests.services.helpers import complete, open_task, receive, settle
from tests.web.access_world import _scan
from tests.web.conftest import three_overdue  # noqa: F401 - fixture
from tests.web.helpers import login

pytestmark = [pytest.mark.browser, pytest.mark.simulators]

PHONE = {"width": 390, "height": 844}
PROCEDURE = "2.000488"
RECEPTION = {"components_checked": True, "original_count": 1, "copy_count": 0}
SUPPLEMENT = {"decision": "supplement", "appraisal_note": "Thiếu", "supplement_request": "Tờ khai"}
APPROVE = {"approval_decision": "approve", "result_name": "Phiếu lý lịch tư pháp số 1"}
# Who walks: the officers of the Sở Tư pháp (reception, processing, leader, supervisor), then
# the citizen who owns the dossiers (None: signed in through the portal).
OFFICERS = ("tiepnhan", "chuyenvien", "lanhdao", "giamsat")
CITIZEN = "001090012345 — Nguyễn Văn An"
# Pages that look different at each state of a dossier or step: walked for every one.
STATEFUL = {"/dossiers/<code>", "/citizen/dossiers/<code>", "/tasks/<task_id>"}
# Routes that answer something other than a page (files, JSON, redirects, sign-in hand-offs).
NOT_PAGES = re.compile(
    r"^/(api/|static/|lang/|favicon)|\.(pdf|zip|csv)$|/file$|/results/|/result-preview$"
    r"|/steps$|^/citizen/(callback|login)$|^/(healthz|readyz|metrics)$"
    r"|^/(login|dich-vu-cong.*|)$"
)
# Administrators' and analysts' screens (model editor, catalogs, calendar, reorganisation):
# out of scope of this walk (test_an_administrators_pages_fit_a_phone covers a few).
OUT_OF_SCOPE = re.compile(r"^/(admin|models|catalogs)(/|$)")

# Checks run in the page, at phone width: what sticks out, what is too small to tap or read.
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const name = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
      + [...el.classList].map((c) => '.' + c).join('');
  const path = (el) => { const parts = [];
    for (let e = el; e && e !== document.body; e = e.parentElement) parts.unshift(name(e));
    return parts.slice(-4).join(' > '); };
  const out = [...document.body.querySelectorAll('*')]
    .map((el) => [el, el.getBoundingClientRect()])
    .filter(([el, r]) => r.width > 0 && r.right > width + 0.5)
    .sort((a, b) => b[1].right - a[1].right);
  return { doc: document.documentElement.scrollWidth, body: document.body.scrollWidth,
           widest: out.slice(0, 3).map(([el, r]) => `${path(el)} (right ${Math.round(r.right)})`) };
}"""
SMALL = """() => {
  const seen = (el) => { if (getComputedStyle(el).visibility === 'hidden') return false;
    for (let e = el; e; e = e.parentElement) {  // visually hidden: inside a 1 px box
      const r = e.getBoundingClientRect(); if (r.width <= 1 || r.height <= 1) return false; }
    return true; };
  const label = (el) => el.tagName.toLowerCase() + [...el.classList].map((c) => '.' + c).join('')
      + ` «${(el.innerText || el.value || el.name || '').trim().slice(0, 30)}»`;
  const tiny = [...document.body.querySelectorAll('*')]
    .filter((el) => !el.closest('svg, .canvas, .djs-container'))
    .filter((el) => [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim()))
    .filter((el) => seen(el) && parseFloat(getComputedStyle(el).fontSize) < 14)
    .map((el) => `${label(el)} ${getComputedStyle(el).fontSize}`);
  const targets = 'button, .button, select, textarea, summary, .topbar nav a, .pager a, '
    + 'table.list a, input:not([type=hidden]):not([type=checkbox]):not([type=radio])';
  const small = [...document.body.querySelectorAll(targets)]
    .filter((el) => !el.closest('.canvas, .djs-container'))
    .filter((el) => seen(el) && el.getBoundingClientRect().height < 40)
    .map((el) => `${label(el)} ${Math.round(el.getBoundingClientRect().height)} px high`);
  return { tiny, small };
}"""


@dataclass
class Demo:
    """Real objects to put in the routes' paths: each parameter has one or more values."""

    values: dict[str, list[str]]
    overrides: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    queries: dict[str, list[str]] = field(default_factory=dict)  # a page's states by query

    def paths(self, app: Flask, rule, every: bool = True) -> list[str]:  # noqa: ANN001
        """The rule's paths: a page that changes with the state (STATEFUL) at each value, any
        other at the first, with its query variants; every=False: the first value only."""
        given = {**self.values, **self.overrides.get(rule.rule, {})}
        if not every or rule.rule not in STATEFUL:
            given = {name: values[:1] for name, values in given.items()}
        missing = sorted(set(rule.arguments) - set(given))
        assert not missing, f"{rule.rule}: give the walk a value for {missing}"
        combos: list[dict[str, str]] = [{}]
        for argument in sorted(rule.arguments):
            combos = [{**c, argument: value} for c in combos for value in given[argument]]
        with app.test_request_context():
            adapter = app.url_map.bind("localhost")
            paths = [adapter.build(rule.endpoint, combo) for combo in combos]
        queries = [""] + (self.queries.get(rule.rule, []) if every else [])
        return [f"{path}{query}" for path in paths for query in queries]


def page_rules(app: Flask) -> list:
    """The GET routes that render a page for officers, supervisors or citizens."""
    return [
        rule
        for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule)
        if "GET" in rule.methods
        and not NOT_PAGES.search(rule.rule)
        and not OUT_OF_SCOPE.search(rule.rule)
    ]


def outbox_delivered() -> bool:
    with db.transaction() as session:
        return not session.scalars(
            select(OutboxMessage.state).where(OutboxMessage.state != "done")
        ).all()


def task_of(code: str, element_id: str) -> str:
    task = open_task(code, element_id)
    assert task is not None, f"no open {element_id} step for {code}"
    return task.id


@pytest.fixture
def demo(app, actors, drain, clock) -> Demo:
    """Dossiers of the demo citizen at each state a screen shows differently: just received
    (its reception step in the pool, a scan attached), waiting for a supplement, waiting for
    the leader's approval (claimed), returned with its result, refused; one step overdue and
    nudged, so that badges and notifications appear."""
    officer, expert, leader = actors["tiepnhan"], actors["chuyenvien"], actors["lanhdao"]
    clock.set(datetime(2026, 11, 25, 9, tzinfo=VN_TZ))
    clock.freeze()
    received, supplement, approval, returned, refused = (receive(officer) for _ in range(5))
    settle(drain, clock, outbox_delivered)
    for code in (supplement, approval, returned, refused):
        complete(code, "reception", officer, RECEPTION)
    complete(supplement, "appraisal", expert, SUPPLEMENT)
    for code in (approval, returned):
        complete(code, "appraisal", expert, {"decision": "accept", "appraisal_note": "Đủ"})
    complete(refused, "appraisal", expert, {"decision": "refuse", "appraisal_note": "Không"})
    complete(returned, "approval", leader, APPROVE)
    settle(drain, clock, outbox_delivered)
    complete(
        returned, "return_result", officer, {"return_method": "counter", "receiver_name": "An"}
    )
    settle(drain, clock, outbox_delivered)
    approval_task = task_of(approval, "approval")
    tasks.claim_task(approval_task, leader)
    tasks.claim_task(task_of(supplement, "receive_supplement"), officer)  # its form is shown
    client = app.test_client()
    login(client, "tiepnhan")
    document = _scan(client, received)
    clock.set(datetime(2026, 12, 8, 9, tzinfo=VN_TZ))
    overdue.sweep()
    handover.nudge(task_of(received, "reception"), actors["giamsat"], "Đề nghị xử lý ngay")
    with db.transaction() as session:
        task_ids = session.scalars(select(HumanTask.id).where(HumanTask.state == "open")).all()
    codes = [received, supplement, approval, returned, refused]
    return Demo(
        values={
            "code": codes,
            "task_id": list(task_ids),
            "document_id": [str(document)],
            "procedure_code": [PROCEDURE],
        },
        overrides={"/supervisor/procedures/<code>/diagram": {"code": [PROCEDURE]}},
        queries={
            # a document found in the national database, with the form to attach it
            "/dossiers/<code>/reuse": ["?type_code=KQ.G01.000023"],
            "/dossiers": [f"?q={received}"],
            "/supervisor/tasks": ["?state=overdue"],
            # the period the dossiers were finished in: the chart has bars
            "/supervisor/statistics": ["?start=2026-11-01&end=2026-12-01"],
        },
    )


@pytest.fixture
def phone(browser_page) -> Iterator:
    """`phone(who)`: a page at 390 px signed in as that officer, or as the citizen (None)."""

    def open_as(who: str | None):  # noqa: ANN202
        page = browser_page(who)
        if who is None:
            page.goto("/citizen/login")
            page.select_option("select[name=account_id]", label=CITIZEN)
            page.get_by_role("button", name="Đăng nhập").click()
            page.wait_for_url("**/citizen/**")
        page.set_viewport_size(PHONE)
        return page

    yield open_as


def _wait_for_diagrams(page) -> None:  # noqa: ANN001
    """A diagram is drawn after the page has loaded: measure once it is there."""
    # a diagram that fails to draw is its own tests' business: the width is measured anyway
    with contextlib.suppress(PlaywrightTimeout):
        page.wait_for_function(
            "() => document.querySelector('.canvas svg') || document.body.dataset.diagram"
            " || document.body.dataset.diagrams",
            timeout=10_000,
        )


def _screenshots(page, stem: Path) -> None:  # noqa: ANN001
    """The whole page, in screen-high pieces (stem-1.png, stem-2.png…) to look at."""
    stem.parent.mkdir(parents=True, exist_ok=True)
    height = page.evaluate("() => document.documentElement.scrollHeight")
    for piece, top in enumerate(range(0, height, PHONE["height"]), start=1):
        clip = {"x": 0, "y": top, "width": PHONE["width"], "height": PHONE["height"]}
        page.screenshot(path=f"{stem}-{piece}.png", full_page=True, clip=clip)


def _walk(page, paths: list[str], shots: Path | None) -> tuple:  # noqa: ANN001
    shown, problems = [], []
    base = page.url.split("/", 3)[:3]
    for path in paths:
        response = page.goto(path)
        if response is None or response.status != 200 or page.url.split("/", 3)[:3] != base:
            continue  # not this persona's page (403/404, or a sign-in elsewhere)
        if page.locator(".canvas").count():
            _wait_for_diagrams(page)
        shown.append(path)
        found = page.evaluate(OVERFLOW)
        if max(found["doc"], found["body"]) > PHONE["width"]:
            problems.append(f"{path}: {found['doc']} px wide; sticks out: {found['widest']}")
        small = page.evaluate(SMALL)
        problems += [f"{path}: text under 14 px: {t}" for t in small["tiny"][:3]]
        problems += [f"{path}: tap target under 40 px: {t}" for t in small["small"][:3]]
        if shots:
            name = re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "home"
            _screenshots(page, shots / name)
    return shown, problems


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_officer_supervisor_and_citizen_page_fits_a_phone(app, demo, phone, lang):
    """In Vietnamese every page at every state; in English (longer words) each page once.
    SCREENSHOTS=<dir> keeps screenshots of each page walked."""
    shots = Path(os.environ["SCREENSHOTS"]) / lang if os.environ.get("SCREENSHOTS") else None
    every = lang == "vi"
    rules = page_rules(app)
    citizen_rules = [r for r in rules if r.rule.startswith("/citizen/")]
    officer_rules = [r for r in rules if r not in citizen_rules]
    seen: set[str] = set()
    problems: list[str] = []
    for who, walked in [*((o, officer_rules) for o in OFFICERS), (None, citizen_rules)]:
        page = phone(who)
        page.goto(f"/lang/{lang}")
        paths = {p: rule.rule for rule in walked for p in demo.paths(app, rule, every)}
        shown, found = _walk(page, list(paths), shots / (who or "citizen") if shots else None)
        seen |= {paths[p] for p in shown}
        problems += [f"{who or 'citizen'} {p}" for p in found]
    assert sorted({r.rule for r in rules} - seen) == [], "pages nobody could open"
    assert problems == [], "\n".join(problems)


def test_a_list_reads_as_cards_on_a_phone_and_as_a_table_on_a_desk(
    browser_page,
    three_overdue,  # noqa: F811
):
    """Each cell shows its column's header (a grouped header as "group · column"), also in a
    row added after the page loaded; at 1280 px the same list is still a table."""
    page = browser_page("giamsat")
    page.set_viewport_size(PHONE)
    page.goto("/supervisor/tasks")
    first = page.locator("#tasks tbody tr").first
    assert first.evaluate("tr => getComputedStyle(tr).display") == "block"
    labels = page.eval_on_selector_all(
        "#tasks tbody tr:first-child td",
        "tds => tds.map(td => getComputedStyle(td, '::before').content)",
    )
    headers = page.eval_on_selector_all(
        "#tasks thead th", "ths => ths.map(th => th.textContent.trim())"
    )
    # the selection column has no header, so its cell has no label
    assert labels == [f'"{h}"' if h else "none" for h in headers]
    named = next(i for i, h in enumerate(headers) if h)
    # a screen reader still hears a table: Safari drops the semantics of a table shown as
    # blocks unless the roles are written out (Chromium keeps them either way)
    roles = page.eval_on_selector(
        "#tasks",
        "t => [t, t.tHead, t.tHead.rows[0].cells[0], t.tBodies[0].rows[0], t.tBodies[0].rows[0]"
        ".cells[0]].map(e => e.getAttribute('role'))",
    )
    assert roles == ["table", "rowgroup", "columnheader", "row", "cell"]
    assert page.locator("#tasks").get_by_role("columnheader", name=headers[named]).count() == 1
    page.evaluate(
        """() => { const row = document.querySelector('#tasks tbody tr').cloneNode(true);
                   row.querySelectorAll('td').forEach((td) => td.removeAttribute('data-label'));
                   row.id = 'late-row'; document.querySelector('#tasks tbody').append(row); }"""
    )
    page.wait_for_function(
        f"() => document.querySelectorAll('#late-row td')[{named}].dataset.label"
    )
    assert page.locator("#late-row td").nth(named).get_attribute("data-label") == headers[named]

    page.goto("/supervisor/statistics")
    grouped = page.eval_on_selector_all(
        "#statistics tbody tr:first-child td", "tds => tds.map(td => td.dataset.label)"
    )
    assert grouped[:3] == ["Thủ tục", "Tiếp nhận · Kỳ trước", "Tiếp nhận · Mới"]
    assert grouped[-1] == "Tỉ lệ đúng hạn"

    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/supervisor/tasks")
    assert first.evaluate("tr => getComputedStyle(tr).display") == "table-row"
    assert page.locator("#tasks thead").bounding_box()["height"] > 20
    assert first.locator("td").first.evaluate("td => getComputedStyle(td, '::before').content") in (
        "none",
        "normal",
    )


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_an_administrators_pages_fit_a_phone(browser_page, lang):
    page = browser_page("quantri")
    page.set_viewport_size(PHONE)
    for path in (
        "/inbox",
        "/admin/calendar?year=2026",
        "/catalogs/procedures",
        "/admin/catalogs",
        "/dossiers",
    ):
        page.goto(f"{path}{'&' if '?' in path else '?'}lang={lang}")
        wider = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert wider <= 0, f"{path} is {wider} px wider than the phone"
        off_screen = page.evaluate(
            """() => [...document.querySelectorAll('.topbar nav a')]
                 .filter(a => a.getBoundingClientRect().right > window.innerWidth)
                 .map(a => a.textContent)"""
        )
        assert off_screen == [], f"{path}: menu items off screen: {off_screen}"
