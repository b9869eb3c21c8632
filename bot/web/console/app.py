"""The console's ASGI app: sign-in, CSRF, authorisation through skills/, pages and streamed CSV exports."""

from __future__ import annotations

import hmac
import logging
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import jinja2
from sqlalchemy.engine import Engine
from sqlmodel import Session
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response, StreamingResponse
from starlette.routing import Route
from starlette.templating import Jinja2Templates
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.web.console import oidc
from bot.web.console.pages import PAGES, Ctx, PageData, cell_page, person_page
from bot.web.console.svg import heatmap
from core.db import session_scope
from core.errors import BadgerError, NotFoundError
from core.settings import Settings
from knowledge.base import KnowledgeBase
from skills.access import Actor
from skills.console.access import Scope as ConsoleScope
from skills.console.access import console_scope
from skills.console.overview import set_team_budget
from skills.console.signin import RateLimit, current_session, end_session, redeem_link_token, start_session
from skills.console.tables import Table, cell, csv_chunks
from skills.console.uploads import (
    CatalogueDiff,
    apply_catalogue,
    catalogue_dry_run,
    load_org_upload,
    retire_credential,
)
from skills.errors import PermissionDenied, ValidationFailed

logger = logging.getLogger(__name__)
COOKIE = "badger_console"
PRE_COOKIE = "badger_console_pre"  # double-submit CSRF token of the sign-in form, before any session exists
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}
NAV = [(key, label) for key, (label, _) in PAGES.items()]
SECURITY_HEADERS = [
    (b"content-security-policy", b"default-src 'self'; style-src 'unsafe-inline'; img-src 'self' data:; "
                                 b"form-action 'self'; frame-ancestors 'none'; base-uri 'none'"),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),  # a one-time link in the address bar never leaks onwards
    (b"cache-control", b"no-store"),
]


class _SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], *SECURITY_HEADERS]
            await send(message)

        await self.app(scope, receive, with_headers if scope["type"] == "http" else send)


@dataclass
class Signed:
    """An authenticated, authorised request: who, their CSRF token, the parsed form (for POSTs)."""

    scope: ConsoleScope
    csrf: str
    form: FormData | None
    files: dict[str, tuple[str, bytes]]


def base_of(request: Request) -> str:
    """Where the console is mounted ('' when served alone, '/console' under `badger serve --http`)."""
    return str(request.scope.get("root_path", "")).rstrip("/")


def is_local(request: Request) -> bool:
    """True when the browser talks to the console on this machine (then the cookie may go without TLS)."""
    return (request.url.hostname or "") in LOCAL_HOSTS


