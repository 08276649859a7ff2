"""A corpus's profile: how the assistant presents it (``profile.toml`` beside the manifest). A folder
without one gets a neutral profile, so any corpus works without it.

    title = "…"            # the web page's title and heading
    intro = "…"            # one paragraph under the heading (Markdown)
    domain = "…"           # what the prompt says the questions are about ("the 2025 US AI-chip export rules")
    examples = ["…", "…"]  # example questions offered in the web chat
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .errors import CorpusError

PROFILE_FILE = "profile.toml"


@dataclass(frozen=True)
class Profile:
    title: str = "來源問答 · Questions on your sources"
    intro: str = ("以繁體中文、简体中文或 English 提問;每一句回答都標注出處,資料來源沒提到的會直說。\n"
                  "Ask in Traditional Chinese, Simplified Chinese or English: every sentence cites its source "
                  "passage, or the assistant says the sources don't cover it.")
    domain: str = "the indexed sources"
    examples: tuple[str, ...] = field(default_factory=tuple)


def load_profile(corpus_dir: Path) -> Profile:
    """The corpus folder's profile, or the neutral default when it has none."""
    path = Path(corpus_dir) / PROFILE_FILE
    if not path.exists():
        return Profile()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise CorpusError(f"{path} cannot be read ({exc}): fix it or remove it") from exc
    default = Profile()
    for key in ("title", "intro", "domain"):
        if not isinstance(data.get(key, ""), str):
            raise CorpusError(f"{path}: {key} must be text")
    examples = data.get("examples", [])
    if not isinstance(examples, list) or not all(isinstance(e, str) for e in examples):
        raise CorpusError(f"{path}: examples must be a list of questions (text)")
    unknown = set(data) - {"title", "intro", "domain", "examples"}
    if unknown:
        raise CorpusError(f"{path}: unknown keys {', '.join(sorted(unknown))}; it takes title, intro, domain, examples")
    return Profile(data.get("title") or default.title, data.get("intro") or default.intro,
                   data.get("domain") or default.domain, tuple(examples))
