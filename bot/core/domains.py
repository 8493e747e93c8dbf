"""Domains as a person reads them. Hosts are stored and compared in their canonical ASCII form
(IDNA: `xn--bckerei-koch-gcb.de`), but shown in the letters they were typed in (`bäckerei-koch.de`):
nobody recognises their own site in punycode."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import idna

# A host with at least one punycode label, standing alone or inside a URL or a sentence.
_PUNYCODE_HOST = re.compile(r"(?<![\w-])(?:[a-z0-9-]+\.)*xn--[a-z0-9-]+(?:\.[a-z0-9-]+)*", re.IGNORECASE)
# Scripts written mixed with Latin letters in one word without looking like them (Japanese,
# Chinese, Korean), as browsers allow.
_WRITTEN_WITH_HAN = frozenset({"CJK", "HIRAGANA", "KATAKANA", "HANGUL", "BOPOMOFO"})


@lru_cache(maxsize=4096)  # pure, and the same few domains are shown again and again
def shown_domain(host: str) -> str:
    """A host in Unicode (`xn--bckerei-koch-gcb.de` → `bäckerei-koch.de`), each label on its own.
    A label that does not decode, or that mixes Latin letters with another script's (a Cyrillic
    `а` in `аpple.com` looks like a Latin one), stays in punycode, as browsers keep it, so a
    look-alike never passes for the site it imitates."""
    if "xn--" not in host.lower():
        return host
    return ".".join(_label(label) for label in host.split("."))


def _label(label: str) -> str:
    if not label.lower().startswith("xn--"):
        return label
    try:
        decoded = idna.decode(label)
    except (idna.IDNAError, UnicodeError):
        return label
    scripts = {unicodedata.name(c, "?").split()[0] for c in decoded if c.isalpha()}
    others = scripts - {"LATIN"} - _WRITTEN_WITH_HAN
    return label if len(others) > 1 or (others and "LATIN" in scripts) else decoded


def shown_domains_in(text: str) -> str:
    """Every punycode host in a text (a heading, a list of competitors, a URL) shown in Unicode."""
    if "--" not in text or "xn--" not in text.lower():  # nearly every text: nothing to decode
        return text
    return _PUNYCODE_HOST.sub(lambda found: shown_domain(found.group(0)), text)
