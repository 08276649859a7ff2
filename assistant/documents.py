"""Load: find the corpus files, decode them, attach their manifest metadata."""

from __future__ import annotations

import json
import logging
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path

from .errors import CorpusError
from .settings import PROJECT_ROOT
from .text import script

log = logging.getLogger("assistant")

SUFFIXES = {".txt", ".md", ".html", ".htm", ".pdf"}
MANIFEST = "manifest.toml"
SKIP_DIRS = {"lexicon"}
SKIP_NAMES = {"README.md"}
META_SUFFIX = ".meta.json"


@dataclass(frozen=True)
class Document:
    """One source text with the metadata citations show."""

    doc_id: str
    source: str
    text: str
    title: str = ""
    outlet: str = ""
    author: str = ""
    date: str = ""
    language: str = ""
    url: str = ""


def display_source(path: Path, corpus_dir: Path) -> str:
    """Path relative to the repository root when inside it, else relative to the corpus folder (never an
    absolute path: it would tell web visitors where the server keeps its files)."""
    try:
        return path.resolve().relative_to(PROJECT_ROOT).as_posix()
    except ValueError:
        return path.resolve().relative_to(corpus_dir.resolve()).as_posix()


def decode(data: bytes) -> str | None:
    """UTF-8 (with or without BOM) first, then whatever charset-normalizer finds (Big5, GB18030, ...)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    import charset_normalizer

    best = charset_normalizer.from_bytes(data).best()
    return None if best is None else str(best)


def _html_text(data: bytes) -> str | None:
    import trafilatura

    html = decode(data)
    if not html:
        return None
    return trafilatura.extract(html, include_comments=False, include_tables=True, favor_recall=True)


def _pdf_text(path: Path) -> str | None:
    from pypdf import PdfReader

    reader = PdfReader(str(path))
    return "\n".join((page.extract_text() or "") for page in reader.pages)


def read_text(path: Path) -> str | None:
    """The text of one file, or None (with a warning) when it holds none we can use."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        log.warning("skipping %s: cannot read it (%s)", path, exc.strerror)
        return None
    suffix = path.suffix.lower()
    try:
        if suffix == ".pdf":
            text = _pdf_text(path)
        elif b"\x00" in data[:8192]:
            log.warning("skipping %s: looks binary, not text", path)
            return None
        elif suffix in {".html", ".htm"}:
            text = _html_text(data)
        else:
            text = decode(data)
    except Exception as exc:  # a broken PDF or page must not stop the ingest
        log.warning("skipping %s: %s", path, exc)
        return None
    if not text or not text.strip():
        log.warning("skipping %s: no text in it", path)
        return None
    return text


MANIFEST_FIELDS = ("id", "file", "title", "outlet", "author", "date", "language", "url")


def load_manifest(corpus_dir: Path) -> dict:
    path = corpus_dir / MANIFEST
    if not path.exists():
        return {}
    try:
        manifest = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise CorpusError(f"{path} is not valid TOML ({exc}); fix it and run the command again") from exc
    for section in ("documents", "references"):
        entries = manifest.get(section, [])
        if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
            raise CorpusError(f"{path}: '{section}' must be a list of [[{section}]] tables; fix it and run again")
        for number, entry in enumerate(entries, start=1):
            wrong = [k for k in MANIFEST_FIELDS if k in entry and not isinstance(entry[k], str)]
            if wrong:
                raise CorpusError(f"{path}: [[{section}]] entry {number}: {', '.join(wrong)} must be text (in quotes)")
    return manifest


def _entry_for(path: Path, corpus_dir: Path, manifest: dict, sidecar: dict) -> dict:
    rel = path.relative_to(corpus_dir).as_posix()
    entries = manifest.get("documents", []) + manifest.get("references", [])
    for entry in entries:
        if entry.get("file") == rel or (sidecar.get("url") and entry.get("url") == sidecar.get("url")):
            return entry
    for entry in entries:
        if entry.get("id") and path.name.startswith(entry["id"]):
            return entry
    return {}


