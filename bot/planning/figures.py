"""Figures looked up for a plan (a backlink data provider connected here): the site's referring
domains, authority, pace and losses offered as defaults, competitors typed as bare domains filled
in with their counts. Always figures to confirm, with their source; never a blocker."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from bot.conversation import provenance, views
from bot.conversation.questionnaire import Draft, apply, suggest
from bot.conversation.validators.kind import Invalid
from bot.core.replies import Text, text
from bot.lookups import notices
from bot.lookups.answers import bare_competitors, recent_pace, site_answers, with_counts
from bot.lookups.failures import UnreadableKey
from bot.lookups.provider import LookupFailed, Source

if TYPE_CHECKING:
    from bot.conversation.questionnaire import Questionnaire
    from bot.core.events import ChannelKey
    from bot.lookups.service import Lookups
    from bot.storage.store import Store


class Figures:
    def __init__(self, *, store: Store, questionnaire: Questionnaire, lookups: Lookups | None = None):
        self.store = store  # its clock: which month is this one
        self.questionnaire = questionnaire
        self.lookups = lookups

    async def site(
        self,
        channel: ChannelKey,
        draft: Draft,
        defaults: Mapping[str, str | None],
        keep: Collection[str] = (),
        *,
        form: bool = False,
    ) -> tuple[Draft, list[Text]]:
        """The site's referring domains, authority, recent pace and lost domains, looked up and
        offered as defaults, with where they came from (what the user typed, `keep` or answered,
        stays theirs). A figure wildly apart from the user's own is shown beside it, never put in
        its place: theirs stays the default, and a typed one is asked again to confirm."""
        site = draft.answers.get("site")
        if self.lookups is None or not site:
            return draft, []
        try:
            sites = await self.lookups.sites(channel, [site])
            if sites is None:
                return draft, []
            history = await self.lookups.history(channel, [site])
            months = history.months.get(site) if history else None
        except LookupFailed as failed:
            return draft, self._lookup_failed(channel, failed)
        this_month = f"{self.store.clock():%Y-%m}"
        found = site_answers(sites.figures.get(site), months, this_month, sites.authority_name)
        looked_up, _ = apply(self.questionnaire, Draft(), found)  # as answers: to compare and to record
        if not looked_up.answers:
            return draft, [text("lookup.unknown_site", site=site, source=_named(sites.source))]
        source = sites.source
        had = self._had(draft, defaults, site)
        disputed = {q: v for q, v in looked_up.answers.items() if q in had and provenance.wildly_apart(had[q], v)}
        offered = {q: v for q, v in found.items() if q not in keep and q not in draft.answers and q not in disputed}
        recorded = {
            q: provenance.source(source.provider, source.day, v, site=site) for q, v in looked_up.answers.items()
        }
        draft = replace(draft, sources={**draft.sources, **recorded})
        yours = {q: self.questionnaire.question(q).show(had[q]) for q in disputed}
        draft, _ = suggest(self.questionnaire, draft, {**offered, **yours})
        notes = []
        if offered:
            shown = {
                self.questionnaire.question(q).name: self.questionnaire.question(q).show(v)
                for q, v in draft.suggested.items()
                if q in offered
            }
            notes.append(text("lookup.site", site=site, source=_named(source), figures=shown, form=form))
        notes += [views.disputed(self.questionnaire.question(q), recorded[q], yours[q]) for q in disputed]
        return draft, notes

    def _had(self, draft: Draft, defaults: Mapping[str, str | None], site: Any) -> dict[str, Any]:
        """The user's own figures for the site's questions: typed in this plan, or offered as a
        default (imported, taken back, or the last plan's for this same site) - not a figure a
        lookup offered before."""
        same_site = defaults.get("site") in (None, self.questionnaire.question("site").show(site))
        had: dict[str, Any] = {}
        for question_id in provenance.SITE_FIGURES:
            if question_id in draft.answers:
                value = draft.answers[question_id]
            elif same_site and defaults.get(question_id) is not None:
                parsed = self.questionnaire.question(question_id).parse(defaults[question_id])
                if isinstance(parsed, Invalid):
                    continue
                value = parsed.value
            else:
                continue
            if value != (draft.sources.get(question_id) or {}).get("value"):
                had[question_id] = value
        return had

    async def competitors(self, channel: ChannelKey, typed: str) -> tuple[str, list[Text], dict[str, Any] | None]:
        """Competitors typed as bare domains, with their counts (and monthly pace) looked up; and
        the entries filled in, with their source (None: nothing looked up)."""
        bare = bare_competitors(typed)
        if self.lookups is None or not bare:
            return typed, [], None
        try:
            sites = await self.lookups.sites(channel, bare)
            if sites is None:
                return typed, [], None
            history = await self.lookups.history(channel, bare)
        except LookupFailed as failed:
            return typed, self._lookup_failed(channel, failed), None
        this_month = f"{self.store.clock():%Y-%m}"
        months = history.months if history else {}
        paces = {d: recent_pace([m for m in months.get(d, []) if m.month < this_month]) for d in bare}
        filled, unknown = with_counts(typed, sites.figures, paces)
        notes = [text("lookup.competitors", source=_named(sites.source), competitors=filled)]
        if unknown:
            notes.append(text("lookup.unknown_competitors", domains=unknown, source=sites.source.provider))
        entries = provenance.competitor_entries({d: sites.figures.get(d) for d in bare}, paces)
        measured = provenance.source(sites.source.provider, sites.source.day, entries) if entries else None
        return filled, notes, measured

    def _lookup_failed(self, channel: ChannelKey, failed: LookupFailed) -> list[Text]:
        """Why figures weren't looked up. That the key connected here can't be opened is said once
        per channel (it holds until someone fixes it: every plan saying so would be noise); a
        failure of the moment, a spent budget or cap, each time."""
        if isinstance(failed, UnreadableKey) and not self.lookups.first_telling(channel, failed.state):
            return []
        return [notices.failed(failed, channel)]


def _named(source: Source) -> Text:
    """ "DataForSEO, 30 Nov 2026", its day in the reader's language."""
    return provenance.named({"provider": source.provider, "day": source.day.isoformat()})
