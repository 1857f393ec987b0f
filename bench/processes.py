"""The processes the harness starts and always stops: `storekeeper` commands, `storekeeper serve`,
the ceiling app, the load process, and a PostgreSQL database of its own."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy.engine import make_url

from storekeeper.persistence.database import normalize_url

ROOT = Path(__file__).resolve().parent.parent
_SCRIPT = shutil.which("storekeeper", path=str(Path(sys.executable).parent))
STOREKEEPER = [_SCRIPT] if _SCRIPT else [sys.executable, "-m", "storekeeper.cli.main"]
STARTUP_SECONDS = 60


def environment(database_url: str) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if not name.startswith("STOREKEEPER_")}
    # Keep the operator's SQLite durability choice: it is part of what is measured.
    if "STOREKEEPER_SQLITE_SYNCHRONOUS" in os.environ:
        env["STOREKEEPER_SQLITE_SYNCHRONOUS"] = os.environ["STOREKEEPER_SQLITE_SYNCHRONOUS"]
    env.update(STOREKEEPER_DATABASE_URL=database_url, STOREKEEPER_RATE_LIMIT_ENABLED="false",
               STOREKEEPER_LOG_LEVEL="WARNING", PYTHONUNBUFFERED="1")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cli(database_url: str, *args: str, cwd: Path, timeout: float = 1800) -> subprocess.CompletedProcess:
    """Run a `storekeeper` command on the database."""
    return subprocess.run([*STOREKEEPER, *args], env=environment(database_url), cwd=cwd, capture_output=True,
                          text=True, timeout=timeout)


def cli_json(database_url: str, *args: str, cwd: Path) -> dict[str, Any]:
    result = cli(database_url, *args, "--json", cwd=cwd)
    if result.returncode != 0:
        raise RuntimeError(f"`storekeeper {' '.join(args)}` failed ({result.returncode}):\n{result.stderr}")
    return json.loads(result.stdout)


@dataclass
class Service:
    """An HTTP server process of ours, in a process group of its own."""

    name: str
    url: str
    process: subprocess.Popen
    log: Path
    stopped: bool = field(default=False)

    def stop(self) -> None:
        if self.stopped:
            return
        self.stopped = True
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                pass
        # uvicorn stops its workers itself; anything left of the group we made goes now.
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self.process.wait(timeout=15)

    def cpu_seconds(self) -> float:
        """User + system CPU of the process and its descendants (the workers) so far."""
        total = 0
        for pid in [self.process.pid, *_descendants(self.process.pid)]:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += int(fields[11]) + int(fields[12])  # utime, stime, in clock ticks
        return total / os.sysconf("SC_CLK_TCK")

    def peak_rss_mb(self) -> dict[str, float]:
        """The peak resident memory (VmHWM, MB) of the process and of each of its descendants, by
        "pid command". Summed, pages shared between them count once per process."""
        return {f"{pid} {_command(pid)}": _vm_hwm_kb(pid) / 1024
                for pid in [self.process.pid, *_descendants(self.process.pid)]}


def start(name: str, command: list[str], env: dict[str, str], directory: Path, health: str,
          expect: int = 200) -> Service:
    """Start a server process and wait until GET `health` (a path) answers `expect`."""
    port = free_port()
    log = directory / f"{name}.log"
    with log.open("w") as out:
        process = subprocess.Popen([*command, "--host", "127.0.0.1", "--port", str(port)], env=env, cwd=directory,
                                   stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    service = Service(name, f"http://127.0.0.1:{port}", process, log)
    deadline = time.monotonic() + STARTUP_SECONDS
    try:
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"{name} exited with {process.returncode}:\n{log.read_text()[-3000:]}")
            try:
                if httpx.get(service.url + health, timeout=1).status_code == expect:
                    time.sleep(1)  # the first worker answered; give the others their second to start
                    return service
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{name} was not up after {STARTUP_SECONDS}s:\n{log.read_text()[-3000:]}")
            time.sleep(0.2)
    except BaseException:
        service.stop()
        raise


def serve(database_url: str, workers: int, directory: Path) -> Service:
    return start("storekeeper", [*STOREKEEPER, "serve", "--workers", str(workers), "--no-worker"],
                 environment(database_url), directory, "/healthz")


def ceiling(workers: int, directory: Path) -> Service:
    """bench/ceiling.py under uvicorn as `storekeeper serve` runs it: same workers, loop and parser."""
    command = [sys.executable, "-m", "uvicorn", "bench.ceiling:app", "--workers", str(workers),
               "--log-level", "warning", "--no-access-log"]
    # Its one route is a POST: a GET of it answering 405 means it is up.
    return start("ceiling", command, environment("sqlite://"), directory, "/ceiling", expect=405)


def drive(spec: dict[str, Any]) -> dict[str, Any]:
    """Run one workload in the load process (bench/client.py), a process of its own."""
    result = subprocess.run([sys.executable, "-m", "bench.client"], input=json.dumps(spec), capture_output=True,
                            text=True, cwd=ROOT, env=environment("sqlite://"), timeout=3600)
    if result.returncode != 0:
        raise RuntimeError(f"the load process failed on {spec['kind']}:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout)


def _descendants(pid: int) -> list[int]:
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        parents.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        children = parents.get(todo.pop(), [])
        found += children
        todo += children
    return found


def _command(pid: int) -> str:
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return "?"
    words = [Path(a.decode(errors="replace")).name if i == 0 else a.decode(errors="replace")
             for i, a in enumerate(argv[:3]) if a]
    return " ".join(words)[:60]


def _vm_hwm_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


class PostgresDatabase:
    """A database of its own on a PostgreSQL server (`bench_<pid>`), dropped afterwards."""

    def __init__(self, server_url: str):
        self.admin = make_url(normalize_url(server_url)).set(drivername="postgresql")
        self.name = f"bench_{os.getpid()}"
        self.url = make_url(normalize_url(server_url)).set(database=self.name).render_as_string(hide_password=False)

    def _run(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self.admin.render_as_string(hide_password=False), autocommit=True) as conn:
            conn.execute(sql)

    def create(self) -> str:
        self._run(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        self._run(f'CREATE DATABASE "{self.name}"')
        return self.url

    def drop(self) -> None:
        self._run(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