class Console:
    """The console's request handlers, bound to one engine, knowledge base and settings."""

    def __init__(self, settings: Settings, engine: Engine, kb: KnowledgeBase | None) -> None:
        self.settings, self.engine, self.kb = settings, engine, kb
        env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(Path(__file__).parent / "templates")), autoescape=True)
        env.filters["cell"] = cell
        self.templates = Jinja2Templates(env=env)
        self.limiter = RateLimit(settings.badger_console_login_per_minute)
        self.max_bytes = int(settings.badger_console_upload_mb * 1_000_000)
        self.oidc = oidc.SlackOIDC(settings) if settings.badger_console_oidc_client_id else None

    # --- rendering ---------------------------------------------------------------------------------------------

    def render(self, request: Request, name: str, status: int = 200, **context: Any) -> Response:
        """A template with the common context."""
        context.setdefault("scope", None)
        context.setdefault("title", context.get("heading", "Badger"))
        context.update(base=base_of(request), nav=NAV)
        return self.templates.TemplateResponse(request, name, context, status_code=status)

    def refusal(self, request: Request, status: int, heading: str, problems: Table | None = None,
                signed: Signed | None = None) -> Response:
        """An error page (or plain text for an export)."""
        if request.url.path.endswith(".csv"):
            return PlainTextResponse(heading, status_code=status)
        return self.render(request, "error.html", status, heading=heading, problems=problems,
                           scope=signed.scope if signed else None, csrf=signed.csrf if signed else "")

    def page(self, request: Request, session: Session, signed: Signed, key: str, data: PageData,
             status: int = 200, **extra: Any) -> Response:
        """Render one page's tables, with exports linked (to the page's own path, whatever the form posted to)."""
        base = base_of(request)
        params = dict(request.query_params)
        path = request.url.path[len(base):] if request.method == "GET" else f"/{key}"
        query = urlencode([(k, v) for k, v in request.query_params.multi_items() if k != "table"])

        def export_url(table: str) -> str:
            return f"{base}{path.rstrip('/')}.csv?" + urlencode({"table": table}) + (f"&{query}" if query else "")

        tables = [make() for make in data.tables.values()]
        for table in tables:
            table.materialised(PAGE_ROWS)  # a page shows a screenful or so; exports have everything
        svg = None
        if "coverage" in data.extras:
            svg = heatmap(data.extras["coverage"], base, PAGE_HEATMAP_SKILLS)
        return self.render(request, "page.html", status, page=key, heading=data.heading, title=data.heading,
                           tables=tables, grid=data.grid, svg=svg, export_url=export_url, params=params,
                           scope=signed.scope, csrf=signed.csrf, max_mb=f"{self.settings.badger_console_upload_mb:g}",
                           **data.extras, **extra)

    # --- authentication ----------------------------------------------------------------------------------------

    async def guarded(self, request: Request,
                      work: Callable[[Session, Signed], Response | Callable[[], Response]]) -> Response:
        """Sign-in, authorisation (skills decide) and CSRF for every page, export and form."""
        form: FormData | None = None
        files: dict[str, tuple[str, bytes]] = {}
        if request.method == "POST":
            declared = request.headers.get("content-length") or "0"
            if not declared.isdigit() or int(declared) > self.max_bytes + 100_000:
                return self.refusal(request, 413, f"The upload is too large; the limit is "
                                                  f"{self.settings.badger_console_upload_mb:g} MB.")
            # A malformed form (too many files or fields, a part too large) is a plain 400 from Starlette.
            form = await request.form(max_files=1, max_fields=20, max_part_size=self.max_bytes)
            for name, value in form.multi_items():
                if isinstance(value, UploadFile) and value.filename:
                    files[name] = (value.filename, await value.read(self.max_bytes + 1))
        token = request.cookies.get(COOKIE)

        def run() -> Response:
            signed: Signed | None = None
            try:
                with session_scope(self.engine) as session:
                    row = current_session(session, token)
                    if row is None:
                        if request.method == "GET" and not request.url.path.endswith(".csv"):
                            return RedirectResponse(f"{base_of(request)}/login", status_code=303)
                        return self.refusal(request, 401, "Sign in first.")
                    scope = console_scope(session, Actor(row.user_id))
                    signed = Signed(scope, row.csrf_token, form, files)
                    if form is not None and not hmac.compare_digest(str(form.get("csrf", "")), row.csrf_token):
                        return self.refusal(request, 403, "This form has expired; reload the page and try again.",
                                            signed=signed)
                    result = work(session, signed)
                    return result if isinstance(result, Response) else result()
            except PermissionDenied as exc:
                return self.refusal(request, 403, str(exc), signed=signed)
            except NotFoundError as exc:
                return self.refusal(request, 404, str(exc), signed=signed)
            except ValidationFailed as exc:
                problems = Table("errors", "Problems", ["Problem"], [(p,) for p in exc.problems]) if exc.problems \
                    else None
                return self.refusal(request, 400, str(exc).splitlines()[0], problems, signed=signed)
            except BadgerError as exc:
                return self.refusal(request, 400, str(exc), signed=signed)

        return await run_in_threadpool(run)

    def _set_cookie(self, request: Request, response: Response, name: str, value: str, max_age: int) -> None:
        response.set_cookie(name, value, max_age=max_age, path=base_of(request) or "/", httponly=True,
                            secure=not is_local(request), samesite="lax")

    def signed_in(self, request: Request, user_id: str, how: str) -> Response:
        """Open a session for a verified user and send them to the overview."""
        with session_scope(self.engine) as session:
            fresh = start_session(session=session, settings=self.settings, user_id=user_id, how=how)
        response = RedirectResponse(f"{base_of(request)}/overview", status_code=303)
        self._set_cookie(request, response, COOKIE, fresh.token,
                         int(self.settings.badger_console_session_hours * 3600))
        response.delete_cookie(PRE_COOKIE, path=base_of(request) or "/")
        return response

    async def login(self, request: Request) -> Response:
        """The sign-in page."""
        return self.render(request, "login.html", heading="Sign in", oidc=self.oidc is not None)

    async def link_form(self, request: Request) -> Response:
        """A one-time link opens a form: link previews (which fetch with GET) can't use the link up."""
        pre = secrets.token_urlsafe(24)
        response = self.render(request, "login.html", heading="Sign in", token=request.query_params.get("token", ""),
                               csrf=pre)
        self._set_cookie(request, response, PRE_COOKIE, pre, 900)
        return response

    async def link_post(self, request: Request) -> Response:
        """Redeem a one-time link: rate-limited, CSRF-checked, single use."""
        form = await request.form(max_files=0, max_fields=5, max_part_size=4096)
        pre = request.cookies.get(PRE_COOKIE, "")
        if not pre or not hmac.compare_digest(str(form.get("csrf", "")), pre):
            return self.refusal(request, 403, "This form has expired; open the sign-in link again.")
        try:
            self.limiter.check(request.client.host if request.client else "?")

            def redeem() -> str:
                with session_scope(self.engine) as session:
                    return redeem_link_token(session=session, settings=self.settings, token=str(form.get("token", "")))

            user_id = await run_in_threadpool(redeem)
            return await run_in_threadpool(self.signed_in, request, user_id, "one-time link")
        except ValidationFailed as exc:
            return self.refusal(request, 429, str(exc))
        except PermissionDenied as exc:
            return self.refusal(request, 403, str(exc))

    async def oidc_start(self, request: Request) -> Response:
        """Sign in with Slack: off to the provider."""
        if self.oidc is None:
            return self.refusal(request, 404, "Sign in with Slack is not configured here.")
        url, state = await run_in_threadpool(self.oidc.authorize_url, self.callback_url(request))
        response = RedirectResponse(url, status_code=303)
        self._set_cookie(request, response, PRE_COOKIE, state, 900)
        return response

    def callback_url(self, request: Request) -> str:
        """Where the provider sends the browser back."""
        if self.settings.badger_console_url:
            return self.settings.badger_console_url.rstrip("/") + "/login/slack/callback"
        return str(request.url_for("oidc_callback"))

    async def oidc_callback(self, request: Request) -> Response:
        """Back from the provider: check state, exchange the code, verify the ID token, open a session."""
        if self.oidc is None:
            return self.refusal(request, 404, "Sign in with Slack is not configured here.")
        try:
            self.limiter.check(request.client.host if request.client else "?")
            user_id = await run_in_threadpool(
                self.oidc.finish, dict(request.query_params), request.cookies.get(PRE_COOKIE, ""),
                self.callback_url(request))
            return await run_in_threadpool(self.signed_in, request, user_id, "Sign in with Slack")
        except ValidationFailed as exc:
            return self.refusal(request, 429, str(exc))
        except (PermissionDenied, oidc.OIDCError) as exc:
            return self.refusal(request, 403, str(exc))

    async def logout(self, request: Request) -> Response:
        """Sign out (a POST with the CSRF token)."""
        token = request.cookies.get(COOKIE)

        def work(session: Session, signed: Signed) -> Response:
            end_session(session, token)
            response = RedirectResponse(f"{base_of(request)}/login", status_code=303)
            response.delete_cookie(COOKIE, path=base_of(request) or "/")
            return response

        return await self.guarded(request, work)

    # --- pages and exports -------------------------------------------------------------------------------------

    def builder(self, request: Request) -> tuple[str, Callable[[Ctx], PageData]]:
        """The page a path names."""
        path = request.url.path[len(base_of(request)):].removesuffix(".csv").strip("/")
        if path == "skills/cell":
            return "skills", cell_page
        if path.startswith("people/"):
            user_id = request.path_params["user_id"]
            return "person", lambda ctx: person_page(ctx, user_id)
        if path not in PAGES:
            raise NotFoundError("There is no such page in the console.")
        return path, PAGES[path][1]

    async def show(self, request: Request) -> Response:
        """Any page."""
        def work(session: Session, signed: Signed) -> Response:
            key, build = self.builder(request)
            ctx = Ctx(session, signed.scope, dict(request.query_params), self.kb)
            return self.page(request, session, signed, key, build(ctx))

        return await self.guarded(request, work)

    async def export(self, request: Request) -> Response:
        """One table of a page as CSV, streamed row by row within the signed-in user's scope."""
        table_key = request.query_params.get("table", "")
        session = Session(self.engine)
        holder: dict[str, Any] = {}

        def work(_: Session, signed: Signed) -> Response:
            key, build = self.builder(request)
            data = build(Ctx(session, signed.scope, dict(request.query_params), self.kb, full=True))
            if table_key not in data.tables:
                raise NotFoundError(f"The {key} page has no table called {table_key!r}.")
            holder["make"], holder["name"] = data.tables[table_key], f"{key}-{table_key}.csv"
            return Response()

        response = await self.guarded(request, work)
        if "make" not in holder:
            session.close()
            return response

        def lines() -> Iterator[str]:
            try:
                yield from csv_chunks(holder["make"]())
            finally:
                session.close()

        return StreamingResponse(lines(), media_type="text/csv; charset=utf-8",
                                 headers={"content-disposition": f'attachment; filename="{holder["name"]}"'})

    # --- forms -------------------------------------------------------------------------------------------------

    def _upload(self, signed: Signed) -> tuple[str, bytes]:
        if "file" not in signed.files:
            raise ValidationFailed("Choose a file to upload.")
        return signed.files["file"]

    async def set_budget(self, request: Request) -> Response:
        """An admin sets a team's budget from the overview."""
        def work(session: Session, signed: Signed) -> Response:
            assert signed.form is not None
            team, amount_text = str(signed.form.get("team", "")), str(signed.form.get("amount", "")).strip()
            try:
                amount = float(amount_text.replace(",", ""))
            except ValueError:
                raise ValidationFailed(f"amount: {amount_text!r} is not a number.") from None
            set_team_budget(session=session, scope=signed.scope, team=team, amount=amount)
            session.flush()
            data = PAGES["overview"][1](Ctx(session, signed.scope, {}, self.kb))
            return self.page(request, session, signed, "overview", data, message=f"{team}'s budget is now {amount:g}.")

        return await self.guarded(request, work)

    def _catalogue(self, request: Request, session: Session, signed: Signed, status: int = 200,
                   **extra: Any) -> Response:
        data = PAGES["catalogue"][1](Ctx(session, signed.scope, {}, self.kb))
        return self.page(request, session, signed, "catalogue", data, status, **extra)

    async def catalogue_upload(self, request: Request) -> Response:
        """Check an uploaded catalogue file and show what applying it would change."""
        def work(session: Session, signed: Signed) -> Response:
            assert signed.form is not None
            name, content = self._upload(signed)
            diff: CatalogueDiff = catalogue_dry_run(
                session=session, scope=signed.scope, data_dir=self.settings.badger_data_dir, filename=name,
                content=content, replace=signed.form.get("replace") == "1", max_bytes=self.max_bytes)
            if diff.issues:
                return self._catalogue(request, session, signed, 400, error=f"{diff.filename} can't be loaded: "
                                       f"{len(diff.issues)} problem(s). Nothing was changed.", diff=diff,
                                       before=diff.tables())
            return self._catalogue(request, session, signed, diff=diff, before=diff.tables())

        return await self.guarded(request, work)

    async def catalogue_apply(self, request: Request) -> Response:
        """Apply a checked upload (all or nothing)."""
        def work(session: Session, signed: Signed) -> Response:
            assert signed.form is not None
            if self.kb is None:
                raise ValidationFailed("This console has no catalogue index attached.")
            kb = self.kb
            report = apply_catalogue(session=session, scope=signed.scope, data_dir=self.settings.badger_data_dir,
                                     upload_id=str(signed.form.get("upload", "")),
                                     load=lambda paths, replace: kb.load(paths, replace=replace))
            session.flush()
            return self._catalogue(request, session, signed, message=(
                f"Loaded: {report.added} added, {report.updated} updated, {report.reactivated} reactivated, "
                f"{report.retired} retired, {report.unchanged} unchanged."))

        return await self.guarded(request, work)

    async def catalogue_retire(self, request: Request) -> Response:
        """Retire one catalogue entry."""
        def work(session: Session, signed: Signed) -> Response:
            assert signed.form is not None
            credential = retire_credential(session=session, scope=signed.scope,
                                           credential_id=str(signed.form.get("credential_id", "")).strip())
            return self._catalogue(request, session, signed, message=f"Retired {credential.title}.")

        return await self.guarded(request, work)

    async def people_upload(self, request: Request) -> Response:
        """Load an uploaded org chart, all or nothing."""
        def work(session: Session, signed: Signed) -> Response:
            name, content = self._upload(signed)
            data = PAGES["people"][1](Ctx(session, signed.scope, {}, self.kb))
            try:  # load_org validates everything before its first write: a refused file changed nothing
                result = load_org_upload(session=session, scope=signed.scope, filename=name, content=content,
                                         max_bytes=self.max_bytes)
            except ValidationFailed as exc:
                if not exc.problems:
                    raise
                problems = Table("errors", "Problems found (nothing was changed)", ["Problem"],
                                 [(p,) for p in exc.problems])
                return self.page(request, session, signed, "people", data, 400, before=[problems],
                                 error=str(exc).splitlines()[0] + " Nothing was changed.")
            return self.page(request, session, signed, "people", PAGES["people"][1](Ctx(session, signed.scope, {},
                             self.kb)), message=f"Loaded {name}: {result.created} new, {result.updated} updated.")

        return await self.guarded(request, work)


