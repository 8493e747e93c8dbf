"""What a fetched page says about a link to the site: is it there, and is it followed?

Pure: HTML text in, a finding out. The standard library's HTMLParser reads broken and hostile
markup without raising, and the page is fed to it only as far as the fetcher read it."""

from __future__ import annotations

from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from bot.conversation.validators.domains import registrable_domain

# rel values that tell search engines not to pass credit (Google's link attributes, 2019).
NOT_FOLLOWED = ("nofollow", "sponsored", "ugc")


@dataclass(frozen=True, slots=True)
class LinkOnPage:
    found: bool  # at least one <a href> to the site
    followed: bool  # at least one of them without nofollow / sponsored / ugc
    rel: tuple[str, ...] = ()  # the rel values that hold it back when none is followed


class _Anchors(HTMLParser):
    def __init__(self, page_url: str, site: str):
        super().__init__(convert_charrefs=True)
        self.page_url, self.site = page_url, site
        self.base = page_url
        self.rels: list[frozenset[str]] = []  # one per link to the site

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "base" and (href := dict(attrs).get("href")):
            self.base = urljoin(self.page_url, href.strip())
        if tag != "a":
            return
        values = dict(attrs)
        href = (values.get("href") or "").strip()
        if not href or href.startswith(("#", "mailto:", "tel:", "javascript:")):
            return
        target = urljoin(self.base, href)
        host = urlsplit(target).hostname
        if host and registrable_domain(host) == self.site:
            self.rels.append(frozenset((values.get("rel") or "").lower().split()))


def link_on_page(html: str, *, page_url: str, site: str) -> LinkOnPage:
    """Whether `html` (the page at `page_url`) links to `site` (a registrable domain), and how."""
    anchors = _Anchors(page_url, site)
    anchors.feed(html)
    anchors.close()
    if not anchors.rels:
        return LinkOnPage(found=False, followed=False)
    if any(not rel.intersection(NOT_FOLLOWED) for rel in anchors.rels):
        return LinkOnPage(found=True, followed=True)
    held = sorted(set().union(*anchors.rels).intersection(NOT_FOLLOWED), key=NOT_FOLLOWED.index)
    return LinkOnPage(found=True, followed=False, rel=tuple(held))
