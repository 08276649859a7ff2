"""Facts: the dates and amounts a text states, in one form whatever its script or language.

2025/05/13, 2025年5月13日, 5月13日 and "May 13, 2025" are all the 13th of May; 500億美元 and "$50 billion"
are both 5e10. Verification uses them so that a generated sentence's dates and amounts must be the ones
its source sentence states, not merely tokens that happen to appear somewhere.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_MONTHS = {name: n for n, names in enumerate(
    ["january jan", "february feb", "march mar", "april apr", "may", "june jun", "july jul", "august aug",
     "september sep sept", "october oct", "november nov", "december dec"], start=1) for name in names.split()}
_MONTH = r"(?P<mon>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>1\d{3}|20\d{2})"
_CN_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "兩": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
              "八": 8, "九": 9}
_CN_SMALL = {"十": 10, "百": 100, "千": 1000}
_BIG = {"萬": 1e4, "万": 1e4, "億": 1e8, "亿": 1e8, "兆": 1e12, "thousand": 1e3, "million": 1e6, "billion": 1e9,
        "trillion": 1e12, "bn": 1e9}
_CN_NUMERAL = "〇零一二兩两三四五六七八九十百千"

DATES = [
    re.compile(rf"{_YEAR}\s*[/.\-]\s*(?P<month>\d{{1,2}})\s*[/.\-]\s*{_DAY}"),
    re.compile(rf"(?:{_YEAR}\s*年\s*)?(?P<month>\d{{1,2}})\s*月(?:\s*(?P<day>\d{{1,2}})\s*[日號号])?"),
    re.compile(rf"\b{_MONTH}\s+{_DAY}\b(?:,?\s*{_YEAR}\b)?", re.IGNORECASE),
    re.compile(rf"\b{_DAY}\s+{_MONTH}\b(?:,?\s*{_YEAR}\b)?", re.IGNORECASE),
    re.compile(rf"\b{_MONTH}\s+{_YEAR}\b", re.IGNORECASE),
    re.compile(rf"{_YEAR}\s*年"),
]
_AMOUNT = re.compile(
    r"(?<![A-Za-z\d.])(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)\s*"
    r"(?P<big>[萬万億亿兆]|(?:thousand|million|billion|trillion|bn)\b)?(?![A-Za-z\d])", re.IGNORECASE)
_CN_AMOUNT = re.compile(rf"(?P<num>[{_CN_NUMERAL}]+)(?P<big>[萬万億亿兆])|百分之(?P<pct>[{_CN_NUMERAL}]+)")


@dataclass(frozen=True)
class Date:
    year: int | None = None
    month: int | None = None
    day: int | None = None

    def agrees(self, other: Date) -> bool:
        """Same wherever both say something, and they share at least one field."""
        pairs = [(a, b) for a, b in ((self.year, other.year), (self.month, other.month), (self.day, other.day))
                 if a is not None and b is not None]
        return bool(pairs) and all(a == b for a, b in pairs) and (self.day is None or other.day is not None)


@dataclass(frozen=True)
class Facts:
    dates: frozenset[Date]
    amounts: frozenset[float]

    def __bool__(self) -> bool:
        return bool(self.dates or self.amounts)

    def missing_from(self, other: Facts) -> list[str]:
        """This text's dates and amounts that ``other`` does not state (empty: all are there)."""
        gone = [f"{d.year or ''}-{d.month or ''}-{d.day or ''}" for d in self.dates
                if not any(d.agrees(o) for o in other.dates)]
        gone += [f"{a:g}" for a in self.amounts if not any(abs(a - o) <= 1e-9 * max(1.0, abs(o)) for o in other.amounts)
                 and not any(d.year == a for d in other.dates)]
        return gone


def chinese_number(text: str) -> float | None:
    """五百 → 500, 十二 → 12, 三千五百 → 3500 (digits and 十/百/千 only)."""
    total, digit = 0, None
    for char in text:
        if char in _CN_DIGITS:
            digit = _CN_DIGITS[char]
        elif char in _CN_SMALL:
            total += (1 if digit is None else digit) * _CN_SMALL[char]
            digit = None
        else:
            return None
    return float(total + (digit or 0))


def facts(text: str) -> Facts:
    """The dates and amounts ``text`` states."""
    dates, spans = set(), []
    for pattern in DATES:
        for m in pattern.finditer(text):
            if any(m.start() < end and start < m.end() for start, end in spans):
                continue
            found = m.groupdict()
            month = int(found["month"]) if found.get("month") else _MONTHS.get((found.get("mon") or "").lower())
            day = int(found["day"]) if found.get("day") else None
            if (month is not None and not 1 <= month <= 12) or (day is not None and not 1 <= day <= 31):
                continue
            dates.add(Date(int(found["year"]) if found.get("year") else None, month, day))
            spans.append(m.span())
    rest = "".join(" " if any(s <= i < e for s, e in spans) else c for i, c in enumerate(text))
    amounts = set()
    for m in _AMOUNT.finditer(rest):
        value = float(m.group("num").replace(",", ""))
        big = (m.group("big") or "").lower()
        if not big and m.group("num").isdigit() and 1000 <= value <= 2100 and len(m.group("num")) == 4:
            dates.add(Date(int(value)))  # a bare four-digit year
            continue
        amounts.add(value * _BIG.get(big, 1.0))
    for m in _CN_AMOUNT.finditer(rest):
        value = chinese_number(m.group("num") or m.group("pct"))
        if value is not None:
            amounts.add(value * _BIG.get(m.group("big") or "", 1.0))
    return Facts(frozenset(dates), frozenset(amounts))
