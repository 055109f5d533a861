"""In Chromium at 390 px (a phone): the page never scrolls sideways. Every item of the menu is
on screen (the menu wraps), and a wide table scrolls inside its own box."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

PAGES = ("/inbox", "/admin/calendar?year=2026", "/catalogs/procedures", "/dossiers")


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_an_administrators_pages_fit_a_phone(browser_page, lang):
    page = browser_page("quantri")
    page.set_viewport_size({"width": 390, "height": 844})
    for path in PAGES:
        page.goto(f"{path}{'&' if '?' in path else '?'}lang={lang}")
        wider = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert wider <= 0, f"{path} is {wider} px wider than the phone"
        off_screen = page.evaluate(
            """() => [...document.querySelectorAll('.topbar nav a')]
                 .filter(a => a.getBoundingClientRect().right > window.innerWidth)
                 .map(a => a.textContent)"""
        )
        assert off_screen == [], f"{path}: menu items off screen: {off_screen}"
