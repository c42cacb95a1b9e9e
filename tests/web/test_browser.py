"""The real UI in headless Chromium: the demo, served by `attestly serve` in its own process.

Marking a control implemented on its page (HTMX, CSRF header from the layout) turns its
criterion's heat-map cell up on the readiness page.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import port_open, require_service

try:
    from playwright.sync_api import sync_playwright
except ImportError:  # installed with the dev extras; without it the test skips (fails in CI)
    sync_playwright = None

pytestmark = [pytest.mark.browser, pytest.mark.slow]
CHROMIUM = "/usr/bin/chromium"


def _env(data_dir: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("ATTESTLY_") and k != "DJANGO_SETTINGS_MODULE"
    }
    env.update(
        {
            "ATTESTLY_DATA_DIR": str(data_dir),
            "COLUMNS": "200",
            "NO_COLOR": "1",
            "ATTESTLY_DEMO": "true",
        }
    )
    return env


@pytest.fixture
def demo_server(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """(base URL, demo password) of a freshly seeded demo served by `attestly serve`."""
    env = _env(tmp_path / "data")
    seeded = subprocess.run(
        [sys.executable, "-m", "attestly.cli", "demo", "--no-serve"],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert seeded.returncode == 0, seeded.stderr
    password = re.search(r"password:\s+(\S+)", seeded.stdout)
    with socket.socket() as probe:  # a free port, so parallel runs do not collide
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    assert password is not None, seeded.stdout
    server = subprocess.Popen(
        [sys.executable, "-m", "attestly.cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while not port_open("127.0.0.1", port) and time.monotonic() < deadline:
            time.sleep(0.2)
        yield f"http://127.0.0.1:{port}", password.group(1)
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_marking_a_control_implemented_in_the_browser_raises_its_cell(
    demo_server: tuple[str, str],
) -> None:
    require_service("Playwright", sync_playwright is not None, "pip install playwright")
    require_service("Chromium", Path(CHROMIUM).exists(), f"{CHROMIUM} is missing")
    assert sync_playwright is not None
    base, password = demo_server
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page()
        page.goto(f"{base}/login/")
        page.fill("input[name=username]", "demo")
        page.fill("input[name=password]", password)
        page.click("button[type=submit]")
        page.goto(f"{base}/readiness/")
        cell = page.locator("[id='cell-CC6.5']")
        before = int(cell.get_attribute("data-score") or 0)
        page.goto(f"{base}/controls/?criterion=soc2:CC6.5&status=not_started")
        ref = page.locator("table.table tbody tr td code").first.inner_text()
        page.goto(f"{base}/controls/{ref}/")
        page.select_option("#e-status", "implemented")
        page.click("#control-edit button[type=submit]")
        page.wait_for_selector("#control-edit .status-implemented")
        assert "error" not in (page.locator("#control-edit").get_attribute("class") or "")
        page.goto(f"{base}/readiness/")
        after = int(page.locator("[id='cell-CC6.5']").get_attribute("data-score") or 0)
        browser.close()
    assert after > before
