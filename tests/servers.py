"""Throwaway real servers (PostgreSQL, Chroma) for the test suite.

Each server lives in its own temporary directory, listens only on 127.0.0.1 on a free
port, and is stopped by ``stop()``; an ``atexit`` hook and a parent-death signal are
safety nets so that no server outlives the test process.
"""

from __future__ import annotations

import atexit
import contextlib
import glob
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import IO, Protocol

PG_BIN_GLOB = "/usr/lib/postgresql/*/bin"
PG_START_TIMEOUT = 30.0
CHROMA_START_TIMEOUT = 60.0
STOP_TIMEOUT = 15.0
# A free port can be taken between free_port() and the server's bind(): retry then.
START_ATTEMPTS = 3
LOG_TAIL_LINES = 40
OWNER_FILE = "owner.pid"  # pid of the test process that owns a temp dir


# --------------------------------------------------------------------------- helpers


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def log_tail(path: Path, lines: int = LOG_TAIL_LINES) -> str:
    """Return the last ``lines`` lines of a log file, or a note if it cannot be read."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        return f"<cannot read {path}: {exc}>"
    return "\n".join(text.splitlines()[-lines:]) or "<empty log>"


def _tmp_base(for_other_user: bool) -> str:
    """Return a temp base directory (one another OS user can traverse, if required)."""
    base = tempfile.gettempdir()
    if for_other_user:
        for parent in [Path(base), *Path(base).parents]:
            if not os.stat(parent).st_mode & 0o001:
                return "/tmp"
    return base


def _make_tmpdir(prefix: str, for_other_user: bool) -> Path:
    """Create a temp dir owned by this process, first removing ones left by dead processes."""
    base = Path(_tmp_base(for_other_user))
    for stale in base.glob(f"{prefix}*"):
        try:
            owner = int((stale / OWNER_FILE).read_text())
        except (OSError, ValueError):
            continue  # not ours, or being created right now
        try:
            os.kill(owner, 0)
        except ProcessLookupError:
            shutil.rmtree(stale, ignore_errors=True)  # its pytest was SIGKILLed
        except PermissionError:
            pass  # alive, another user's
    path = Path(tempfile.mkdtemp(prefix=prefix, dir=base))
    (path / OWNER_FILE).write_text(str(os.getpid()))
    return path


def _setpriv_prefix(user: str | None) -> list[str]:
    """Return a command prefix that kills the child if we die and optionally drops to ``user``."""
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        if user is not None:
            raise RuntimeError(
                "running as root needs `setpriv` (util-linux) to drop privileges"
            )
        return []
    prefix = [setpriv, "--pdeathsig", "TERM"]
    if user is not None:
        prefix += ["--reuid", user, "--regid", user, "--init-groups"]
    return [*prefix, "--"]


class _Stoppable(Protocol):
    def stop(self) -> None: ...


_LIVE: list[_Stoppable] = []


@atexit.register
def _stop_all() -> None:
    while _LIVE:
        server = _LIVE.pop()
        with contextlib.suppress(Exception):  # best effort at interpreter exit
            server.stop()


def _terminate(proc: subprocess.Popen[bytes] | None, sig: int) -> None:
    """Send ``sig`` to a process, wait, then SIGKILL its whole process group."""
    if proc is None:
        return
    if proc.poll() is None:
        try:
            proc.send_signal(sig)
            proc.wait(timeout=STOP_TIMEOUT)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            pass
    # children (postgres backends, ...) share the group thanks to start_new_session
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=STOP_TIMEOUT)


# --------------------------------------------------------------------------- PostgreSQL


def find_pg_bindir() -> Path:
    """Return the bin directory of the highest PostgreSQL version installed."""
    candidates = [
        Path(d)
        for d in glob.glob(PG_BIN_GLOB)
        if (Path(d) / "postgres").exists() and (Path(d) / "initdb").exists()
    ]
    if not candidates:
        raise RuntimeError(
            f"no PostgreSQL server binaries found: looked for `postgres` and `initdb` in {PG_BIN_GLOB} "
            "(install e.g. the Debian package postgresql-15)"
        )

    def version(d: Path) -> tuple[int, ...]:
        return tuple(int(p) for p in re.findall(r"\d+", d.parent.name)) or (0,)

    return max(candidates, key=version)


class PostgresCluster:
    """A throwaway PostgreSQL cluster on 127.0.0.1, with fsync off; started on construction."""

    def __init__(self, bindir: Path | None = None) -> None:
        self.bindir = bindir or find_pg_bindir()
        self.user: str | None = "postgres" if os.geteuid() == 0 else None
        self.port = 0
        self.proc: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None
        self.tmpdir = _make_tmpdir("badger-pg-", for_other_user=self.user is not None)
        self.datadir = self.tmpdir / "data"
        self.sockdir = self.tmpdir / "sock"
        self.logfile = self.tmpdir / "postgres.log"
        _LIVE.append(self)
        try:
            self.sockdir.mkdir()
            if self.user is not None:
                pw = pwd.getpwnam(self.user)
                for path in (self.tmpdir, self.sockdir):
                    os.chown(path, pw.pw_uid, pw.pw_gid)
            self._initdb()
            self._start()
        except BaseException:
            self.stop()
            raise

    @property
    def admin_dsn(self) -> str:
        """Return a libpq DSN for the ``postgres`` maintenance database."""
        return f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres connect_timeout=2"

    def _initdb(self) -> None:
        cmd = [
            *_setpriv_prefix(self.user),
            str(self.bindir / "initdb"),
            "-D", str(self.datadir),
            "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8", "--no-locale",
        ]  # fmt: skip
        result = subprocess.run(
            cmd,
            cwd=self.tmpdir,
            env=self._env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            check=False,
        )
        if result.returncode != 0:
            out = result.stdout.decode(errors="replace")[-4000:]
            raise RuntimeError(
                f"initdb failed (exit {result.returncode}): {' '.join(cmd)}\n{out}"
            )

    def _env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        env.update(LC_ALL="C", LANG="C")  # -E UTF8 with the C locale: valid everywhere
        return env

    def _start(self) -> None:
        last_error = ""
        for _ in range(START_ATTEMPTS):
            self.port = free_port()
            cmd = [
                *_setpriv_prefix(self.user),
                str(self.bindir / "postgres"),
                "-D", str(self.datadir),
                "-p", str(self.port),
                "-k", str(self.sockdir),
                "-c", "listen_addresses=127.0.0.1",
                "-c", "fsync=off",
                "-c", "full_page_writes=off",
                "-c", "synchronous_commit=off",
                "-c", "max_connections=200",
                "-c", "shared_buffers=32MB",
            ]  # fmt: skip
            self._log = open(self.logfile, "ab")  # noqa: SIM115 - closed in stop()
            self.proc = subprocess.Popen(
                cmd,
                cwd=self.tmpdir,
                env=self._env(),
                stdin=subprocess.DEVNULL,
                stdout=self._log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            last_error = self._wait_ready()
            if not last_error:
                return
            _terminate(self.proc, signal.SIGQUIT)
            self._log.close()
            if "already in use" not in log_tail(self.logfile):
                break
        raise RuntimeError(
            f"PostgreSQL ({self.bindir}) did not accept connections on 127.0.0.1:{self.port} "
            f"(timeout {PG_START_TIMEOUT:.0f}s): {last_error}\n--- {self.logfile} (tail) ---\n{log_tail(self.logfile)}"
        )

    def _wait_ready(self) -> str:
        """Poll until the server accepts connections; return '' or the last error."""
        import psycopg

        assert self.proc is not None
        deadline = time.monotonic() + PG_START_TIMEOUT
        last_error = "timed out"
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return f"postgres exited with code {self.proc.returncode}"
            try:
                with psycopg.connect(self.admin_dsn) as conn:
                    conn.execute("SELECT 1")
                return ""
            except psycopg.OperationalError as exc:
                last_error = str(exc).strip()
            time.sleep(0.1)
        return last_error

    def create_database(self, name: str) -> str:
        """Create database ``name`` and return its SQLAlchemy URL (psycopg 3 driver)."""
        import psycopg
        from psycopg import sql

        with psycopg.connect(self.admin_dsn, autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return self.url(name)

    def drop_database(self, name: str) -> None:
        """Drop database ``name``, disconnecting any sessions still using it."""
        import psycopg
        from psycopg import sql

        with psycopg.connect(self.admin_dsn, autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                    sql.Identifier(name)
                )
            )

    def url(self, name: str) -> str:
        """Return the SQLAlchemy URL of database ``name`` on this cluster."""
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        """Shut the cluster down (fast, then kill) and delete its temp dir; idempotent."""
        _terminate(self.proc, signal.SIGINT)  # SIGINT = "fast" shutdown
        self.proc = None
        if self._log is not None:
            self._log.close()
            self._log = None
        shutil.rmtree(self.tmpdir, ignore_errors=True)
        if self in _LIVE:
            _LIVE.remove(self)


# --------------------------------------------------------------------------- Chroma


def chroma_executable() -> Path:
    """Return the ``chroma`` console script of the running interpreter's environment."""
    exe = Path(sys.executable).parent / "chroma"
    if not exe.exists():
        raise RuntimeError(
            f"no `chroma` console script at {exe} (pip install chromadb into this venv)"
        )
    return exe


