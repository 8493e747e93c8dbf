"""The real DataForSEO client (providers/dataforseo/) against a loopback stand-in of DataForSEO's API
that answers as its documentation shows (tests/helpers/dataforseo_standin.py)."""

from __future__ import annotations

import base64
import time

import aiohttp
import pytest
from dataforseo_standin import DataForSEOStandIn, one_hundred

from bot.lookups.provider import LookupFailed, MonthChange, MonthDomains, OutOfCredit, RefusedKey, SiteFigures
from providers import client as make_client
from providers.dataforseo import DataForSEO

SUMMARY = "backlinks/summary/live"
BULK_DOMAINS = "backlinks/bulk_referring_domains/live"
BULK_RANKS = "backlinks/bulk_ranks/live"
HISTORY = "backlinks/history/live"
REFERRING = "backlinks/referring_domains/live"
USER = "appendix/user_data"


@pytest.fixture
async def standin():
    standin = DataForSEOStandIn()
    await standin.start()
    yield standin
    await standin.stop()


@pytest.fixture
async def dfs(standin):
    client = DataForSEO(standin.key, base_url=standin.url, timeout=3.0)
    yield client
    await client.close()


async def test_the_registry_makes_this_client_with_the_stand_in_as_its_base_url(standin):
    client = make_client("dataforseo", standin.key, base_url=standin.url)
    try:
        assert isinstance(client, DataForSEO)
        assert (client.name, client.label, client.has_history) == ("dataforseo", "DataForSEO", True)
        await client.check()
    finally:
        await client.close()
    assert standin.count(USER) == 1


async def test_one_domain_is_one_summary_call_with_main_domains_and_the_0_to_100_rank(dfs, standin):
    figures = await dfs.sites(["example-shop.com"])

    assert figures == {
        "example-shop.com": SiteFigures(
            domain="example-shop.com", referring_domains=164, authority=60, nofollow_referring_domains=38
        )
    }
    assert one_hundred(412) == 60  # DataForSEO's sin(rank / 636.62) * 100, not 412 / 10
    assert [c.path for c in standin.calls] == [SUMMARY]
    [call] = standin.calls
    assert call.body == [
        {
            "target": "example-shop.com",
            "include_subdomains": True,
            "backlinks_status_type": "live",
            "rank_scale": "one_hundred",
        }
    ]
    assert call.code == 20000
    assert dfs.spent == pytest.approx(0.02003)


async def test_several_domains_cost_one_bulk_call_for_domains_and_one_for_ranks(dfs, standin):
    figures = await dfs.sites(["example-shop.com", "rival.com", "other.net", "tiny.blog"])

    assert figures["rival.com"] == SiteFigures(
        "rival.com", 921, authority=one_hundred(538), nofollow_referring_domains=254
    )
    assert figures["other.net"] == SiteFigures("other.net", 310, authority=46, nofollow_referring_domains=80)
    assert figures["tiny.blog"] == SiteFigures("tiny.blog", 7, authority=15, nofollow_referring_domains=2)
    assert figures["example-shop.com"].referring_domains == 164
    assert (standin.count(BULK_DOMAINS), standin.count(BULK_RANKS), standin.count(SUMMARY)) == (1, 1, 0)
    assert all(standin.looked_up(d) == 2 for d in figures)  # once in each bulk call
    assert standin.calls_to(BULK_DOMAINS)[0].body == [
        {"targets": ["example-shop.com", "rival.com", "other.net", "tiny.blog"]}
    ]
    assert standin.calls_to(BULK_RANKS)[0].body[0]["rank_scale"] == "one_hundred"


async def test_more_than_1000_domains_go_in_bulk_calls_of_1000(dfs, standin):
    domains = [f"site{n}.example" for n in range(1500)] + ["rival.com"]

    figures = await dfs.sites(domains)

    assert figures["rival.com"].referring_domains == 921
    assert sum(f is None for f in figures.values()) == 1500
    sizes = sorted(len(c.body[0]["targets"]) for c in standin.calls_to(BULK_DOMAINS))
    assert sizes == [501, 1000]
    assert standin.count(BULK_RANKS) == 2 and len(standin.calls) == 4


async def test_the_same_domain_asked_twice_is_sent_once_and_answered_under_each_spelling(dfs, standin):
    figures = await dfs.sites(["Example-Shop.com", "www.example-shop.com"])

    assert figures["Example-Shop.com"].referring_domains == 164
    assert figures["www.example-shop.com"].referring_domains == 164
    assert [c.body[0]["target"] for c in standin.calls] == ["example-shop.com"]  # "without https:// and www."


