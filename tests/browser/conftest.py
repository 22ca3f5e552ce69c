"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's live server.

One Chromium per test session (per xdist worker); one fresh browser context per test. The world is the demo
county at scale "small" (the real tree of 15 townships and ~350 branches, 1,850 people), generated from seed 1
once per test process and put back before each test (see snapshot.py: the live server's transactional
database is emptied after every test).

Never `playwright install`: the browser is /usr/bin/chromium (`make browser` installs it with apt).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread, which makes Django believe every ORM call made by
# the test itself comes from async code. The calls are in fact synchronous.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 3}


@pytest.fixture(scope="session")
def chromium():
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} 不存在：运行 `make browser`（apt-get install chromium fonts-noto-cjk）")
    from playwright.sync_api import expect, sync_playwright

    # Assertions wait as long as actions do (15 s, the context's default): on a loaded 2-core CI machine a page
    # that records a step and rechecks the dossier can take longer than expect()'s own 5 s default.
    expect.set_options(timeout=15_000)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@dataclass
class Demo:
    """The generated demo county, as the tests need it."""

    url: str
    users: dict = field(default_factory=dict)

    @property
    def town(self):
        return self.users["town_organizer"].organization

    @property
    def other_town(self):
        return self.users["other_town_organizer"].organization

    @property
    def village(self):
        return self.users["village_secretary"].organization


@pytest.fixture
def demo(live_server) -> Demo:
    from dangjian.demo.generate import generate
    from dangjian.orgs.models import User
    from tests.browser import snapshot

    if not snapshot.restore():
        generate(seed=1, scale="small")
        snapshot.take()
    users = {u.username: u for u in User.objects.select_related("organization")}
    return Demo(url=live_server.url, users=users)


def _context(chromium, **kwargs):
    context = chromium.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", **kwargs)
    context.set_default_timeout(15_000)
    return context


@pytest.fixture
def page(chromium, demo):
    context = _context(chromium)
    yield context.new_page()
    context.close()


@pytest.fixture
def phone(chromium, demo):
    context = _context(chromium, **PHONE)
    yield context.new_page()
    context.close()
