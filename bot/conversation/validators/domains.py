"""Domains and URLs: a host normalised (IDNA, no `www.`), the registrable domain a link counts
for (the Public Suffix List, bundled), and the `domain` kind."""

from __future__ import annotations

import re
from functools import cache, lru_cache
from typing import TYPE_CHECKING

import idna

from bot.conversation.rendering import Reason
from bot.conversation.validators.kind import Invalid, Kind, Result, Valid, quote
from bot.core.domains import shown_domain

if TYPE_CHECKING:
    import tldextract


@cache
def _extractor() -> tldextract.TLDExtract:
    """The one Public Suffix List reader, built once. The list is the snapshot bundled with
    tldextract: never fetched at run time (no network in a chat reply) and never cached to disk
    (a read-only disk must not break it). Its private section counts: bob.github.io and
    carol.github.io are two sites of two owners, as x.blogspot.com and y.blogspot.com are. Imported
    here, on the first domain read: with `requests` it is ~60 ms of every `backlinks` start, and
    most commands (reminders run-once, db, a console that only shows) read none."""
    import tldextract

    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, include_psl_private_domains=True)


def _split(host: str) -> tldextract.tldextract.ExtractResult:
    parts = _extractor().extract_str(host)
    if parts.is_private and not parts.domain:
        # A private suffix named alone (github.io, blogspot.com) is its operator's own site.
        parts = _extractor().extract_str(host, include_psl_private_domains=False)
    return parts


_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


@lru_cache(maxsize=4096)  # pure, and the same few domains come back all the time
def normalise_domain(text: str) -> str | None:
    """The host of a domain or URL, lower-case, IDNA-encoded, without `www.`; None if invalid."""
    text = text.strip()
    if not text or any(ch.isspace() for ch in text):
        return None
    host = re.sub(r"^[a-z][a-z0-9+.-]*://", "", text, flags=re.IGNORECASE)
    host = re.split(r"[/?#]", host, maxsplit=1)[0]
    host = host.rsplit("@", 1)[-1].split(":", 1)[0].rstrip(".").lower()
    if not host.isascii():
        try:
            # IDNA 2008 with UTS 46, as registries and browsers do (straße.de stays distinct
            # from strasse.de, which Python's built-in IDNA 2003 codec would merge).
            host = idna.encode(host, uts46=True, transitional=False).decode("ascii")
        except idna.IDNAError:
            return None
    labels = host.split(".")
    if len(host) > 253 or len(labels) < 2 or not all(_LABEL.match(label) for label in labels):
        return None
    parts = _split(host)
    if not parts.suffix or not parts.domain:
        return None
    # www.example.com is example.com; but in www.co.uk, "www" is the site's own name.
    if parts.subdomain == "www" or parts.subdomain.startswith("www."):
        host = host.removeprefix("www.")
    return host


@lru_cache(maxsize=65_536)
def registrable_domain(text: str) -> str | None:
    """The domain a link counts for (blog.example.co.uk → example.co.uk), from a URL or a host."""
    if text.isascii() and "/" not in text and ":" not in text and " " not in text:
        # A bare host (the common case in exports): one Public Suffix lookup, no full validation.
        parts = _split(text.lower().rstrip("."))
        found = parts.top_domain_under_public_suffix
        return found if found and parts.suffix and _LABEL.match(parts.domain) else None
    host = normalise_domain(text)
    return _split(host).top_domain_under_public_suffix if host else None


def domain_in(text: str) -> str | None:
    """The one domain a sentence names ("my shop is baeckerei-koch.de, a bakery"); None when it
    names none, or two that differ (which one is meant is not guessed), or when it is two words
    that look like one domain with a space typed inside ("exa mple.com")."""
    words = text.split()
    if len(words) == 2 and words[0].isalnum() and normalise_domain("".join(words)) is not None:
        return None
    found = {host for word in words if "." in word and (host := normalise_domain(word.strip(_AROUND)))}
    return found.pop() if len(found) == 1 else None


_AROUND = ".,;:!?()[]{}<>\"'“”‘’«»"  # what a domain in a sentence may stand between


def domain() -> Kind:
    def parse(text: str) -> Result:
        host = normalise_domain(text)
        if host is None and (named := domain_in(text)) is not None:
            return Valid(named, loose=True)  # said back: "I read site as …"
        if host is None:
            return Invalid(Reason("reason.domain.invalid", said=quote(text)))
        return Valid(host)

    # Said back in the letters it was typed in (bäckerei-koch.de), which parse to the same host.
    return Kind(parse, shown_domain)
