"""Chunk: CJK-aware sentence spans packed into chunks, every piece keeping its offsets."""

from __future__ import annotations

import re

from .types import Span

# A sentence ends after 。！？；!? (and any closing quote), at a line break, or after an English
# full stop followed by space and a capital or digit ("… in 1519. Luther …"), unless the word before
# the stop is an abbreviation or an initial (Mr. Smith, U.S. Army, J. R. R. Tolkien).
_SENTENCE_END = re.compile(r"[。！？；!?]+[」』”’)）]*|\n+|(?<=\w)\.[\"')\]”’]*(?=\s+[\"'(\[“‘]?[A-Z0-9])")
_ABBREVIATION = re.compile(  # after a letter of another script too (及St. Felix): no \b between 及 and S
    r"(?<![A-Za-z])(?:[A-Z]|Mr|Mrs|Ms|Dr|Prof|Sr|Jr|St|Mt|Ft|Gen|Col|Lt|Sgt|Capt|Gov|Sen|Rep|Rev|Hon|Pres|No|Nos|Vol|"
    r"Fig|Figs|vs|etc|e\.g|i\.e|al|approx|ca|cf|Inc|Ltd|Co|Corp|Bros|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|"
    r"Dec|U\.S|U\.K|U\.N|D\.C|a\.m|p\.m)$"
)
# Clause breaks for over-long sentences: full-width commas anywhere, an ASCII comma unless it
# sits inside a number like 1,000.
_CLAUSE_END = re.compile(r"[，、：:]|,(?!\d)")


def _trimmed(text: str, start: int, end: int) -> Span | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Span(start, end) if end > start else None


def _split(text: str, pattern: re.Pattern, start: int, end: int) -> list[Span]:
    spans, cursor = [], start
    for match in pattern.finditer(text, start, end):
        if match.group(0).startswith(".") and _ABBREVIATION.search(text, max(cursor, match.start() - 8), match.start()):
            continue
        span = _trimmed(text, cursor, match.end())
        if span:
            spans.append(span)
        cursor = match.end()
    tail = _trimmed(text, cursor, end)
    return spans + ([tail] if tail else [])


# A sentence is the unit a citation quotes: only one longer than this many chunk lengths is cut at clauses.
LONG_SENTENCE = 3


def sentences(text: str, max_len: int | None = None) -> list[Span]:
    """Sentence spans of ``text``; a sentence longer than ``max_len`` is cut at clause breaks."""
    spans = _split(text, _SENTENCE_END, 0, len(text))
    if max_len is None:
        return spans
    out: list[Span] = []
    for span in spans:
        if span.end - span.start <= max_len:
            out.append(span)
        else:
            out.extend(_pack(_split(text, _CLAUSE_END, span.start, span.end), max_len, 0))
    return out


def _pack(units: list[Span], size: int, overlap: int) -> list[Span]:
    """Greedily join neighbouring units up to ``size`` characters, repeating ``overlap`` units."""
    chunks: list[Span] = []
    i = 0
    while i < len(units):
        j = i + 1
        while j < len(units) and units[j].end - units[i].start <= size:
            j += 1
        chunks.append(Span(units[i].start, units[j - 1].end))
        if j >= len(units):
            break
        i = max(j - overlap, i + 1)
    return chunks


def chunk_spans(text: str, size: int, overlap: int = 0) -> list[Span]:
    """Chunks of about ``size`` characters made of whole sentences, ``overlap`` sentences shared."""
    return _pack(sentences(text, max_len=size * LONG_SENTENCE), size, overlap)
