"""`badger serve`: the Slack app, in Socket Mode (SLACK_APP_TOKEN) or HTTP mode (`--http`), with the deliverer."""

from __future__ import annotations

import logging
import signal
import threading
from typing import Annotated, Any

import typer
from rich.markup import escape

from bot.console import err, load_settings, out, user_errors
from core.errors import ConfigurationError
from core.logging import setup_logging
from core.settings import Settings

logger = logging.getLogger(__name__)
NOISY = ("slack_bolt", "slack_sdk", "bot.slack.bolt", "urllib3", "httpx", "chromadb", "alembic")


def check_slack_settings(settings: Settings, *, http: bool) -> None:
    """Fail early, naming the missing setting, before anything connects."""
    if settings.slack_bot_token is None:
        raise ConfigurationError("SLACK_BOT_TOKEN is not set. Create the app from slack/manifest.yml, install it, "
                                 "and put its xoxb- token in .env (README: \"Connect to Slack\").")
    if http and settings.slack_signing_secret is None:
        raise ConfigurationError("HTTP mode needs SLACK_SIGNING_SECRET (Basic Information → App Credentials).")
    if not http and settings.slack_app_token is None:
        hint = " or run `badger serve --http`" if settings.slack_signing_secret else ""
        raise ConfigurationError(f"Socket Mode needs SLACK_APP_TOKEN (an xapp- token with connections:write){hint}.")


def serve(
    http: Annotated[bool, typer.Option("--http", help="Serve HTTP (events, commands, interactivity) instead of "
                                                      "Socket Mode; for replicas behind a load balancer.")] = False,
    host: Annotated[str, typer.Option(help="HTTP mode: the address to bind.")] = "0.0.0.0",  # noqa: S104
    port: Annotated[int, typer.Option(help="HTTP mode: the port (0 picks a free one).", min=0, max=65535)] = 3000,
) -> None:
    """Run the Slack app: Socket Mode when SLACK_APP_TOKEN is set, or `--http` on /slack/events and /healthz."""
    settings = load_settings()
    setup_logging(settings.log_level, json_format=settings.log_json)  # a server logs at INFO, unlike the CLI
    for name in NOISY:
        if settings.log_level != "DEBUG":
            logging.getLogger(name).setLevel(logging.WARNING)
    with user_errors():
        run_server(settings, http=http, host=host, port=port)


def run_server(settings: Settings, *, http: bool, host: str = "0.0.0.0", port: int = 3000) -> None:  # noqa: S104
    """Migrate, build the app, start the deliverer and the scheduler, then serve until interrupted."""
    check_slack_settings(settings, http=http)
    from slack_sdk.errors import SlackApiError

    from jobs.slack_client import web_client
    from skills.issuing.identity import refuse_exposed_key

    refuse_exposed_key(settings)  # a badge-signing key others can read must not go live
    client = web_client(settings)
    try:  # before anything starts: a refused token is the operator's to fix, not a traceback
        client.auth_test()
    except SlackApiError as exc:
        raise ConfigurationError(f"Slack refused the bot token ({exc.response.get('error', 'unknown error')}); "
                                 "check SLACK_BOT_TOKEN and SLACK_API_URL.") from None
    if settings.badger_answer_processes:  # several processes record metrics: prometheus_client's multiprocess mode
        from core.multiproc import use_multiprocess_dir

        use_multiprocess_dir()  # before anything imports prometheus_client (the outbox, the web app)
    from bot.cli_db import upgrade_database
    from bot.slack.app import build_app
    from bot.slack.outbox import Deliverer
    from bot.slack.services import Services

    upgrade_database(settings.resolved_database_url)
    services = Services.build(settings)
    services.start_workers(client)
    services.warm_up()
    app = build_app(services, client=client, socket_mode=not http)
    stop = threading.Event()
    deliverer = Deliverer(client, services.engine, concurrency=settings.badger_outbox_concurrency)
    thread = threading.Thread(target=deliverer.run_forever, args=(stop, settings.badger_outbox_interval_seconds),
                              name="badger-outbox", daemon=True)
    thread.start()
    from jobs.scheduler import SchedulerService

    # Every replica runs one; a lease in the database picks the one whose scheduler fires the jobs.
    scheduler = SchedulerService(settings, services.engine).start(stop)
    previous = signal.getsignal(signal.SIGINT) if threading.current_thread() is threading.main_thread() else None
    try:
        if http:
            _serve_http(app, services, host, port, stop)
        else:
            _serve_socket_mode(app, services, stop)
    finally:
        if previous is not None:  # SIGTERM is left ignored-as-drain until exit; Ctrl-C goes back to the caller's
            signal.signal(signal.SIGINT, previous)
        stop.set()
        services.stop_workers(settings.badger_shutdown_grace_seconds)
        thread.join(timeout=5)
        scheduler.join(timeout=5)
        if settings.badger_answer_processes:
            from core.multiproc import remove_multiprocess_dir

            remove_multiprocess_dir()
    logger.info("serve.stopped")


def _serve_http(app: Any, services: Any, host: str, port: int, stop: threading.Event) -> None:
    from bot.web.app import EVENTS_PATH, Readiness, build_web_app
    from bot.web.server import bind, build_server

    settings = services.settings
    readiness = Readiness(answers=lambda: services.pool is None or services.pool.ready)
    readiness.warm.set()  # services.warm_up() has run
    server = build_server(build_web_app(settings, services, app, readiness=readiness), settings)
    sock = bind(host, port)

    def drain() -> None:  # readiness false at once; answers in hand finish (bounded); then HTTP stops
        readiness.draining.set()
        services.stop_workers(settings.badger_shutdown_grace_seconds)
        server.should_exit = True

    _on_term(drain, stop)
    bound = sock.getsockname()[1]
    out.print(f"[green]Badger is serving[/green] http://{escape(host)}:{bound}{EVENTS_PATH} "
              f"({services.assistant.mode} mode); /healthz, /readyz, /metrics. Ctrl-C stops.")
    logger.info("serve.http host=%s port=%d server=uvicorn", host, bound)
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()


def _serve_socket_mode(app: Any, services: Any, stop: threading.Event) -> None:
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    settings = services.settings
    assert settings.slack_app_token is not None
    handler = SocketModeHandler(app, settings.slack_app_token.get_secret_value())
    handler.connect()  # type: ignore[no-untyped-call]
    out.print("[green]Badger is connected to Slack[/green] (Socket Mode). Ctrl-C stops.")
    logger.info("serve.socket_mode connected")
    _on_term(lambda: services.stop_workers(settings.badger_shutdown_grace_seconds), stop)
    try:
        stop.wait()
    finally:
        handler.close()  # type: ignore[no-untyped-call]


def _on_term(shutdown: Any, stop: threading.Event) -> None:
    """SIGTERM (a container stopping) or Ctrl-C: stop claiming work, drain within the grace, then stop serving."""
    if threading.current_thread() is not threading.main_thread():
        return

    def _handler(signum: int, _frame: Any) -> None:
        if stop.is_set():
            return
        if signum == signal.SIGINT:
            err.print("Stopping.")
        logger.info("serve.draining signal=%s", signal.Signals(signum).name)
        stop.set()
        threading.Thread(target=shutdown, name="badger-drain", daemon=True).start()

    signal.signal(signal.SIGTERM, _handler)
    signal.signal(signal.SIGINT, _handler)
