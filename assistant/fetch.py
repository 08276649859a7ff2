"""`assistant add URL`: fetch a page, extract its article text with trafilatura, save it under corpus/."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

from .errors import FetchError
from .settings import Settings

TIMEOUT = 20.0


def _slug(url: str) -> str:
    tail = re.sub(r"[^A-Za-z0-9]+", "-", url.split("://", 1)[-1]).strip("-").lower()
    return tail[:80] or "page"


def fetch_html(url: str) -> str:
    import httpx

    if not re.match(r"https?://", url):
        raise FetchError(f"{url!r} is not an http(s) URL")
    try:
        response = httpx.get(url, timeout=TIMEOUT, follow_redirects=True, headers={"User-Agent": "assistant/0.1"})
        response.raise_for_status()
    except httpx.HTTPError as exc:
        raise FetchError(f"cannot fetch {url}: {exc}; save the page under corpus/ by hand instead") from exc
    return response.text


def extract(html: str, url: str) -> tuple[str, str]:
    """(title, text) of the main content of a page."""
    import trafilatura

    doc = trafilatura.bare_extraction(html, url=url, favor_recall=True, with_metadata=True)
    text = (doc.text if doc else "") or ""
    if not text.strip():
        raise FetchError(f"no article text found at {url}")
    return (doc.title or "", text.strip() + "\n")


_SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")


def check_id(doc_id: str) -> str:
    """An id names a file inside corpus/fetched/: letters, digits, '.', '_' and '-' only, no path."""
    if not _SAFE_ID.fullmatch(doc_id) or ".." in doc_id:
        raise FetchError(f"--id {doc_id!r} is not a safe name: use letters, digits, '.', '_' and '-' (e.g. ap-2025-05-14)")
    return doc_id


def add_url(url: str, settings: Settings, *, doc_id: str | None = None) -> Path:
    """Save the extracted text of ``url`` as corpus/fetched/<name>.txt with a metadata sidecar."""
    if doc_id is not None:
        check_id(doc_id)  # before any network call
    title, text = extract(fetch_html(url), url)
    folder = settings.corpus_dir / "fetched"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{doc_id or _slug(url)}.txt"
    path.write_text(text, encoding="utf-8")
    meta = {"url": url, "title": title, "fetched": date.today().isoformat()}
    if doc_id:
        meta["id"] = doc_id
    path.with_name(path.name + ".meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")
    return path
