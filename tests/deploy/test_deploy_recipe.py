"""deploy/ stays in step with the code: its variables are settings, its commands are `badger` commands, its ports
and probe paths are the ones a real `badger serve --http` listens on and answers."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import typer
import yaml

from bot.cli import app as cli_app
from core.settings import Settings
from tests.fakes.slack_server import FakeSlack
from tests.servers import ChromaServer, free_port

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
IMAGE = "badger:latest"
# Read by Python, pip or Hugging Face in the image, not by Badger's settings.
PROCESS_VARIABLES = {"PATH", "PYTHONUNBUFFERED", "HF_HUB_OFFLINE", "PIP_DISABLE_PIP_VERSION_CHECK", "PIP_NO_CACHE_DIR",
                     "PIP_EXTRA_INDEX_URL"}
GRACE_MARGIN = 5  # seconds an orchestrator's kill timeout must exceed the drain by


# reading the recipe -----------------------------------------------------------------------------------
def dockerfile() -> dict[str, Any]:
    """The runtime stage's ENV names, EXPOSE ports, ENTRYPOINT + CMD, and the HEALTHCHECK's URL."""
    text = (DEPLOY / "Dockerfile").read_text(encoding="utf-8").replace("\\\n", " ")
    runtime = text.split(" AS runtime", 1)[1]
    env = [name for line in re.findall(r"^ENV (.+)$", text, re.M) for name in re.findall(r"(\w+)=", line)]
    instruction = {key: json.loads(value) for key, value in re.findall(r"^(ENTRYPOINT|CMD) (\[.*\])$", runtime, re.M)}
    return {"env": env, "expose": [int(p) for p in re.findall(r"^EXPOSE (\d+)", runtime, re.M)],
            "command": instruction["ENTRYPOINT"] + instruction["CMD"],
            "healthcheck": re.findall(r"http://127\.0\.0\.1:(\d+)(/\w+)", runtime)}


def compose() -> dict[str, Any]:
    """compose.yaml, anchors and merge keys resolved."""
    loaded: dict[str, Any] = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))
    return loaded


def badger_services() -> dict[str, dict[str, Any]]:
    """The compose services that run the `badger` entrypoint of the Badger image."""
    return {name: s for name, s in compose()["services"].items()
            if s.get("image") == IMAGE and s.get("entrypoint") in (None, ["badger"])}


def manifests() -> list[dict[str, Any]]:
    """Every Kubernetes object in deploy/k8s."""
    return [doc for path in sorted((DEPLOY / "k8s").glob("*.yaml"))
            for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")) if doc and "kind" in doc]


def of_kind(kind: str) -> list[dict[str, Any]]:
    return [m for m in manifests() if m["kind"] == kind]


def badger_containers() -> list[dict[str, Any]]:
    """Containers of the Badger image that run `badger` (not `chroma`)."""
    found = []
    for workload in of_kind("Deployment") + of_kind("Job") + of_kind("StatefulSet"):
        for container in workload["spec"]["template"]["spec"]["containers"]:
            if container["image"] == IMAGE and container.get("command") in (None, ["badger"]):
                found.append(container)
    return found


def settings_variables() -> set[str]:
    """Every environment variable Settings reads (field names and aliases, upper-cased)."""
    names = set()
    for name, field in Settings.model_fields.items():
        names |= {name.upper(), *(str(a).upper() for a in (field.alias, field.validation_alias) if a)}
    return names


def serve_port() -> int:
    """The port `badger serve --http` binds by default."""
    serve = typer.main.get_command(cli_app).get_command(None, "serve")  # type: ignore[attr-defined]
    [port] = [p.default for p in serve.params if p.name == "port"]
    return int(port)


def parse_cli(args: list[str]) -> list[str]:
    """Parse `badger ARGS` with the real CLI (without running it); the command path, e.g. ["db", "upgrade"]."""
    command: Any = typer.main.get_command(cli_app)
    context = command.make_context("badger", list(args))
    path = []
    while hasattr(command, "resolve_command"):
        rest = [*(getattr(context, "_protected_args", None) or context.protected_args), *context.args]
        name, command, rest = command.resolve_command(context, rest)
        path.append(name)
        context = command.make_context(name, rest, parent=context)
    return path


def grace(value: str | int) -> int:
    """Seconds in "25s" or 25."""
    return int(str(value).removesuffix("s"))


# the tests ----------------------------------------------------------------------------------------
def test_every_variable_the_recipe_sets_is_a_setting() -> None:
    known = settings_variables()
    set_here = {
        "Dockerfile": set(dockerfile()["env"]) - PROCESS_VARIABLES,
        "compose.yaml": {v for s in badger_services().values() for v in (s.get("environment") or {})},
        "k8s ConfigMap/Secret": {k for m in of_kind("ConfigMap") + of_kind("Secret")
                                 for k in {**m.get("data", {}), **m.get("stringData", {})}},
        "k8s containers": {e["name"] for c in badger_containers() for e in c.get("env", [])},
    }
    unknown = {where: sorted(names - known) for where, names in set_here.items()}
    assert unknown == {where: [] for where in set_here}
    assert set_here["Dockerfile"] and set_here["compose.yaml"] and set_here["k8s ConfigMap/Secret"]
    refs = {(kind, ref["name"]) for c in badger_containers() for e in c.get("envFrom", [])
            for kind, ref in (("ConfigMap", e.get("configMapRef")), ("Secret", e.get("secretRef"))) if ref}
    assert refs == {(m["kind"], m["metadata"]["name"]) for m in of_kind("ConfigMap") + of_kind("Secret")}
    assert {"DATABASE_URL", "CHROMA_URL", "SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET"} <= set_here["compose.yaml"]


def test_every_command_the_recipe_runs_is_a_badger_command() -> None:
    commands = [dockerfile()["command"][1:]]  # after the "badger" entrypoint
    commands += [s["command"] for s in badger_services().values()]
    commands += [c["args"] for c in badger_containers()]
    assert {" ".join(parse_cli(args)) for args in commands} == {"serve", "db upgrade"}
    with pytest.raises(Exception, match="No such"):
        parse_cli(["serve", "--no-such-option"])  # the parser does refuse what the CLI does not have


def test_ports_are_the_port_badger_serves_on() -> None:
    port, docker = serve_port(), dockerfile()
    assert docker["expose"] == [port] and docker["command"][-2:] == ["--port", str(port)]
    assert {int(p) for p, _ in docker["healthcheck"]} == {port}
    assert {int(m.split(":")[1]) for s in badger_services().values() for m in s.get("ports", [])} == {port}
    serving = [c["args"] for c in badger_containers() if c["args"][:1] == ["serve"]]
    assert serving and all(args[args.index("--port") + 1] == str(port) for args in serving)
    [deployment] = of_kind("Deployment")
    [container] = deployment["spec"]["template"]["spec"]["containers"]
    assert [p["containerPort"] for p in container["ports"]] == [port]
    probes = [container[k]["httpGet"] for k in ("readinessProbe", "livenessProbe", "startupProbe")]
    assert {p["port"] for p in probes} == {port}
    services = [s for s in of_kind("Service") if s["spec"]["selector"] == deployment["spec"]["selector"]["matchLabels"]]
    assert [p["targetPort"] for s in services for p in s["spec"]["ports"]] == [port]


def test_the_kill_timeout_leaves_the_drain_its_grace() -> None:
    [config] = [m for m in of_kind("ConfigMap") if m["metadata"]["name"] == "badger"]
    drain = int(config["data"]["BADGER_SHUTDOWN_GRACE_SECONDS"])
    [deployment] = of_kind("Deployment")
    assert deployment["spec"]["template"]["spec"]["terminationGracePeriodSeconds"] >= drain + GRACE_MARGIN
    replicas = [s for s in badger_services().values() if s.get("command", [])[:1] == ["serve"]]
    assert len(replicas) == 2
    for service in replicas:
        assert int(service["environment"]["BADGER_SHUTDOWN_GRACE_SECONDS"]) == drain
        assert grace(service["stop_grace_period"]) >= drain + GRACE_MARGIN


def probe_paths() -> set[str]:
    """Every HTTP path the recipe probes."""
    [deployment] = of_kind("Deployment")
    [container] = deployment["spec"]["template"]["spec"]["containers"]
    paths = {container[k]["httpGet"]["path"] for k in ("readinessProbe", "livenessProbe", "startupProbe")}
    return paths | {path for _, path in dockerfile()["healthcheck"]}


@pytest.fixture
def served(tmp_path: Path, slack: FakeSlack) -> Iterator[str]:
    """`badger serve` started with the Deployment's own arguments (on a free port) against the fake Slack."""
    [deployment] = of_kind("Deployment")
    [container] = deployment["spec"]["template"]["spec"]["containers"]
    args, port = list(container["args"]), free_port()
    (tmp_path / "data").mkdir()  # the image creates BADGER_DATA_DIR (/var/lib/badger) for its user
    args[args.index("--port") + 1] = str(port)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "BADGER_DATA_DIR": str(tmp_path / "data"),
           "SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": "deploy-test-secret",
           "SLACK_API_URL": slack.api_url, "BADGER_ANSWER_PROCESSES": "0"}
    for name in ("SLACK_APP_TOKEN", "OPENAI_API_KEY", "DATABASE_URL", "CHROMA_URL"):
        env.pop(name, None)
    log = (tmp_path / "serve.log").open("w")
    process = subprocess.Popen([sys.executable, "-m", "bot.cli", *args, "--host", "127.0.0.1"], cwd=tmp_path,
                               env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            assert process.poll() is None, (tmp_path / "serve.log").read_text()[-3000:]
            assert time.monotonic() < deadline, f"{shlex.join(args)} did not answer /healthz"
            try:
                if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.2)  # poll until the server answers
        yield url
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def test_probe_paths_are_served_by_badger_serve(served: str) -> None:
    paths = probe_paths()
    assert {"/healthz", "/readyz"} <= paths
    status = {path: _poll_ok(f"{served}{path}") for path in sorted(paths)}
    assert status == dict.fromkeys(paths, 200)


