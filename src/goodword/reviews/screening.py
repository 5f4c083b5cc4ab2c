"""Rough checks of what customers write: its language, and whether a person should read it before it shows.

The screen never rejects anything by itself: it names what it found, and moderation holds such text in the
queue. Word lists ship in `wordlists/` (English matched as whole words, Chinese as substrings since Chinese
puts no spaces between words). Sentiment and fake-review scores will plug in at `screen` later.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

_WORDLISTS = Path(__file__).parent / "wordlists"
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z]")
_WORD = re.compile(r"[a-z']+")
_LINK = re.compile(r"(https?://|www\.|\b[a-z0-9-]+\.(com|net|org|io|cn|ru|xyz|top|shop|info|biz)\b)", re.I)
_EMAIL_OR_PHONE = re.compile(r"([\w.+-]+@[\w-]+\.[\w.]+|\+?\d[\d\s().-]{8,}\d)")
_REPEATED_CHARACTER = re.compile(r"(.)\1{7,}")
_REPEATED_WORD = re.compile(r"\b(\w+)(\W+\1\b){3,}", re.I)
_SHOUTING_MIN_LETTERS = 20
_SHOUTING_SHARE = 0.7


@dataclass(frozen=True, slots=True)
class Finding:
    """Something the screen found: a stable `code` (also the moderation reason) and what it saw."""

    code: str
    detail: str


def detect_language(text: str) -> str:
    """ "zh" when Chinese characters make up a good share of the letters, else "en".

    >>> detect_language("质量很好 推荐"), detect_language("Great mug"), detect_language("好 quality")
    ('zh', 'en', 'zh')
    """
    cjk = len(_CJK.findall(text))
    latin = len(_LATIN.findall(text))
    # A Chinese character carries about a word; four Latin letters do.
    return "zh" if cjk and cjk * 4 >= latin * 0.5 else "en"


def screen(*texts: str | None) -> list[Finding]:
    """Everything in the texts that should make a person read them first; empty when nothing did."""
    text = "\n".join(t for t in texts if t)
    lowered = text.lower()
    findings: list[Finding] = []
    words = set(_WORD.findall(lowered))
    bad_words = sorted(words & _list("profanity.en.txt")) + [
        w for w in sorted(_list("profanity.zh.txt")) if w in text
    ]
    if bad_words:
        findings.append(Finding("profanity", ", ".join(bad_words)))
    if link := _LINK.search(text):
        findings.append(Finding("spam_link", link.group(0)))
    if contact := _EMAIL_OR_PHONE.search(text):
        findings.append(Finding("contact_details", contact.group(0)))
    spam = [phrase for phrase in sorted(_list("spam.txt")) if phrase in lowered]
    if spam:
        findings.append(Finding("spam_phrase", ", ".join(spam)))
    if repeated := _REPEATED_CHARACTER.search(text) or _REPEATED_WORD.search(text):
        findings.append(Finding("repeated_text", repeated.group(0)[:40]))
    letters = [c for c in text if c.isalpha() and c.isascii()]
    upper = sum(1 for c in letters if c.isupper())
    if len(letters) >= _SHOUTING_MIN_LETTERS and upper >= _SHOUTING_SHARE * len(letters):
        findings.append(Finding("shouting", f"{upper} of {len(letters)} letters are capitals"))
    return findings


@functools.cache
def _list(name: str) -> frozenset[str]:
    lines = (_WORDLISTS / name).read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))