PAGE_HEATMAP_SKILLS = 12
PAGE_ROWS = 500


def build_console(settings: Settings, engine: Engine, kb: KnowledgeBase | None) -> Starlette:
    """The console as a Starlette app, to mount at /console or serve alone."""
    console = Console(settings, engine, kb)

    async def home(request: Request) -> Response:
        return RedirectResponse(f"{base_of(request)}/overview", status_code=303)

    routes = [
        Route("/", home),
        Route("/login", console.login),
        Route("/login/link", console.link_form, methods=["GET"]),
        Route("/login/link", console.link_post, methods=["POST"]),
        Route("/login/slack", console.oidc_start),
        Route("/login/slack/callback", console.oidc_callback, name="oidc_callback"),
        Route("/logout", console.logout, methods=["POST"]),
        Route("/overview/budget", console.set_budget, methods=["POST"]),
        Route("/catalogue/upload", console.catalogue_upload, methods=["POST"]),
        Route("/catalogue/apply", console.catalogue_apply, methods=["POST"]),
        Route("/catalogue/retire", console.catalogue_retire, methods=["POST"]),
        Route("/people/upload", console.people_upload, methods=["POST"]),
        Route("/skills/cell.csv", console.export),
        Route("/skills/cell", console.show),
        Route("/people/{user_id}.csv", console.export),
        Route("/people/{user_id}", console.show),
        Route("/{page}.csv", console.export),
        Route("/{page}", console.show),
    ]
    return Starlette(routes=routes, middleware=[Middleware(_SecurityHeaders)])