def _poll_ok(url: str, timeout: float = 60.0) -> int:
    """GET until 200 (a readiness probe may say 503 while the replica warms up) or 404; the last status."""
    deadline = time.monotonic() + timeout
    while True:
        code = httpx.get(url, timeout=5).status_code
        if code in (200, 404) or time.monotonic() > deadline:
            return code
        time.sleep(0.2)  # poll: readiness turns true once warm


def test_the_chroma_server_runs_and_is_probed_as_the_real_one(chroma_server: ChromaServer) -> None:
    [statefulset] = [m for m in of_kind("StatefulSet") if m["metadata"]["name"] == "chroma"]
    [container] = statefulset["spec"]["template"]["spec"]["containers"]
    service = compose()["services"]["chroma"]
    for command in (container["command"] + container["args"], service["entrypoint"] + service["command"]):
        assert command[:2] == ["chroma", "run"]  # as tests/servers.py starts it
        assert {a for a in command if a.startswith("-")} == {"--host", "--port", "--path"}
        assert command[command.index("--host") + 1] == "0.0.0.0"  # reachable from the other containers
    port = int(container["args"][container["args"].index("--port") + 1])
    assert container["readinessProbe"]["httpGet"]["port"] == port == container["ports"][0]["containerPort"]
    compose_probe = re.search(r"http://127\.0\.0\.1:(\d+)(/\S+?)'", " ".join(service["healthcheck"]["test"]))
    assert compose_probe is not None and int(compose_probe.group(1)) == port
    assert "chroma:8000" in compose()["x-badger"]["environment"]["CHROMA_URL"]
    for path in (container["readinessProbe"]["httpGet"]["path"], compose_probe.group(2)):
        assert httpx.get(f"{chroma_server.url}{path}", timeout=5).status_code == 200