async def test_a_domain_unknown_to_dataforseo_is_none_from_the_summary_and_from_the_bulk_calls(dfs, standin):
    assert await dfs.sites(["never-linked.example"]) == {"never-linked.example": None}
    assert standin.calls_to(SUMMARY)[0].code == 20000  # "result": null, not an error

    mixed = await dfs.sites(["rival.com", "never-linked.example"])
    assert mixed["never-linked.example"] is None
    assert mixed["rival.com"].referring_domains == 921


async def test_something_that_is_no_domain_is_none_and_never_sent(dfs, standin):
    assert await dfs.sites(["not a domain", "https://x.com/page"]) == {"not a domain": None, "https://x.com/page": None}
    assert standin.calls == []


async def test_history_gives_months_with_new_and_lost_oldest_first_from_the_month_asked(dfs, standin):
    months = await dfs.history("example-shop.com", "2026-07")

    assert months == [
        MonthChange("2026-07", new=4, lost=5, referring_domains=156),
        MonthChange("2026-08", new=7, lost=1, referring_domains=162),
        MonthChange("2026-09", new=5, lost=4, referring_domains=163),
        MonthChange("2026-10", new=3, lost=2, referring_domains=164),
    ]
    [call] = standin.calls
    assert (call.path, call.body) == (HISTORY, [{"target": "example-shop.com", "date_from": "2026-07-01"}])
    # The item dated 2026-07-01 is the state "on the first day" of July: June's changes, left out.
    assert call.code == 20000


async def test_a_months_figures_come_from_the_snapshot_on_the_first_of_the_next_month(dfs, standin):
    [june] = [m for m in await dfs.history("example-shop.com", "2026-06") if m.month == "2026-06"]
    assert june == MonthChange("2026-06", new=9, lost=3, referring_domains=157)


async def test_history_of_an_unknown_domain_is_empty(dfs):
    assert await dfs.history("never-linked.example", "2026-01") == []


async def test_history_refuses_a_month_that_is_not_yyyy_mm_before_any_call(dfs, standin):
    with pytest.raises(ValueError, match="2026-06"):
        await dfs.history("example-shop.com", "June")
    assert standin.calls == []


async def test_month_domains_names_the_months_new_and_lost_referring_domains_most_valuable_first_in_one_call(
    dfs, standin
):
    found = await dfs.month_domains("example-shop.com", "2026-10")

    # First seen in October, highest rank first; lost in October likewise. A domain first seen long
    # ago, one lost in September and one new in November are not October's.
    assert found == MonthDomains(
        "2026-10",
        new=("bakers-guild.org", "blog.foodie.io", "citylist.net"),
        lost=("gone-news.com", "closed-forum.net"),
    )
    [call] = standin.calls
    assert call.path == REFERRING and call.code == 20000
    [task] = call.body
    assert task["target"] == "example-shop.com"
    assert task["backlinks_status_type"] == "all"  # "live", the default, would hide the lost ones
    assert task["limit"] == 1000 and task["order_by"] == ["rank,desc"]
    assert task["filters"] == [
        [["first_seen", ">=", "2026-10-01 00:00:00 +00:00"], "and", ["first_seen", "<", "2026-11-01 00:00:00 +00:00"]],
        "or",
        [["lost_date", ">=", "2026-10-01 00:00:00 +00:00"], "and", ["lost_date", "<", "2026-11-01 00:00:00 +00:00"]],
    ]


async def test_month_domains_of_december_ends_at_the_next_years_first_day_and_of_an_unknown_domain_is_empty(
    dfs, standin
):
    assert await dfs.month_domains("rival.com", "2026-12") == MonthDomains("2026-12")
    assert standin.calls[0].body[0]["filters"][2][2] == ["lost_date", "<", "2027-01-01 00:00:00 +00:00"]
    assert await dfs.month_domains("not a domain", "2026-10") == MonthDomains("2026-10")
    assert len(standin.calls) == 1  # nothing that is no domain is sent
    with pytest.raises(ValueError, match="2026-10"):
        await dfs.month_domains("rival.com", "October")


async def test_a_429_with_retry_after_is_waited_for_then_retried(dfs, standin):
    standin.fail_next(1, 429, retry_after=1)
    started = time.monotonic()

    figures = await dfs.sites(["example-shop.com"])

    assert figures["example-shop.com"].referring_domains == 164
    assert [c.status for c in standin.calls] == [429, 200]
    gap = standin.calls[1].arrived - standin.calls[0].arrived
    assert 0.95 <= gap < 2.0
    assert time.monotonic() - started < 2.5