def _sidecar(path: Path) -> dict:
    meta = path.with_name(path.name + META_SUFFIX)
    if not meta.exists():
        return {}
    try:
        return json.loads(meta.read_text(encoding="utf-8"))
    except (ValueError, OSError):
        log.warning("ignoring %s: not valid JSON", meta)
        return {}


def corpus_files(corpus_dir: Path) -> tuple[list[Path], list[str]]:
    """The source files under ``corpus_dir``, and the links refused (named, with why): a link that leaves
    the corpus folder or does not resolve is never read; links to folders are not followed."""
    import os

    if not corpus_dir.is_dir():
        raise CorpusError(f"corpus folder {corpus_dir} does not exist: create it or set ASSISTANT_CORPUS_DIR")
    root = corpus_dir.resolve()
    files, refused = [], []
    for folder, dirs, names in os.walk(corpus_dir, followlinks=False):
        here = Path(folder)
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.startswith("."))
        for d in dirs:
            if (here / d).is_symlink():
                refused.append(f"{(here / d).relative_to(corpus_dir).as_posix()} (a link to a folder: not followed)")
        for name in sorted(names):
            path = here / name
            if path.suffix.lower() not in SUFFIXES or name in SKIP_NAMES or name.startswith("."):
                continue
            if path.is_symlink():
                why = _link_problem(path, root)
                if why:
                    refused.append(f"{path.relative_to(corpus_dir).as_posix()} ({why})")
                    log.warning("skipping %s: %s", path, why)
                    continue
            if path.is_file():
                files.append(path)
    return sorted(files), refused


def _link_problem(path: Path, root: Path) -> str:
    try:
        target = path.resolve(strict=True)
    except (OSError, RuntimeError):
        return "a link that does not resolve"
    if not target.is_relative_to(root):
        return "a link that leaves the corpus folder"
    return ""


def metadata(path: Path, corpus_dir: Path, manifest: dict) -> dict:
    """A file's metadata: its manifest entry over its sidecar; ``id`` defaults to its path in the corpus."""
    sidecar = _sidecar(path)
    meta = {**sidecar, **_entry_for(path, corpus_dir, manifest, sidecar)}
    meta["id"] = meta.get("id") or path.relative_to(corpus_dir).as_posix()
    return meta


SCRIPT_SAMPLE = 500  # characters read to tell a file's language and script


def load_document(path: Path, corpus_dir: Path, manifest: dict) -> Document | None:
    text = read_text(path)
    if text is None:
        return None
    meta = metadata(path, corpus_dir, manifest)
    doc = Document(doc_id=meta["id"], source=display_source(path, corpus_dir), text=text)
    fields = {k: str(meta[k]) for k in ("title", "outlet", "author", "date", "language", "url") if meta.get(k)}
    doc = replace(doc, **fields)
    if not doc.language:  # the manifest is silent: tell from the opening of the text
        doc = replace(doc, language=script(text[:SCRIPT_SAMPLE]))
    return doc if doc.title else replace(doc, title=path.stem)


def load_documents(corpus_dir: Path, max_bytes: int | None = None) -> tuple[list[Document], list[str]]:
    """Every usable document under ``corpus_dir``, and the names of the files skipped (with a warning);
    files over ``max_bytes`` are skipped too."""
    manifest = load_manifest(corpus_dir)
    files, skipped = corpus_files(corpus_dir)
    docs = []
    for path in files:
        size = path.stat().st_size
        if max_bytes is not None and size > max_bytes:
            log.warning("skipping %s: %.1f MB is over the %.1f MB limit (ASSISTANT_MAX_FILE_MB)", path,
                        size / 2**20, max_bytes / 2**20)
            skipped.append(f"{path.name} (over {max_bytes / 2**20:g} MB)")
            continue
        doc = load_document(path, corpus_dir, manifest)
        if doc is None:
            skipped.append(path.name)
        else:
            docs.append(doc)
    return docs, skipped
