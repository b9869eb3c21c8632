"""The console in a real browser (Debian's chromium driven by Playwright): sign in, upload, apply, heatmap, CSV.

Screenshots of each page go to $BADGER_SCREENSHOTS when set (`docs/console` in the repository), else to tmp.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright
from sqlmodel import Session

from skills.models import Employee
from tests.bot.web.console.conftest import Console
from tests.bot.web.console.test_forms import BROKEN, GOOD

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Headless chromium; a missing browser fails the test (`make test` installs it), never skips it."""
    assert Path(CHROMIUM).exists(), f"{CHROMIUM} is missing: apt-get install -y chromium (make test does it as root)"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("BADGER_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def sign_in(browser: Browser, console: Console, user_id: str) -> Page:
    page = browser.new_page(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page.goto(console.link(user_id))
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Overview")).to_be_visible()
    return page


def test_an_admin_works_through_the_console(browser: Browser, console: Console, shots: Path,
                                            tmp_path: Path) -> None:
    page = sign_in(browser, console, "UADA")
    expect(page.locator("table[data-table=funnel]")).to_contain_text("2026-09")
    page.screenshot(path=shots / "overview.png", full_page=True)

    page.get_by_role("link", name="Catalogue").click()
    (tmp_path / "partners.yaml").write_bytes(BROKEN)
    page.set_input_files("input[name=file]", tmp_path / "partners.yaml")
    page.get_by_role("button", name="Check the file").click()
    errors = page.locator("table[data-table=errors]")
    expect(errors).to_contain_text("duplicate id")
    expect(errors).to_contain_text("title")
    page.screenshot(path=shots / "catalogue-errors.png", full_page=True)

    (tmp_path / "partners.yaml").write_bytes(GOOD)
    page.set_input_files("input[name=file]", tmp_path / "partners.yaml")
    page.get_by_role("button", name="Check the file").click()
    expect(page.locator("#diff")).to_contain_text("2 new, 0 changed, 0 retired")
    expect(page.locator("table[data-table=new]")).to_contain_text("Go in Production")
    page.screenshot(path=shots / "catalogue-diff.png", full_page=True)
    page.get_by_role("button", name="Apply these changes").click()
    expect(page.get_by_role("status")).to_contain_text("2 added")
    page.get_by_placeholder("e.g. kubernetes").fill("go in production")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("table[data-table=catalogue]")).to_contain_text("Go in Production")

    page.get_by_role("link", name="Skills").click()
    cell = page.locator('svg a[data-team="Platform"][data-skill="Python Programming"]')
    expect(cell).to_contain_text("33%")  # of the three Platform engineers, only Dana holds it
    page.screenshot(path=shots / "skills.png", full_page=True)
    cell.click()
    expect(page.locator("table[data-table=cell]")).to_contain_text("Erin Eng")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").first.click()
    text = Path(download.value.path()).read_text()
    assert text.splitlines()[0] == "Slack id,Name,Holds it" and "UDANA,Dana Dev,yes" in text

    page.get_by_role("link", name="Talent").click()
    page.get_by_label("Skill").fill("Python Programming")
    page.get_by_role("button", name="Find people").click()
    expect(page.locator("table[data-table=talent]")).to_contain_text("Dana Dev")
    page.screenshot(path=shots / "talent.png", full_page=True)

    page.get_by_role("link", name="People").click()
    page.screenshot(path=shots / "people.png", full_page=True)
    page.get_by_role("link", name="Dana Dev").click()
    expect(page.locator("table[data-table=badges]")).to_contain_text("Python Basics")
    page.screenshot(path=shots / "person.png", full_page=True)

    page.get_by_role("link", name="Audit").click()
    expect(page.locator("table[data-table=audit]")).to_contain_text("catalogue.load")
    page.screenshot(path=shots / "audit.png", full_page=True)


def test_a_manager_is_refused_admin_pages_and_an_employee_everything(browser: Browser, console: Console,
                                                                      shots: Path) -> None:
    page = sign_in(browser, console, "UMIA")
    response = page.goto(page.url.replace("/overview", "/catalogue"))
    assert response is not None and response.status == 403
    expect(page.get_by_role("heading")).to_contain_text("Only L&D admins")

    with Session(console.kb.engine) as session:  # Mia's reports move away: she is just an employee now
        for uid in ("UDANA", "UERIN"):
            person = session.get(Employee, uid)
            assert person is not None
            person.manager_id = "UMAX"
            session.add(person)
        session.commit()
    response = page.goto(page.url.replace("/catalogue", "/overview"))
    assert response is not None and response.status == 403
    expect(page.get_by_role("heading")).to_contain_text("for L&D admins and managers")
    page.screenshot(path=shots / "refused.png", full_page=True)
