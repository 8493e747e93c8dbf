"""What is read from DataForSEO's answers, and how it becomes the neutral figures of
bot.lookups.provider.

Figures:
- authority: ``rank`` asked with ``rank_scale: "one_hundred"``, DataForSEO's own 0-100 scale. It is
  not rank/10: DataForSEO maps its 0-1000 rank with round(sin(rank / 636.62) * 100)
  (https://dataforseo.com/update/new-rank-scale-in-backlinks-api), so a 694 becomes 89. Asking for
  that scale keeps the figure the user would see in DataForSEO's own tools.
- referring domains: ``referring_main_domains``, "the number of primary (root) domains referring to
  your target". ``referring_domains`` counts every subdomain as a domain of its own
  (blog.example.com and example.com are two), so the main-domain count is the one closest to
  "distinct registrable domains linking". Nofollow: ``referring_main_domains_nofollow`` likewise.
- a domain unknown to DataForSEO: the summary answers ``result: null`` (and still costs a call); the
  bulk endpoints answer zeros ("0 (no backlinks detected)", bulk_ranks page). Both read as None:
  no live referring domain and rank 0 is "nothing known", and the question is simply asked.
- history: items come "month-by-month; the metrics are aggregated according to the backlinks the
  specified domain had on the first day of each given month", and ``new_referring_domains`` /
  ``lost_referring_domains`` are "based in a comparison with the previous period" (from May 2021).
  So the item dated 2026-11-01 is the state when October ended and October's gains and losses: an
  item is read as the month that ended the day before its date (a date on the month's last day
  reads the same). It gives counts only (``month_domains`` names them). Those counts are
  DataForSEO's referring domains (subdomains counted apart); the month's live figure is
  ``referring_main_domains``, like ``sites()``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from bot.lookups.provider import MonthChange, MonthDomains, SiteFigures
from providers.dataforseo.bodies import target as as_target
from providers.dataforseo.connection import failed, no_credit


def first_result(task: dict[str, Any]) -> Any:
    """The task's first result (``result: null`` or an empty list read as None)."""
    return (task.get("result") or [None])[0]


def check_account(task: dict[str, Any]) -> None:
    """appendix/user_data's account: an account with no money or no Backlinks API subscription
    (``money.balance``, ``backlinks_subscription_expiry_date``: "if there is no active subscription
    to Backlinks API, the value equals null") raises OutOfCredit, since every lookup would."""
    user = first_result(task)
    if not isinstance(user, dict):
        raise failed("user_data had no account in it")
    balance = (user.get("money") or {}).get("balance")
    if isinstance(balance, int | float) and balance <= 0:
        raise no_credit(40200)
    if "backlinks_subscription_expiry_date" in user:
        said = user["backlinks_subscription_expiry_date"]
        expiry = _datetime(said)
        if said is None or (expiry is not None and expiry < dt.datetime.now(dt.UTC)):
            raise no_credit(40204)


def summary(task: dict[str, Any]) -> dict[str, Any] | None:
    """summary/live: ``rank``, ``referring_main_domains``, ``referring_main_domains_nofollow``;
    ``result: null`` for a target DataForSEO does not know."""
    item = first_result(task)
    return item if isinstance(item, dict) else None


def bulk(domains: dict[str, Any], ranks: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """bulk_referring_domains' items (``target``, ``referring_main_domains``,
    ``referring_main_domains_nofollow``) with bulk_ranks' ``rank`` of the same target, by target."""
    found: dict[str, dict[str, Any]] = {}
    for item in items(domains):
        found[as_target(str(item.get("target", ""))) or ""] = dict(item)
    for item in items(ranks):
        if (key := as_target(str(item.get("target", ""))) or "") in found:
            found[key]["rank"] = item.get("rank")
    return found


def figures(domain: str, item: dict[str, Any] | None) -> SiteFigures | None:
    if not item:
        return None
    main = item.get("referring_main_domains")
    rank = item.get("rank")
    if not isinstance(main, int | float) or main < 0:
        raise failed(f"no referring_main_domains for {domain}")
    if main == 0 and not rank:  # "0 (no backlinks detected)": nothing known about it
        return None
    return SiteFigures(
        domain=domain,
        referring_domains=int(main),
        authority=max(0, min(100, int(rank))) if isinstance(rank, int | float) else None,
        nofollow_referring_domains=_count_or_none(item.get("referring_main_domains_nofollow")),
    )


def months(task: dict[str, Any], since: str) -> list[MonthChange]:
    """history/live: ``date``, ``new_referring_domains``, ``lost_referring_domains``,
    ``referring_main_domains`` of each item, oldest month first. A month shows once the snapshot
    closing it exists (the 1st of the next month)."""
    found: dict[str, MonthChange] = {}
    for item in (first_result(task) or {}).get("items") or []:
        when = _datetime(item.get("date")) if isinstance(item, dict) else None
        if when is None:
            raise failed("a history item without a date")
        month = f"{when - dt.timedelta(days=1):%Y-%m}"  # the month this snapshot closes
        if month < since:
            continue
        found[month] = MonthChange(
            month=month,
            new=_count(item.get("new_referring_domains")),
            lost=_count(item.get("lost_referring_domains")),
            referring_domains=_count_or_none(item.get("referring_main_domains")),
        )
    return [found[m] for m in sorted(found)]


def month_domains(task: dict[str, Any], month: str) -> MonthDomains:
    """referring_domains/live: each item's ``domain``, ``first_seen`` and ``lost_date``, the ones
    in `month` named (most valuable first, as asked; each once)."""
    new: list[str] = []
    lost: list[str] = []
    for item in items(task):
        name = item.get("domain")
        if not isinstance(name, str) or not name:
            continue
        for stamp, into in ((item.get("first_seen"), new), (item.get("lost_date"), lost)):
            when = _datetime(stamp)
            if when is not None and f"{when.astimezone(dt.UTC):%Y-%m}" == month:
                into.append(name.lower())
    return MonthDomains(month, tuple(dict.fromkeys(new)), tuple(dict.fromkeys(lost)))


def items(task: dict[str, Any]) -> list[dict[str, Any]]:
    result = first_result(task)
    found = result.get("items") if isinstance(result, dict) else None
    return [i for i in found or [] if isinstance(i, dict)]


def _count(value: Any) -> int:
    return int(value) if isinstance(value, int | float) and value > 0 else 0


def _count_or_none(value: Any) -> int | None:
    return int(value) if isinstance(value, int | float) and value >= 0 else None


def _datetime(value: Any) -> dt.datetime | None:
    """DataForSEO's "yyyy-mm-dd hh-mm-ss +00:00" (e.g. 2019-11-15 12:57:46 +00:00), or None."""
    if not isinstance(value, str):
        return None
    try:
        return dt.datetime.strptime(value.strip(), "%Y-%m-%d %H:%M:%S %z")
    except ValueError:
        return None
