"""Server processes that the tests and the benchmarks start on 127.0.0.1 and stop afterwards: one way to pick a
port, wait until a process answers, and stop it."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running(command: list[str], ready: str, *, name: str, seconds: float = 120.0,
            env: dict | None = None) -> Iterator[subprocess.Popen]:
    """Start ``command`` (with ``env`` if given); yield it once GET ``ready`` answers 200; stop it on the way out
    (killed if it does not stop within 30 s). RuntimeError, naming ``name``, when it exits first or is not up
    in ``seconds``."""
    import httpx

    proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + seconds
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"{name} exited with {proc.returncode} before it answered")
            try:
                if httpx.get(ready, timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{name} did not answer {ready} within {seconds:g} s")
            time.sleep(0.5)
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


@contextmanager
def chroma_server(data: Path, seconds: float = 60.0) -> Iterator[str]:
    """A `chroma run` server keeping its data in ``data``: its URL."""
    exe = shutil.which("chroma")
    if exe is None:
        raise RuntimeError("the `chroma` command (from the chromadb package) is not on PATH")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = [exe, "run", "--path", str(data), "--host", "127.0.0.1", "--port", str(port)]
    with running(command, f"{url}/api/v2/heartbeat", name="chroma server", seconds=seconds):
        yield url
