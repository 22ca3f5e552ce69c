"""What the browser tests do on a page, named once."""

from __future__ import annotations

import re

DEMO_PASSWORD = "Demo-2026"
MASKED_ID = re.compile(r"^\d{6}\*{8}\d{3}[\dX]$")


def login(page, demo, username: str, password: str = DEMO_PASSWORD) -> None:
    page.goto(f"{demo.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.get_by_role("button", name="登录").click()


def no_horizontal_overflow(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