async def test_a_retry_after_longer_than_the_budget_ends_the_call_at_once_without_a_retry(standin):
    dfs = DataForSEO(standin.key, base_url=standin.url, timeout=1.0)
    standin.fail_next(1, 429, retry_after=30)
    started = time.monotonic()
    try:
        with pytest.raises(LookupFailed, match="429"):
            await dfs.sites(["example-shop.com"])
        assert time.monotonic() - started < 0.5
        assert len(standin.calls) == 1
        # It was told to wait: the next lookup does not call before the 30 s are over.
        with pytest.raises(LookupFailed, match="not to be called"):
            await dfs.sites(["rival.com"])
        assert len(standin.calls) == 1
    finally:
        await dfs.close()


async def test_a_5xx_is_retried_and_then_answers(dfs, standin):
    standin.fail_next(1, 500)
    standin.fail_next(1, 503)

    figures = await dfs.sites(["example-shop.com"])

    assert figures["example-shop.com"].authority == 60
    assert [c.status for c in standin.calls] == [500, 503, 200]


async def test_5xx_on_every_attempt_ends_in_lookup_failed_within_the_budget(standin):
    dfs = DataForSEO(standin.key, base_url=standin.url, timeout=1.0)
    standin.fail_next(20, 500)
    started = time.monotonic()
    try:
        with pytest.raises(LookupFailed) as failed:
            await dfs.sites(["example-shop.com"])
    finally:
        await dfs.close()
    assert not isinstance(failed.value, RefusedKey | OutOfCredit)
    assert time.monotonic() - started < 1.2
    assert 2 <= len(standin.calls) <= 4  # retried with backoff, not hammered


async def test_a_slow_answer_ends_in_lookup_failed_within_the_budget(standin):
    dfs = DataForSEO(standin.key, base_url=standin.url, timeout=0.5)
    standin.delay = 1.0
    started = time.monotonic()
    try:
        with pytest.raises(LookupFailed, match="0.5 s"):
            await dfs.sites(["example-shop.com", "rival.com"])
    finally:
        await dfs.close()
    assert time.monotonic() - started < 0.8


async def test_no_server_at_all_ends_in_lookup_failed_within_the_budget(standin):
    url = standin.url
    await standin.stop()
    dfs = DataForSEO(standin.key, base_url=url, timeout=0.5)
    started = time.monotonic()
    try:
        with pytest.raises(LookupFailed):
            await dfs.sites(["example-shop.com"])
    finally:
        await dfs.close()
        await standin.start()  # the fixture stops it again
    assert time.monotonic() - started < 0.8


async def test_a_refused_key_raises_refused_key_and_is_not_retried(standin):
    dfs = DataForSEO("me@example.com:wrong-password", base_url=standin.url, timeout=3.0)
    try:
        with pytest.raises(RefusedKey):
            await dfs.check()
        with pytest.raises(RefusedKey):
            await dfs.sites(["example-shop.com"])
    finally:
        await dfs.close()
    assert [(c.status, c.code) for c in standin.calls] == [(401, 40100), (401, 40100)]


async def test_an_account_without_money_raises_out_of_credit_on_lookups_and_on_check(dfs, standin):
    standin.balance = 0.0

    with pytest.raises(OutOfCredit, match="no money"):
        await dfs.sites(["example-shop.com"])
    with pytest.raises(OutOfCredit):
        await dfs.sites(["example-shop.com", "rival.com"])
    with pytest.raises(OutOfCredit):
        await dfs.check()
    assert [c.status for c in standin.calls] == [402, 402, 402, 200]  # the bulk pair, each once


async def test_an_account_without_a_backlinks_subscription_raises_out_of_credit(dfs, standin):
    standin.backlinks_subscription_expiry = None

    with pytest.raises(OutOfCredit, match="subscription"):
        await dfs.check()
    with pytest.raises(OutOfCredit, match="subscription"):
        await dfs.history("example-shop.com", "2026-06")
    assert [c.code for c in standin.calls] == [20000, 40204]


async def test_check_proves_the_key_with_the_free_user_data_call(dfs, standin):
    await dfs.check()

    [call] = standin.calls
    assert (call.method, call.path, call.body, call.login) == ("GET", USER, None, "me@example.com")
    assert dfs.spent == 0


@pytest.mark.parametrize(
    "key", ["", "no-colon-here", ":password", "me@example.com:", "me@example.com:pass word", "me@example.com:pw\n2"]
)
async def test_a_malformed_key_is_refused_before_any_call(standin, key):
    with pytest.raises(ValueError, match="login and API password joined by a colon|no spaces"):
        DataForSEO(key, base_url=standin.url)
    assert standin.calls == []


