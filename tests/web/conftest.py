"""Fixtures for the browser tests: the real server, Debian's chromium, a built web client."""

from __future__ import annotations

import pytest

from tests.conftest import ServerProcess
from tests.real_parts import require_binary, require_module
from tests.web.browser import CHROMIUM_ARGS, ensure_built


@pytest.fixture(scope="module")
def chromium():
    """A headless chromium per test module (Playwright's sync API holds an event loop while it runs).

    Skipped loudly when chromium or playwright is missing (tests/real_parts.py)."""
    path = require_binary("chromium", "/usr/bin/chromium", apt="chromium")
    require_module("playwright", pip="playwright")
    from playwright.sync_api import sync_playwright

    ensure_built()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def fair(tmp_path_factory):
    """``main.py serve`` on a free port: the web page and the websocket on the same origin."""
    srv = ServerProcess(tmp_path_factory.mktemp("web") / "data").start()
    srv.http = f"http://127.0.0.1:{srv.port}"
    yield srv
    srv.stop()


@pytest.fixture
def page(chromium):
    """A fresh desktop-sized page (own storage) that records console errors and page errors."""
    context = chromium.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    pg = context.new_page()
    pg.errors = []
    pg.on("console", lambda m: m.type == "error" and pg.errors.append(m.text))
    pg.on("pageerror", lambda e: pg.errors.append(f"pageerror: {e}"))
    yield pg
    context.close()
