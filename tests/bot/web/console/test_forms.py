"""Sign-in links, CSRF, uploads, budgets, retirements and opt-outs through the served console."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx
from sqlmodel import Session, select

from core.clock import aware
from knowledge.models import RETIRED, Credential
from skills.console.models import AdminAction, ConsoleSession, TeamBudget
from skills.console.signin import make_link_token
from skills.models import Employee
from tests.bot.web.console.conftest import Console, csrf_of

BROKEN = b"""credentials:
- {id: good-one, title: A Good One, provider: Acme, skills: [Go]}
- {id: bad-one, provider: Acme, skills: [Go]}
- {id: good-one, title: Twice, provider: Acme}
"""
GOOD = b"""credentials:
- {id: go-basics, title: Go Basics, provider: Gopher School, level: beginner, skills: [Go], cost: 30}
- {id: go-pro, title: Go in Production, provider: Gopher School, level: advanced, skills: [Go], cost: 90}
"""


def sign_in_form(console: Console, link: str) -> tuple[httpx.Client, dict[str, str]]:
    client = httpx.Client(base_url=console.url, timeout=30)
    form = client.get(link)
    return client, dict(re.findall(r'name="(csrf|token)" value="([^"]*)"', form.text))


def test_a_link_signs_in_once(console: Console) -> None:
    link = console.link("UADA")
    client, fields = sign_in_form(console, link)
    first = client.post("/login/link", data=fields)
    assert first.status_code == 303 and first.headers["location"].endswith("/overview")
    cookie = first.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "secure" not in cookie  # served on 127.0.0.1
    assert client.get("/overview").status_code == 200

    again, fields = sign_in_form(console, link)
    second = again.post("/login/link", data=fields)
    assert second.status_code == 403 and "used already" in second.text
    assert again.get("/overview").status_code == 303


def test_an_expired_or_tampered_link_is_refused(console: Console) -> None:
    with Session(console.kb.engine) as session:
        old = make_link_token(session=session, settings=console.kb.settings, user_id="UADA",
                              now=aware(None) - timedelta(minutes=11))
    client, fields = sign_in_form(console, f"{console.url}/login/link?token={old}")
    assert client.post("/login/link", data=fields).status_code == 403
    good = console.link("UADA").split("token=")[1]
    forged = good.split(".")[0] + "x." + good.split(".")[1]
    client, fields = sign_in_form(console, f"{console.url}/login/link?token={forged}")
    assert client.post("/login/link", data=fields).status_code == 403


def test_sign_in_without_the_form_cookie_is_refused_and_attempts_are_limited(make_console: object) -> None:
    console = make_console(badger_console_login_per_minute=3)  # type: ignore[operator]
    link = console.link("UADA")
    token = link.split("token=")[1]
    bare = httpx.Client(base_url=console.url)
    assert bare.post("/login/link", data={"token": token, "csrf": "guess"}).status_code == 403
    client, fields = sign_in_form(console, f"{console.url}/login/link?token=nonsense")
    codes = [client.post("/login/link", data=fields).status_code for _ in range(4)]
    assert codes == [403, 403, 403, 429]


def test_forms_without_the_csrf_token_change_nothing(console: Console) -> None:
    admin = console.sign_in("UADA")
    refused = admin.post("/overview/budget", data={"team": "Platform", "amount": "5000", "csrf": "wrong"})
    assert refused.status_code == 403
    assert admin.post("/overview/budget", data={"team": "Platform", "amount": "5000"}).status_code == 403
    with Session(console.kb.engine) as session:
        assert session.get(TeamBudget, "Platform") is None
    token = csrf_of(admin.get("/overview").text)
    done = admin.post("/overview/budget", data={"team": "Platform", "amount": "5000", "csrf": token})
    assert done.status_code == 200 and "Platform&#39;s budget is now 5000" in done.text
    spend = admin.get("/overview.csv?table=spend").text
    assert "Platform,2,1200,5000,3800,24" in spend  # Owen's Kubernetes course (1200) and Dana's free Python one


def test_managers_cannot_use_admin_forms(console: Console) -> None:
    mia = console.sign_in("UMIA")
    token = csrf_of(mia.get("/overview").text)
    assert mia.post("/overview/budget", data={"team": "Platform", "amount": "1", "csrf": token}).status_code == 403
    files = {"file": ("org.csv", b"user_id,name,email,role,team,manager_id\n", "text/csv")}
    assert mia.post("/people/upload", data={"csrf": token}, files=files).status_code == 403


def test_a_broken_catalogue_is_refused_with_every_problem_then_a_good_one_applies(console: Console) -> None:
    admin = console.sign_in("UADA")
    token = csrf_of(admin.get("/catalogue").text)
    broken = admin.post("/catalogue/upload", data={"csrf": token},
                        files={"file": ("partners.yaml", BROKEN, "application/yaml")})
    assert broken.status_code == 400
    assert "title" in broken.text and "duplicate id" in broken.text and "partners.yaml" in broken.text
    assert "badger-upload" not in broken.text  # the server's own paths stay private
    with Session(console.kb.engine) as session:
        assert session.get(Credential, "good-one") is None

    checked = admin.post("/catalogue/upload", data={"csrf": token},
                         files={"file": ("partners.yaml", GOOD, "application/yaml")})
    assert checked.status_code == 200 and "2 new, 0 changed, 0 retired" in checked.text
    with Session(console.kb.engine) as session:
        assert session.get(Credential, "go-basics") is None  # a dry run
    upload = re.search(r'name="upload" value="([^"]+)"', checked.text)
    assert upload
    applied = admin.post("/catalogue/apply", data={"csrf": token, "upload": upload.group(1)})
    assert applied.status_code == 200 and "2 added" in applied.text
    assert "Go Basics" in admin.get("/catalogue?q=golang+go+basics").text
    assert admin.post("/catalogue/apply", data={"csrf": token, "upload": upload.group(1)}).status_code == 404

    again = admin.post("/catalogue/upload", data={"csrf": token, "replace": "1"},
                       files={"file": ("partners.yaml", GOOD.split(b"- {id: go-pro")[0], "application/yaml")})
    assert "0 new, 0 changed, 1 retired" in again.text and "Go in Production" in again.text


def test_uploads_are_checked_for_type_and_size(make_console: object) -> None:
    console = make_console(badger_console_upload_mb=0.001)  # type: ignore[operator]
    admin = console.sign_in("UADA")
    token = csrf_of(admin.get("/catalogue").text)
    wrong = admin.post("/catalogue/upload", data={"csrf": token}, files={"file": ("x.exe", b"MZ\x00", "x")})
    assert wrong.status_code == 400 and "can&#39;t be loaded here" in wrong.text
    big = admin.post("/catalogue/upload", data={"csrf": token}, files={"file": ("big.csv", b"a" * 5000, "text/csv")})
    assert big.status_code == 400 and "the limit is 0.001 MB" in big.text
    huge = admin.post("/catalogue/upload", data={"csrf": token},
                      files={"file": ("huge.csv", b"a" * 300_000, "text/csv")})
    assert huge.status_code == 413


def test_an_org_chart_loads_all_or_nothing(console: Console) -> None:
    admin = console.sign_in("UADA")
    token = csrf_of(admin.get("/people").text)
    bad = (b"user_id,name,email,role,team,manager_id\nUNEW1,New One,new@example.com,Engineer,Platform,UMIA\n"
           b"bad-id,,x,Engineer,Platform,UNOBODY\n")
    refused = admin.post("/people/upload", data={"csrf": token}, files={"file": ("org.csv", bad, "text/csv")})
    assert refused.status_code == 400
    assert "org.csv:row 3: user_id" in refused.text and "org.csv:row 3: name: required" in refused.text
    with Session(console.kb.engine) as session:
        assert session.get(Employee, "UNEW1") is None
    good = bad.split(b"bad-id")[0]
    loaded = admin.post("/people/upload", data={"csrf": token}, files={"file": ("org.csv", good, "text/csv")})
    assert loaded.status_code == 200 and "1 new" in loaded.text
    assert "New One" in console.sign_in("UMIA").get("/people").text


def test_retiring_an_entry_takes_it_out_of_search_and_is_audited(console: Console) -> None:
    admin = console.sign_in("UADA")
    token = csrf_of(admin.get("/catalogue").text)
    done = admin.post("/catalogue/retire", data={"csrf": token, "credential_id": "sql-intro"})
    assert done.status_code == 200 and "Retired SQL for Everyone" in done.text
    with Session(console.kb.engine) as session:
        credential = session.get(Credential, "sql-intro")
        assert credential is not None and credential.status == RETIRED
        assert session.exec(select(AdminAction).where(AdminAction.action == "catalogue.retire")).one()
    assert "catalogue.retire" in admin.get("/audit.csv?table=audit").text


def test_signing_out_ends_the_session_for_every_replica(console: Console) -> None:
    admin = console.sign_in("UADA")
    token = csrf_of(admin.get("/overview").text)
    assert admin.post("/logout", data={"csrf": token}).status_code == 303
    with Session(console.kb.engine) as session:
        assert session.exec(select(ConsoleSession)).all() == []
    assert admin.get("/overview").status_code == 303


def test_talent_lists_verified_holders_and_respects_opt_outs(console: Console) -> None:
    from skills.access import Actor
    from skills.console.people import set_talent_opt_out

    admin = console.sign_in("UADA")
    assert "UDANA,Dana Dev" in admin.get("/talent.csv?table=talent&skill=Python+Programming").text
    with Session(console.kb.engine) as session:
        set_talent_opt_out(session=session, actor=Actor("UDANA"), opt_out=True)
        session.commit()
    assert "Dana" not in admin.get("/talent.csv?table=talent&skill=Python+Programming").text


def test_a_form_with_more_than_one_file_is_refused_cleanly(console: Console) -> None:
    admin = console.sign_in("UADA")
    token = csrf_of(admin.get("/catalogue").text)
    two = [("file", ("a.csv", b"id\n", "text/csv")), ("file", ("b.csv", b"id\n", "text/csv"))]
    refused = admin.post("/catalogue/upload", data={"csrf": token}, files=two)
    assert refused.status_code == 400 and "Too many files" in refused.text
