"""The real Moz client (providers/moz.py) against the loopback stand-in of the Moz Links API v2."""

from __future__ import annotations

import time

import aiohttp
import pytest
from moz_standin import ACCESS_ID, SECRET_KEY, TOKEN, MozStandIn

import providers
from bot.lookups.provider import LookupFailed, OutOfCredit, RefusedKey, SiteFigures
from providers.moz import Moz

KEY = f"{ACCESS_ID}:{SECRET_KEY}"


@pytest.fixture
async def standin():
    standin = MozStandIn()
    await standin.start()
    yield standin
    await standin.stop()


@pytest.fixture
async def made(standin):
    """Clients made against the stand-in, closed after the test: made(key, timeout=...)."""
    clients = []

    def make(key: str = KEY, *, timeout: float = 3.0) -> Moz:
        clients.append(Moz(key, base_url=standin.base_url, timeout=timeout))
        return clients[-1]

    yield make
    for client in clients:
        await client.close()


async def test_figures_for_a_known_domain(standin, made):
    figures = await made().sites(["moz.com"])

    assert figures == {
        "moz.com": SiteFigures(
            domain="moz.com", referring_domains=179884, authority=91, nofollow_referring_domains=37789
        )
    }
    [call] = standin.calls
    assert call.endpoint == "url_metrics"
    assert call.auth == f"basic:{ACCESS_ID}"
    assert call.body == {"targets": ["moz.com/"]}  # only the domain, as the docs write a site


async def test_a_single_api_token_goes_in_the_x_moz_token_header(standin, made):
    figures = await made(TOKEN).sites(["rival.com"])

    assert figures["rival.com"].referring_domains == 2310
    assert figures["rival.com"].authority == 44
    assert standin.calls[0].auth == "token"


async def test_several_domains_cost_one_call_and_come_back_in_the_order_asked(standin, made):
    asked = ["rival.com", "other.net", "brightgarden.co.uk", "moz.com"]

    figures = await made().sites(asked)

    assert list(figures) == asked
    assert [f.referring_domains for f in figures.values()] == [2310, 655, 412, 179884]
    assert [f.authority for f in figures.values()] == [44, 31, 27, 91]
    assert standin.count("url_metrics") == 1
    assert standin.calls[0].targets == ["rival.com/", "other.net/", "brightgarden.co.uk/", "moz.com/"]
    assert standin.rows_consumed == 4


async def test_more_than_fifty_domains_go_fifty_a_call_each_domain_once(standin, made):
    asked = [f"site{n}.com" for n in range(60)] + ["rival.com", "Rival.com", "https://rival.com/"]

    figures = await made().sites(asked)

    assert list(figures) == asked
    assert figures["Rival.com"] == figures["https://rival.com/"] == figures["rival.com"]
    assert figures["rival.com"].domain == "rival.com"
    assert [len(c.targets) for c in standin.calls] == [50, 11]
    assert standin.sent("rival.com") == 1


async def test_a_domain_unknown_to_moz_is_none_and_a_crawled_site_without_links_is_zero(standin, made):
    figures = await made().sites(["never-heard-of-it.example", "rival.com", "fresh-site.io"])

    assert figures["never-heard-of-it.example"] is None
    assert figures["rival.com"].referring_domains == 2310
    assert figures["fresh-site.io"] == SiteFigures(
        domain="fresh-site.io", referring_domains=0, authority=1, nofollow_referring_domains=0
    )
    assert standin.count() == 1


async def test_what_is_no_domain_is_none_without_being_sent(standin, made):
    figures = await made().sites(["not a domain", "", "rival.com"])

    assert figures["not a domain"] is None and figures[""] is None
    assert standin.calls[0].targets == ["rival.com/"]
    assert await made().sites([]) == {}
    assert standin.count() == 1


async def test_moz_has_no_history_and_asks_nothing_for_it(standin, made):
    client = made()

    assert client.has_history is False
    assert await client.history("moz.com", "2026-06") == []
    assert standin.count() == 0


async def test_a_429_with_retry_after_is_waited_out_then_retried(standin, made):
    standin.fail_next(1, 429, retry_after=1)
    started = time.monotonic()

    figures = await made(timeout=3).sites(["moz.com"])

    waited = time.monotonic() - started
    assert figures["moz.com"].referring_domains == 179884
    assert standin.count("url_metrics") == 2
    assert 0.9 <= waited < 2.5
    assert standin.calls[1].arrived - standin.calls[0].arrived >= 0.9


async def test_a_wait_longer_than_the_budget_fails_at_once_without_calling_again(standin, made):
    standin.fail_next(1, 429, retry_after=30)
    started = time.monotonic()

    with pytest.raises(LookupFailed, match="another 30 seconds") as failed:
        await made(timeout=2).sites(["moz.com"])

    assert type(failed.value) is LookupFailed
    assert time.monotonic() - started < 0.5
    assert standin.count() == 1


async def test_the_free_tier_throttle_between_two_calls_is_honoured(standin, made):
    standin.min_interval = 1  # the free tier: one request per 10 s, shortened
    asked = [f"site{n}.com" for n in range(51)]

    figures = await made(timeout=3).sites(asked)

    assert len(figures) == 51
    assert [c.status for c in standin.calls] == [200, 429, 200]
    assert standin.calls[2].arrived - standin.calls[1].arrived >= 0.9


async def test_a_5xx_is_retried_then_succeeds(standin, made):
    standin.fail_next(2, 503)

    figures = await made().sites(["other.net"])

    assert figures["other.net"].referring_domains == 655
    assert [c.status for c in standin.calls] == [503, 503, 200]


