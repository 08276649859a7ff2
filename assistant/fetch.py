"""`assistant add URL`: fetch a page, extract its article text with trafilatura, save it under corpus/fetched/.

Downloads are bounded: a size cap, an overall deadline (not only per read), HTML or plain text only, and
no loopback or private addresses unless asked for (``allow_private``).
"""

from __future__ import annotations

import ipaddress
import json
import re
import socket
import time
from datetime import date
from pathlib import Path
from urllib.parse import urlparse

from .errors import FetchError
from .settings import Settings

READ_TIMEOUT = 20.0
TEXT_TYPES = ("text/html", "application/xhtml+xml", "text/plain")
_SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
META_SUFFIX = ".meta.json"


def _slug(url: str) -> str:
    tail = re.sub(r"[^A-Za-z0-9]+", "-", url.split("://", 1)[-1]).strip("-").lower()
    return tail[:80] or "page"


def check_id(doc_id: str) -> str:
    """An id names a file inside corpus/fetched/: letters, digits, '.', '_' and '-' only, no path."""
    if not _SAFE_ID.fullmatch(doc_id) or ".." in doc_id:
        raise FetchError(f"--id {doc_id!r} is not a safe name: use letters, digits, '.', '_' and '-' (e.g. ap-2025-05-14)")
    return doc_id


def check_address(url: str, *, allow_private: bool) -> None:
    """Refuse non-http(s) URLs, and hosts on loopback, private or link-local addresses unless allowed."""
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise FetchError(f"{url!r} is not an http(s) URL")
    if allow_private:
        return
    try:
        infos = socket.getaddrinfo(parsed.hostname, parsed.port or 443, proto=socket.IPPROTO_TCP)
    except OSError as exc:
        raise FetchError(f"cannot resolve {parsed.hostname} ({exc})") from exc
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if address.is_private or address.is_loopback or address.is_link_local or address.is_reserved:
            raise FetchError(f"{parsed.hostname} is a local or private address ({address}); "
                             "pass --allow-private to fetch from it")


def fetch_html(url: str, settings: Settings | None = None, *, allow_private: bool = False) -> str:
    """The page's text, read as a stream: at most ``max_download_mb``, within ``fetch_deadline`` seconds."""
    import httpx

    settings = settings or Settings()
    limit = int(settings.max_download_mb * 1024 * 1024)
    deadline = time.monotonic() + settings.fetch_deadline

    def check_hop(request) -> None:  # the first address and every redirect hop, checked alike
        check_address(str(request.url), allow_private=allow_private)

    try:
        with httpx.Client(timeout=READ_TIMEOUT, follow_redirects=True, headers={"User-Agent": "assistant/0.1"},
                          event_hooks={"request": [check_hop]}) as client, client.stream("GET", url) as response:
            response.raise_for_status()
            kind = response.headers.get("content-type", "text/html").split(";")[0].strip().lower()
            if kind not in TEXT_TYPES:
                raise FetchError(f"{url} is {kind}, not a web page or text; save the file under corpus/ by hand")
            if int(response.headers.get("content-length") or 0) > limit:
                raise FetchError(f"{url} is larger than the {settings.max_download_mb} MB limit (ASSISTANT_MAX_DOWNLOAD_MB)")
            body = bytearray()
            for piece in response.iter_bytes():
                body += piece
                if len(body) > limit:
                    raise FetchError(f"{url} is larger than the {settings.max_download_mb} MB limit (ASSISTANT_MAX_DOWNLOAD_MB)")
                if time.monotonic() > deadline:
                    raise FetchError(f"{url} took longer than {settings.fetch_deadline:.0f} s (ASSISTANT_FETCH_DEADLINE)")
            return body.decode(response.encoding or "utf-8", errors="replace")
    except httpx.HTTPError as exc:
        raise FetchError(f"cannot fetch {url}: {exc}; save the page under corpus/ by hand instead") from exc


def extract(html: str, url: str) -> tuple[str, str]:
    """(title, text) of the main content of a page."""
    import trafilatura

    doc = trafilatura.bare_extraction(html, url=url, favor_recall=True, with_metadata=True)
    text = (doc.text if doc else "") or ""
    if not text.strip():
        raise FetchError(f"no article text found at {url}")
    return (doc.title or "", text.strip() + "\n")


def _already_saved(folder: Path, url: str) -> Path | None:
    for meta in folder.glob(f"*{META_SUFFIX}"):
        try:
            if json.loads(meta.read_text(encoding="utf-8")).get("url") == url:
                return meta.with_name(meta.name[: -len(META_SUFFIX)])
        except (OSError, ValueError):
            continue
    return None


def add_url(url: str, settings: Settings, *, doc_id: str | None = None, force: bool = False,
            allow_private: bool = False) -> Path:
    """Save the extracted text of ``url`` as corpus/fetched/<name>.txt with a metadata sidecar.

    An existing file, or the same URL saved before, is kept unless ``force``.
    """
    if doc_id is not None:
        check_id(doc_id)  # before any network call
    folder = settings.corpus_dir / "fetched"
    path = folder / f"{doc_id or _slug(url)}.txt"
    if not force:
        earlier = _already_saved(folder, url) if folder.is_dir() else None
        if earlier is not None:
            raise FetchError(f"{url} is already saved as {earlier.name}; pass --force to fetch it again")
        if path.exists():
            raise FetchError(f"{path.name} already exists in corpus/fetched/; pass --force to replace it")
    title, text = extract(fetch_html(url, settings, allow_private=allow_private), url)
    folder.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    meta = {"url": url, "title": title, "fetched": date.today().isoformat()}
    if doc_id:
        meta["id"] = doc_id
    path.with_name(path.name + META_SUFFIX).write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")
    return path