class ChromaServer:
    """A throwaway ``chroma run`` server on 127.0.0.1; started on construction."""

    def __init__(self) -> None:
        self.exe = chroma_executable()
        self.port = 0
        self.proc: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None
        self.tmpdir = _make_tmpdir("badger-chroma-", for_other_user=False)
        self.datadir = self.tmpdir / "data"
        self.logfile = self.tmpdir / "chroma.log"
        _LIVE.append(self)
        try:
            self._start()
        except BaseException:
            self.stop()
            raise

    @property
    def url(self) -> str:
        """Return the server's base URL, e.g. ``http://127.0.0.1:8123``."""
        return f"http://127.0.0.1:{self.port}"

    def _start(self) -> None:
        env = dict(os.environ, ANONYMIZED_TELEMETRY="False")
        last_error = ""
        for _ in range(START_ATTEMPTS):
            self.port = free_port()
            cmd = [
                *_setpriv_prefix(None),
                str(self.exe), "run",
                "--host", "127.0.0.1", "--port", str(self.port), "--path", str(self.datadir),
            ]  # fmt: skip
            self._log = open(self.logfile, "ab")  # noqa: SIM115 - closed in stop()
            self.proc = subprocess.Popen(
                cmd,
                cwd=self.tmpdir,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=self._log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            last_error = self._wait_ready()
            if not last_error:
                return
            _terminate(self.proc, signal.SIGTERM)
            self._log.close()
            tail = log_tail(self.logfile).lower()
            if (
                "in use" not in tail and "not available" not in tail
            ):  # port taken: retry
                break
        raise RuntimeError(
            f"Chroma ({self.exe}) did not answer {self.url}/api/v2/heartbeat "
            f"(timeout {CHROMA_START_TIMEOUT:.0f}s): {last_error}\n"
            f"--- {self.logfile} (tail) ---\n{log_tail(self.logfile)}"
        )

    def _wait_ready(self) -> str:
        """Poll the heartbeat (v2, then v1) until it answers; return '' or the last error."""
        assert self.proc is not None
        deadline = time.monotonic() + CHROMA_START_TIMEOUT
        last_error = "timed out"
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return f"chroma exited with code {self.proc.returncode}"
            for version in ("v2", "v1"):
                try:
                    with urllib.request.urlopen(  # noqa: S310 - our own loopback http URL
                        f"{self.url}/api/{version}/heartbeat", timeout=2
                    ) as resp:
                        if resp.status == 200:
                            return ""
                except urllib.error.HTTPError as exc:
                    last_error = f"GET /api/{version}/heartbeat: HTTP {exc.code}"
                    continue  # 404 on v2: try v1
                except (urllib.error.URLError, OSError) as exc:
                    last_error = f"GET /api/{version}/heartbeat: {exc}"
                    break  # not listening yet
            time.sleep(0.2)
        return last_error

    def stop(self) -> None:
        """Terminate the server and delete its temp dir; idempotent."""
        _terminate(self.proc, signal.SIGTERM)
        self.proc = None
        if self._log is not None:
            self._log.close()
            self._log = None
        shutil.rmtree(self.tmpdir, ignore_errors=True)
        if self in _LIVE:
            _LIVE.remove(self)