async def test_a_lasting_5xx_fails_after_four_attempts(standin, made):
    standin.fail_next(10, 503, retry_after=0)  # "retry now": no backoff wait

    with pytest.raises(LookupFailed, match="HTTP 503"):
        await made(timeout=5).sites(["other.net"])

    assert standin.count() == 4


async def test_a_slow_moz_fails_within_the_budget(standin, made):
    standin.delay = 2
    started = time.monotonic()

    with pytest.raises(LookupFailed, match="did not answer within 0.5 s"):
        await made(timeout=0.5).sites(["moz.com"])

    assert time.monotonic() - started < 0.9
    assert standin.count() >= 1


async def test_a_refused_key_is_refused_key_and_not_retried(standin, made):
    with pytest.raises(RefusedKey, match="connect"):
        await made(f"{ACCESS_ID}:ffffffffffffffffffffffffffffffff").sites(["moz.com"])
    with pytest.raises(RefusedKey):
        await made("not-a-token-moz-knows").check()

    assert [c.status for c in standin.calls] == [401, 401]


async def test_the_key_check_is_one_usage_data_call_reading_no_rows(standin, made):
    await made().check()

    [call] = standin.calls
    assert (call.endpoint, call.body, call.status) == ("usage_data", {}, 200)
    assert standin.rows_consumed == 0


async def test_an_exhausted_row_quota_is_out_of_credit_and_not_retried(standin, made):
    standin.rows_quota = 2

    with pytest.raises(OutOfCredit):
        await made().sites(["moz.com", "rival.com", "other.net"])

    assert standin.count() == 1
    assert standin.rows_consumed == 0


async def test_a_402_is_out_of_credit(standin, made):
    standin.fail_next(1, 402)

    with pytest.raises(OutOfCredit):
        await made().sites(["moz.com"])
    assert standin.count() == 1


async def test_a_400_is_not_retried(standin, made):
    standin.fail_next(1, 400)

    with pytest.raises(LookupFailed, match="HTTP 400"):
        await made().sites(["moz.com"])
    assert standin.count() == 1


async def test_an_answer_of_the_wrong_shape_is_lookup_failed(standin, made):
    standin.fail_next(1, 200, body={"results": [{"page": "moz.com/"}]})

    with pytest.raises(LookupFailed, match="unexpected shape"):
        await made().sites(["moz.com"])


@pytest.mark.parametrize(
    "key",
    ["", "   ", "id with spaces:secret", f"{ACCESS_ID}:", f":{SECRET_KEY}", "a:b:c", ACCESS_ID],
)
def test_a_malformed_key_is_refused_before_any_call(key):
    with pytest.raises(ValueError, match="Moz"):
        Moz(key, base_url="http://127.0.0.1:9/v2/")


async def test_close_closes_the_session(standin, made):
    client = made()
    await client.sites(["moz.com"])
    session = client._session
    assert isinstance(session, aiohttp.ClientSession) and not session.closed

    await client.close()
    await client.close()  # twice is harmless

    assert session.closed


async def test_the_registry_makes_this_client(standin):
    client = providers.client("moz", KEY, base_url=standin.base_url)
    try:
        assert isinstance(client, Moz)
        assert (client.name, client.label, client.authority_name) == ("moz", "Moz", "Domain Authority")
        assert (await client.sites(["moz.com"]))["moz.com"].authority == 91
    finally:
        await client.close()


# -- the stand-in refuses what Moz refuses --------------------------------------------------------


async def _post(standin: MozStandIn, endpoint: str, body, **headers) -> tuple[int, dict]:
    headers = {"x-moz-token": TOKEN, **headers}
    async with (
        aiohttp.ClientSession() as session,
        session.post(standin.base_url + endpoint, json=body, headers=headers) as response,
    ):
        return response.status, await response.json()


async def test_standin_refuses_fields_the_docs_do_not_define(standin):
    status, body = await _post(standin, "url_metrics", {"targets": ["moz.com/"], "user": "alice"})
    assert (status, body["message"]) == (400, "Unknown field(s): user.")
    status, body = await _post(standin, "usage_data", {"since": "1"})
    assert status == 400


async def test_standin_refuses_more_than_fifty_targets_and_none(standin):
    assert (await _post(standin, "url_metrics", {"targets": [f"s{n}.com/" for n in range(51)]}))[0] == 400
    assert (await _post(standin, "url_metrics", {"targets": []}))[0] == 400
    assert (await _post(standin, "url_metrics", {}))[0] == 400


async def test_standin_refuses_calls_without_valid_credentials(standin):
    async with aiohttp.ClientSession() as session:
        async with session.post(standin.base_url + "url_metrics", json={"targets": ["moz.com/"]}) as response:
            assert response.status == 401
        async with session.get(standin.base_url + "url_metrics", headers={"x-moz-token": TOKEN}) as response:
            assert response.status == 405


async def test_moz_out_of_reach_is_lookup_failed_after_retries():
    # The discard port: nothing listens. The timeout leaves room for all four attempts and their
    # jittered backoff (at most about 2.5 s) even on a loaded machine: with 1 s, the deadline
    # sometimes came first and the failure read "did not answer" instead.
    client = Moz(KEY, base_url="http://127.0.0.1:9/v2/", timeout=4)
    started = time.monotonic()
    try:
        with pytest.raises(LookupFailed, match="connection failed"):
            await client.sites(["moz.com"])
    finally:
        await client.close()
    assert time.monotonic() - started < 4.2
