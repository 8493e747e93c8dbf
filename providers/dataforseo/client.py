"""DataForSEO, the Provider of bot.lookups.provider: which endpoints each question is asked of
(bodies.py says what is sent, answers.py what is read, connection.py makes the calls)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.lookups.provider import LOOKUP_TIMEOUT, MonthChange, MonthDomains, SiteFigures
from providers.dataforseo import answers, bodies
from providers.dataforseo.connection import API, Connection, together


class DataForSEO:
    name = "dataforseo"
    label = "DataForSEO"
    authority_name = "DataForSEO rank"
    has_history = True
    has_domain_lists = True

    def __init__(self, key: str, *, base_url: str = API, timeout: float = LOOKUP_TIMEOUT) -> None:
        self._connection = Connection(key, base_url=base_url, timeout=timeout)  # the key is checked here

    @property
    def spent(self) -> float:
        """USD, the sum of the answers' "cost" since this client was made."""
        return self._connection.spent

    async def check(self) -> None:
        """GET appendix/user_data: free ("Your account will not be charged for using this API"),
        https://docs.dataforseo.com/v3/appendix/user_data/. A refused key raises RefusedKey; an
        account with no money or no Backlinks API subscription raises OutOfCredit, since every
        lookup would."""
        answers.check_account(await self._connection.call("GET", "appendix/user_data"))

    async def sites(self, domains: Sequence[str]) -> dict[str, SiteFigures | None]:
        """One domain: one summary call. Several: one bulk_referring_domains and one bulk_ranks call
        per 1,000 domains, made together. The bulk pair costs two calls whatever the number of
        domains (0.02 USD + 0.00003 per target each, against 0.02 per summary), so from two domains on
        it is never dearer; one domain stays on the summary, which answers everything in one call."""
        answer: dict[str, SiteFigures | None] = {d: None for d in domains}
        wanted: dict[str, list[str]] = {}  # target → the spellings asked
        for domain in domains:
            if (target := bodies.target(domain)) is not None:
                wanted.setdefault(target, []).append(domain)
        found: dict[str, dict[str, Any] | None] = {}
        if len(wanted) == 1:
            [target] = wanted
            found[target] = answers.summary(
                await self._connection.call("POST", "backlinks/summary/live", bodies.summary(target))
            )
        elif wanted:
            for part in await together([self._bulk(chunk) for chunk in bodies.chunks(list(wanted))]):
                found.update(part)
        for target, spellings in wanted.items():
            for domain in spellings:
                answer[domain] = answers.figures(domain, found.get(target))
        return answer

    async def history(self, domain: str, since: str) -> list[MonthChange]:
        """POST backlinks/history/live: the months from `since` on, each with the referring domains
        it won and lost and its live count."""
        if not bodies.is_month(since):
            raise ValueError(f"since is a month like 2026-06, not {since!r}")
        target = bodies.target(domain)
        if target is None:
            return []
        task = await self._connection.call("POST", "backlinks/history/live", bodies.history(target, since))
        return answers.months(task, since)

    async def month_domains(self, domain: str, month: str) -> MonthDomains:
        """POST backlinks/referring_domains/live: the referring domains first seen in `month` and
        those lost in it, in one call."""
        if not bodies.is_month(month):
            raise ValueError(f"month is like 2026-10, not {month!r}")
        target = bodies.target(domain)
        if target is None:
            return MonthDomains(month)
        task = await self._connection.call(
            "POST", "backlinks/referring_domains/live", bodies.month_domains(target, month)
        )
        return answers.month_domains(task, month)

    async def close(self) -> None:
        await self._connection.close()

    async def _bulk(self, targets: list[str]) -> dict[str, dict[str, Any]]:
        """bulk_referring_domains and bulk_ranks of the same targets, at once."""
        call = self._connection.call
        domains, ranks = await together(
            [
                call("POST", "backlinks/bulk_referring_domains/live", bodies.bulk_referring_domains(targets)),
                call("POST", "backlinks/bulk_ranks/live", bodies.bulk_ranks(targets)),
            ]
        )
        return answers.bulk(domains, ranks)
