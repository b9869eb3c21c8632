"""Who sees what, over real HTTP: every page and export for an admin, managers, an employee and a stranger."""

from __future__ import annotations

import re
from collections.abc import Callable

import httpx
import pytest
from sqlmodel import Session

from skills.errors import PermissionDenied
from skills.models import Employee
from tests.bot.web.console.conftest import Console

# (path, the tables it exports); person pages use Dana, the one everyone who may see her can open.
PAGES = {
    "/overview": ["funnel", "badges", "top-credentials", "top-providers", "spend"],
    "/skills": ["heatmap", "gaps"],
    "/skills/cell?team=Platform&skill=Python+Programming": ["cell"],
    "/talent?skill=Python+Programming": ["talent"],
    "/catalogue": ["catalogue"],
    "/people": ["people"],
    "/people/UDANA": ["enrolments", "badges", "nominations", "audit"],
    "/audit": ["audit"],
}
ADMIN_ONLY = {"/catalogue"}


def export_url(path: str, table: str) -> str:
    page, _, query = path.partition("?")
    return f"{page}.csv?table={table}" + (f"&{query}" if query else "")


def every_request() -> list[tuple[str, str]]:
    return [(path, "page") for path in PAGES] + [(path, table) for path, tables in PAGES.items() for table in tables]


def fetch(client: httpx.Client, path: str, table: str) -> httpx.Response:
    return client.get(path if table == "page" else export_url(path, table))


@pytest.fixture(scope="module")
def clients(shared_console: Console) -> dict[str, httpx.Client]:
    return {user: shared_console.sign_in(user) for user in ("UADA", "UMAX", "UMIA", "UOMAR")}


@pytest.mark.parametrize(("path", "table"), every_request())
def test_each_page_and_export_by_role(shared_console: Console, clients: dict[str, httpx.Client], path: str,
                                      table: str) -> None:
    console = shared_console
    admin = fetch(clients["UADA"], path, table)
    assert admin.status_code == 200, admin.text
    if table != "page":
        assert admin.headers["content-type"].startswith("text/csv")

    for manager in ("UMAX", "UMIA"):  # Dana reports to Mia, and through Mia to Max
        response = fetch(clients[manager], path, table)
        assert response.status_code == (403 if path in ADMIN_ONLY else 200), (manager, response.text)
        assert "Owen" not in response.text  # Omar's report, never theirs

    other = fetch(clients["UOMAR"], path, table)
    if path in ADMIN_ONLY or path.startswith("/people/UDANA"):
        assert other.status_code == 403
    else:
        assert other.status_code == 200
        assert "Dana" not in other.text

    anonymous = fetch(httpx.Client(base_url=console.url), path, table)
    assert anonymous.status_code == (303 if table == "page" else 401)
    if table == "page":
        assert anonymous.headers["location"].endswith("/login")


def test_employees_get_no_link_and_no_page(console: Console) -> None:
    with pytest.raises(PermissionDenied):
        console.link("UDANA")
    # Even holding a session made before she lost her reports, someone who is no longer a manager gets 403s.
    mia = console.sign_in("UMIA")
    with Session(console.kb.engine) as session:
        for uid in ("UDANA", "UERIN"):
            person = session.get(Employee, uid)
            assert person is not None
            person.manager_id = None
            session.add(person)
        session.commit()
    for path, table in every_request():
        assert fetch(mia, path, table).status_code == 403, (path, table)


def test_admin_sees_everyone_and_managers_only_their_reports(shared_console: Console) -> None:
    console = shared_console
    admin = console.sign_in("UADA").get("/people.csv?table=people").text
    assert all(name in admin for name in ("Dana Dev", "Owen Data", "Mia Manager", "Max Director"))
    max_ = console.sign_in("UMAX").get("/people.csv?table=people").text
    assert sorted(re.findall(r"^(U\w+),", max_, re.M)) == ["UDANA", "UERIN", "UMIA"]
    mia = console.sign_in("UMIA").get("/people.csv?table=people").text
    assert sorted(re.findall(r"^(U\w+),", mia, re.M)) == ["UDANA", "UERIN"]


def test_scopes_and_every_page_on_postgresql(make_console: Callable[..., Console], postgres_url: str) -> None:
    console = make_console(database_url=postgres_url)
    max_ = console.sign_in("UMAX")
    people = max_.get("/people.csv?table=people").text
    assert sorted(re.findall(r"^(U\w+),", people, re.M)) == ["UDANA", "UERIN", "UMIA"]
    admin = console.sign_in("UADA")
    for path, table in every_request():
        assert fetch(admin, path, table).status_code == 200, (path, table)
        assert fetch(max_, path, table).status_code == (403 if path in ADMIN_ONLY else 200), (path, table)
    assert "2026-09,0,2,2,0,0,1" in admin.get("/overview.csv?table=funnel").text


def test_a_missing_person_is_not_found_for_admins_and_refused_for_managers(shared_console: Console) -> None:
    assert shared_console.sign_in("UADA").get("/people/UNOBODY").status_code == 404
    assert shared_console.sign_in("UMIA").get("/people/UNOBODY").status_code == 403  # no hint who exists