@pytest.mark.parametrize("pasted", ["  {key}\n", "{base64}"])
async def test_a_key_pasted_with_spaces_around_it_or_base64_encoded_works(standin, pasted):
    key = pasted.format(key=standin.key, base64=base64.b64encode(standin.key.encode()).decode())
    dfs = DataForSEO(key, base_url=standin.url)
    try:
        await dfs.check()
    finally:
        await dfs.close()
    assert [c.login for c in standin.calls] == ["me@example.com"]


async def test_the_per_minute_rate_limit_is_not_hammered(dfs, standin):
    standin.rate_remaining = 1  # this call spends the minute's last one: X-RateLimit-Remaining: 0

    assert (await dfs.sites(["example-shop.com"]))["example-shop.com"] is not None
    with pytest.raises(LookupFailed, match="not to be called"):
        await dfs.sites(["rival.com"])
    assert len(standin.calls) == 1


async def test_dataforseo_rate_limit_code_40202_is_not_retried_within_the_minute(dfs, standin):
    standin.rate_remaining = 0

    with pytest.raises(LookupFailed, match="40202"):
        await dfs.history("example-shop.com", "2026-06")
    assert [c.code for c in standin.calls] == [40202]


async def test_an_answer_that_is_not_json_is_lookup_failed(dfs, standin):
    standin.fail_next(1, 0)

    with pytest.raises(LookupFailed, match="not JSON"):
        await dfs.sites(["example-shop.com"])
    assert len(standin.calls) == 1


async def test_close_closes_the_session_and_the_client_can_be_closed_twice(dfs):
    await dfs.sites(["example-shop.com"])
    session = dfs._connection.session
    assert isinstance(session, aiohttp.ClientSession) and not session.closed

    await dfs.close()
    await dfs.close()

    assert session.closed


# The stand-in refuses what DataForSEO refuses, so a client bug shows as DataForSEO would show it.


async def _post(standin: DataForSEOStandIn, path: str, body: object) -> dict:
    basic = base64.b64encode(standin.key.encode()).decode()
    async with (
        aiohttp.ClientSession(headers={"Authorization": f"Basic {basic}"}) as session,
        session.post(standin.url + path, json=body) as response,
    ):
        assert response.headers["X-RateLimit-Limit"] == "2000"
        return await response.json()


@pytest.mark.parametrize(
    ("path", "body", "code"),
    [
        (SUMMARY, [{"target": "rival.com", "user_email": "a@b.c"}], 40506),  # unknown field
        (BULK_DOMAINS, [{"targets": ["rival.com"], "rank_scale": "one_hundred"}], 40506),  # not a field there
        (SUMMARY, [{"target": "www.rival.com"}], 40501),  # "without https:// and www."
        (SUMMARY, [{"target": "rival.com", "rank_scale": "0-100"}], 40501),
        (HISTORY, [{"target": "rival.com", "date_from": "2018-12-01"}], 40501),  # "minimum value 2019-01-01"
        (BULK_RANKS, [{"targets": ["x.com"] * 1001}], 40501),  # "up to 1000"
        (REFERRING, [{"target": "rival.com", "limit": 1001}], 40501),  # "maximum value: 1000"
        (REFERRING, [{"target": "rival.com", "filters": [["first_seen", ">=", "2026-10-01"]]}], 40501),  # no time
        (REFERRING, [{"target": "rival.com", "filters": [["rank", ">", 1], "xor", ["rank", "<", 9]]}], 40501),
        (REFERRING, [{"target": "rival.com", "filters": [["spam", ">", 1]]}], 40501),  # no such field
        (REFERRING, [{"target": "rival.com", "order_by": ["rank"]}], 40501),  # "field,direction"
        (REFERRING, [{"target": "rival.com", "backlinks_status_type": "new"}], 40501),
    ],
)
async def test_the_stand_in_refuses_a_field_the_docs_do_not_allow(standin, path, body, code):
    answer = await _post(standin, path, body)
    assert answer["status_code"] == 20000 and answer["tasks_error"] == 1
    assert answer["tasks"][0]["status_code"] == code and answer["tasks"][0]["result"] is None
    assert answer["tasks"][0]["cost"] == 0


async def test_the_stand_in_takes_one_task_per_live_call(standin):
    answer = await _post(standin, SUMMARY, [{"target": "rival.com"}, {"target": "other.net"}])
    assert answer["status_code"] == 40000
