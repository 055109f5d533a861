"""A real Chromium (Debian's) driven by Playwright against the app served over HTTP."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator

import pytest

from app.integrations.simulators import serve_in_thread

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Each page reports what the Content-Security-Policy blocked (a script, an eval, a style…):
# a browser test fails on any, so the policy and the screens cannot drift apart unnoticed.
CSP_PROBE = """document.addEventListener('securitypolicyviolation', (e) => window.__cspViolation(
  `${e.effectiveDirective} blocked ${e.blockedURI} at ${e.sourceFile}:${e.lineNumber}`));"""


@pytest.fixture
def browser_page(app) -> Iterator[Callable]:
    """`browser_page(username)` → a page logged in as that officer (password demo1234);
    `browser_page(None)` → a page with nobody signed in (a citizen arriving from the portal)."""
    from playwright.sync_api import sync_playwright

    url, stop = serve_in_thread(app)
    violations: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)

        def open_as(username: str | None):  # noqa: ANN202
            page = browser.new_page(
                base_url=url, viewport={"width": 1400, "height": 900}, locale="vi-VN"
            )
            page.expose_function("__cspViolation", lambda blocked: violations.append(blocked))
            page.add_init_script(CSP_PROBE)
            if username is None:  # a citizen: no officer's session
                return page
            page.goto("/login")
            page.fill("input[name=username]", username)
            page.fill("input[name=password]", "demo1234")
            page.click("button.primary")
            page.wait_for_url("**/inbox")
            return page

        yield open_as
        browser.close()
    stop()
    assert not violations, f"the Content-Security-Policy blocked: {violations}"
