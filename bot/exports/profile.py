"""A site's link profile from export rows: one pass, memory in the number of linking domains.

Per linking domain (its registrable domain, from the Public Suffix List bundled with tldextract)
it keeps when it was first seen, whether it is lost, whether any of its links is followed, how many
links it gives and whether it is flagged as spam; anchors are only counted by kind.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from bot.conversation.validators.domains import registrable_domain
from bot.exports.read import Opened
from bot.exports.values import FALSE, SpelledDates, host_of, parse_count, parse_date
from bot.monthly.schedule import add_months

ANCHOR_KINDS = ("branded", "naked_url", "generic", "keyword")


@dataclass
class Domain:
    first_seen: dt.date | None = None
    lost: bool = True  # until a live link is seen
    followed: bool = False
    nofollow_known: bool = False
    links: int = 0
    spam: bool = False

    @property
    def counts_as_progress(self) -> bool:
        """A live link the tool did not flag as spam (a spam link is no link built)."""
        return not self.lost and not self.spam

    @property
    def nofollow(self) -> bool:
        """Every link from the domain is known to be nofollow."""
        return self.nofollow_known and not self.followed


@dataclass
class Profile:
    format: str
    rows: int = 0
    skipped: int = 0
    domains: dict[str, Domain] = field(default_factory=dict)
    anchors: Counter = field(default_factory=Counter)
    targets: Counter = field(default_factory=Counter)
    followed_links: int = 0
    nofollow_known_links: int = 0
    # Link Intersect: each compared site (as its column names it) → the registrable domains linking to it.
    compared: dict[str, set[str]] = field(default_factory=dict)
    latest_seen: dt.date | None = None  # the newest crawl date, in exports without first-seen dates
    spam_known: bool = False  # the export flags spam (Search Console, Majestic and Semrush don't)

    # Summaries.

    @property
    def live(self) -> dict[str, Domain]:
        return {d: v for d, v in self.domains.items() if not v.lost}

    @property
    def target_domain(self) -> str | None:
        """The site the links point to: the most linked registrable domain among the targets."""
        by_domain: Counter = Counter()
        for url, n in self.targets.items():  # raw target URLs, counted in the hot loop
            if (name := domain_of(host_of(url))) is not None:
                by_domain[name] += n
        return by_domain.most_common(1)[0][0] if by_domain else None

    def new_by_month(self, until: str, months: int = 12) -> list[tuple[str, int]]:
        counts = Counter(f"{d.first_seen:%Y-%m}" for d in self.domains.values() if d.first_seen)
        keys = [add_months(until, -k) for k in range(months - 1, -1, -1)]
        return [(k, counts.get(k, 0)) for k in keys]

    @property
    def dated(self) -> bool:
        return any(d.first_seen for d in self.domains.values())

    def recent_monthly(self, this_month: str) -> int | None:
        """New referring domains a month over the last three full months (None without dates)."""
        if not self.dated:
            return None
        last_three = [n for _, n in self.new_by_month(add_months(this_month, -1), 3)]
        return round(sum(last_three) / 3)

    def dofollow_share(self) -> float | None:
        if not self.nofollow_known_links:
            return None
        return self.followed_links / self.nofollow_known_links

    def followed_domain_share(self) -> float | None:
        """Of the live referring domains whose links' rel is known, the share giving a followed link
        (the plan compares followed referring domains with the competitors')."""
        known = [d for d in self.live.values() if d.nofollow_known]
        return sum(d.followed for d in known) / len(known) if known else None

    def top_share(self, top: int = 10) -> float | None:
        total = sum(d.links for d in self.domains.values())
        if not total:
            return None
        biggest = sorted((d.links for d in self.domains.values()), reverse=True)[:top]
        return sum(biggest) / total

    def spam_share(self) -> float | None:
        if not self.domains or not self.spam_known:
            return None
        return sum(d.spam for d in self.domains.values()) / len(self.domains)

    def compared_counts(self) -> dict[str, int]:
        return {site: len(linking) for site, linking in self.compared.items()}

    def shared_prospects(self, site: str | None = None, top: int = 5) -> tuple[int, list[str]]:
        """Domains that link to two or more of the compared sites but not to `site`: how many, and the
        ones linking to the most (they link to sites like yours, so they are the likeliest to say yes)."""
        own = {name for name in self.compared if site and compared_domain(name) == site}
        skip = set().union(*(self.compared[name] for name in own)) if own else set()
        reach: Counter = Counter()
        for name, linking in self.compared.items():
            if name not in own:
                reach.update(linking - skip)
        several = sorted((d for d, n in reach.items() if n >= 2), key=lambda d: (-reach[d], d))
        return len(several), several[:top]

    def summary(self, this_month: str) -> dict[str, Any]:
        if self.compared:
            several, prospects = self.shared_prospects()
            return {
                "format": self.format,
                "rows": self.rows,
                "skipped_rows": self.skipped,
                "referring_domains": len(self.domains),
                "compared": self.compared_counts(),
                "linking_to_two_or_more": several,
                "prospects": prospects,
            }
        return {
            "format": self.format,
            "rows": self.rows,
            "skipped_rows": self.skipped,
            "target_domain": self.target_domain,
            "referring_domains": len(self.live),
            "lost_domains": len(self.domains) - len(self.live),
            "dofollow_share": _round(self.dofollow_share()),
            "followed_domain_share": _round(self.followed_domain_share()),
            "new_by_month": dict(self.new_by_month(this_month)) if self.dated else None,
            "latest_seen": self.latest_seen.isoformat() if self.latest_seen else None,
            "recent_monthly_rd": self.recent_monthly(this_month),
            "anchors": {k: self.anchors.get(k, 0) for k in ANCHOR_KINDS} if self.anchors else None,
            "top10_share": _round(self.top_share()),
            "spam_share": _round(self.spam_share()),
        }


def compared_domain(column: str) -> str | None:
    """A Link Intersect column's site (`competitor.com/blog`) → its registrable domain."""
    return domain_of(column.split("/", 1)[0])


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


@lru_cache(maxsize=262_144)
def domain_of(text: str) -> str | None:
    # Most rows repeat a handful of hosts: the Public Suffix lookup runs once per distinct text.
    return registrable_domain(text)


# Anchors.

GENERIC = frozenset(
    """click here|here|this|this page|this article|this post|this site|website|web site|site|link|read more|more|
    learn more|source|visit|visit site|homepage|home page|official site|go|check it out|see more|details|
    more info|more information|article|post|page|blog|via""".replace("\n", "").split("|")
)


def anchor_kind(anchor: str, brand: str | None) -> str:
    text = anchor.strip().lower()
    words = re.sub(r"[^\w.:/-]+", " ", text).strip()
    if not words or words in {w.strip() for w in GENERIC}:
        return "generic"
    if text.startswith(("http://", "https://", "www.")) or (" " not in text and "." in text and domain_of(text)):
        return "naked_url"
    if brand and brand in re.sub(r"[\s_-]+", "", text):
        return "branded"
    return "keyword"


def brand_of(domain: str | None) -> str | None:
    """example-shop.co.uk → exampleshop: the name part, as it appears in branded anchors."""
    if not domain:
        return None
    return re.sub(r"[-_]", "", domain.split(".", 1)[0]) or None


# The pass over the rows.

# Moz's published bands: Spam Score 61-100% is "high"; on the legacy 0-17 flag scale, 8 and up.
MOZ_HIGH_PERCENT, MOZ_HIGH_FLAGS = 61, 8


def build(opened: Sequence[Opened], *, site: str | None = None) -> Profile:
    profile = Profile(" + ".join(o.format.label for o in opened))
    for part in opened:
        _read(part, profile, site)
    return profile


def _read(opened: Opened, profile: Profile, site: str | None) -> None:
    """The hot loop: a million rows take seconds, so it keeps to local names and cached lookups."""
    at = opened.index
    needed = max([*at.values(), *(position for _, position in opened.compared)]) + 1
    url, domain_col = at.get("url"), at.get("domain")
    first, last, lost, nofollow = at.get("first_seen"), at.get("last_seen"), at.get("lost"), at.get("nofollow")
    anchor, spam, spam_score = at.get("anchor"), at.get("spam"), at.get("spam_score")
    dofollow_links = at.get("dofollow_links")  # Ahrefs' referring domains: followed links per domain
    links, target = at.get("links"), at.get("target")
    # Only a first-seen date says when a link appeared. Search Console's "Latest links" has just the
    # last crawl: an old link crawled last week is not new, so such dates only say how fresh the export is.
    crawled = last if first is None else None
    latest = profile.latest_seen
    domains, anchors, targets = profile.domains, profile.anchors, profile.targets
    brand = brand_of(site)
    falsy, date_of, kind_of, lookup = FALSE, parse_date, _anchor_kind, _host_domain
    spelled = SpelledDates()  # month names in the user's language (Search Console)
    compared = [(profile.compared.setdefault(site, set()), position) for site, position in opened.compared]
    rows = skipped = followed_links = known_links = 0
    for row in opened.rows:
        if len(row) < needed:
            if any(cell.strip() for cell in row):
                rows += 1
                skipped += 1
            continue  # a blank line is not a row
        rows += 1
        if url is not None:
            source = row[url]
            host = source.partition("://")[2] or source
            name = lookup(host.partition("/")[0])
        else:
            name = lookup(row[domain_col].strip())
        if name is None:
            skipped += 1
            continue
        entry = domains.get(name)
        if entry is None:
            entry = domains[name] = Domain()
        count = (parse_count(row[links]) or 0) if links is not None else 1
        entry.links += count
        if (
            first is not None
            and (seen := date_of(value := row[first]) or (value and spelled(value)))
            and (entry.first_seen is None or seen < entry.first_seen)
        ):
            entry.first_seen = seen
        if (
            crawled is not None
            and (seen := date_of(value := row[crawled]) or (value and spelled(value)))
            and (latest is None or seen > latest)
        ):
            latest = seen
        if lost is None or (value := row[lost]) in falsy or value.strip().lower() in falsy:
            entry.lost = False
        if nofollow is not None:
            value = row[nofollow]
            followed = value in falsy or value.strip().lower() in falsy
            if followed:
                entry.followed = True
                followed_links += count
            known_links += count
            entry.nofollow_known = True
        elif dofollow_links is not None:
            entry.nofollow_known = True
            if parse_count(row[dofollow_links]):
                entry.followed = True
        if spam is not None:
            value = row[spam]
            if value not in falsy and value.strip().lower() not in falsy:
                entry.spam = True
        elif spam_score is not None and _moz_spam(row[spam_score]):
            entry.spam = True
        if target is not None:
            targets[row[target]] += 1
            if brand is None:
                brand = brand_of(domain_of(host_of(row[target])))  # the brand, from the site linked to
        if anchor is not None:
            anchors[kind_of(row[anchor], brand)] += 1
        for linking, position in compared:  # a count of links, a tick, or blank/0 when it doesn't link
            if (value := row[position]) not in falsy and value.strip().lower() not in falsy:
                linking.add(name)
    profile.latest_seen = latest
    profile.spam_known = profile.spam_known or spam is not None or spam_score is not None
    profile.rows += rows
    profile.skipped += skipped
    profile.followed_links += followed_links
    profile.nofollow_known_links += known_links


@lru_cache(maxsize=262_144)
def _host_domain(host: str) -> str | None:
    # Most rows repeat a few thousand hosts: the Public Suffix lookup runs once per distinct host.
    host = host.rsplit("@", 1)[-1].split(":", 1)[0].split("?", 1)[0].split("#", 1)[0]
    return registrable_domain(host)


@lru_cache(maxsize=65_536)
def _anchor_kind(anchor: str, brand: str | None) -> str:
    return anchor_kind(anchor, brand)


def _moz_spam(text: str) -> bool:
    score = parse_count(text.strip().rstrip("%"))
    if score is None:
        return False
    percent = "%" in text or score > 17
    return score >= (MOZ_HIGH_PERCENT if percent else MOZ_HIGH_FLAGS)
