"""Shared parts of the HTTP benchmarks: servers on 127.0.0.1 and a wrk load from another process.

Every figure is printed next to the floor measured in the same run: the bare Starlette +
sqlite3 server of ``bench/bare_server.py`` on the same uvicorn stack (1 worker).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx2

from metric_registry import MetricRegistry, TokenScope

WRK_HINT = "wrk is needed: apt-get install -y wrk"


@dataclass(frozen=True)
class Load:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextlib.contextmanager
def running(command: list[str], port: int) -> Iterator[str]:
    """Run a server command until the block ends; yield its base URL once it answers."""
    base_url = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 20
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"server exited: {process.stderr.read().decode()[-2000:]}")
            with contextlib.suppress(httpx2.TransportError):
                httpx2.get(base_url + "/", timeout=0.5)
                break
            if time.monotonic() > deadline:
                raise RuntimeError("server did not start")
            time.sleep(0.05)
        yield base_url
    finally:
        process.terminate()
        process.wait(timeout=10)


@contextlib.contextmanager
def workdir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="mr-bench-") as folder:
        yield Path(folder)


@contextlib.contextmanager
def bare_server(db_path: Path) -> Iterator[str]:
    MetricRegistry(str(db_path)).close()  # the same schema as the product's
    port = free_port()
    command = [sys.executable, "-m", "bench.bare_server", str(db_path), str(port)]
    with running(command, port) as base_url:
        yield base_url


@contextlib.contextmanager
def product_server(db_path: Path, *extra_args: str) -> Iterator[tuple[str, str]]:
    """``metric-registry serve`` on ``db_path``; yields (base URL, write token)."""
    with MetricRegistry(str(db_path)) as registry:
        token = registry.issue_token(f"bench-{time.time_ns()}", TokenScope.WRITE).secret
    port = free_port()
    command = [sys.executable, "-m", "metric_registry", "serve", "--db", str(db_path)]
    command += ["--port", str(port), "--no-graphiql", "--no-access-log", *extra_args]
    with running(command, port) as base_url:
        yield base_url, token


def _header_lines(headers: dict[str, str]) -> str:
    return "".join(
        f"wrk.headers[{json.dumps(key)}] = {json.dumps(value)}\n" for key, value in headers.items()
    )


def post_script(path: str, body_template: str, headers: dict[str, str]) -> str:
    """A wrk Lua script POSTing ``body_template`` with ``{uid}`` replaced by a fresh uid."""
    before, after = body_template.split("{uid}")
    return (
        f'wrk.method = "POST"\n{_header_lines(headers)}'
        "local counter = 0\n"
        "math.randomseed(os.time() + math.floor(os.clock() * 1000000))\n"
        'local prefix = "u" .. tostring(math.random(100000000, 999999999)) .. "_"\n'
        "request = function()\n"
        "  counter = counter + 1\n"
        f"  local body = {json.dumps(before)} .. prefix .. counter .. {json.dumps(after)}\n"
        f"  return wrk.format(nil, {json.dumps(path)}, nil, body)\n"
        "end\n" + _SUMMARY
    )


def get_script(headers: dict[str, str]) -> str:
    """A wrk Lua script GETting the URL it is given."""
    return _header_lines(headers) + _SUMMARY


def post_same_script(body: str, headers: dict[str, str]) -> str:
    """A wrk Lua script POSTing the same ``body`` to the URL it is given (e.g. a GraphQL query)."""
    return f'wrk.method = "POST"\nwrk.body = {json.dumps(body)}\n' + get_script(headers)


_SUMMARY = """
done = function(summary, latency, requests)
  local errors = summary.errors.status + summary.errors.connect + summary.errors.read
    + summary.errors.write + summary.errors.timeout
  io.write(string.format("RESULT %f %f %f %d\\n", summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, errors))
end
"""


def wrk(url: str, script: str, *, connections: int, seconds: float) -> Load:
    """Load ``url`` with wrk (1 thread) running ``script``; non-2xx answers count as errors."""
    if shutil.which("wrk") is None:
        raise SystemExit(WRK_HINT)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "-s", handle.name, url]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    Path(handle.name).unlink()
    match = re.search(r"RESULT (\S+) (\S+) (\S+) (\d+)", output)
    if match is None:
        raise RuntimeError(f"unexpected wrk output:\n{output}")
    rps, p50, p99, errors = match.groups()
    return Load(float(rps), float(p50), float(p99), int(errors))


def run_label(name: str) -> str:
    """``name``, the UTC time and the commit measured: the first line of every benchmark."""
    started = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).parent,
    ).stdout.strip()
    return f"{name} {started} (HEAD {commit}), {os.cpu_count()} CPUs"


def print_comparison(label: str, product: Load, floor: Load, target: str) -> None:
    ratio = product.requests_per_second / floor.requests_per_second
    latency_ratio = product.p50_ms / floor.p50_ms if floor.p50_ms else float("nan")
    print(
        f"{label:<28} {product.requests_per_second:9.0f} req/s vs floor "
        f"{floor.requests_per_second:9.0f} req/s  ratio {ratio:5.2f}x  "
        f"p50 {product.p50_ms:6.3f} ms vs {floor.p50_ms:6.3f} ms ({latency_ratio:4.1f}x)  "
        f"errors {product.errors}/{floor.errors}  target {target}"
    )
