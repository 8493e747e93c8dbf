"""Several processes on one database: nothing lost, nothing doubled (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio

import pytest
from support import TYPED_ANSWERS, rows  # noqa: F401

from bot.core.events import ChannelKey, Invoked, Submitted
from bot.engine import Engine
from bot.monthly.progress_store import ProgressStore
from bot.planning import knowledge
from bot.storage.drafts import DraftConflict
from bot.storage.store import Store

HERE = ChannelKey("slack", "T1", "C1")
SECTIONS = {s.id: [q.id for q in s.questions] for s in knowledge.default().questionnaire.sections}
ANSWERS = dict(TYPED_ANSWERS)


async def test_a_stale_draft_save_is_refused(any_store):
    await any_store.save_draft(HERE, "U1", {"answers": {"a": 1}}, expected=None)
    session = await any_store.load_session(HERE, "U1")
    assert session.version == 1
    with pytest.raises(DraftConflict):
        await any_store.save_draft(HERE, "U1", {"answers": {"b": 2}}, expected=None)  # "new", but one exists
    await any_store.save_draft(HERE, "U1", {"answers": {"a": 1, "b": 2}}, expected=1)
    with pytest.raises(DraftConflict):  # a second writer that also read version 1
        await any_store.save_draft(HERE, "U1", {"answers": {"a": 1, "c": 3}}, expected=1)
    assert (await any_store.load_session(HERE, "U1")).draft == {"answers": {"a": 1, "b": 2}}


async def test_a_draft_finished_twice_gives_one_plan(any_store):
    await any_store.save_draft(HERE, "U1", {"answers": {}}, expected=None)
    await any_store.save_plan(HERE, "U1", {"x": 1}, {"x": 1}, expected=1)
    with pytest.raises(DraftConflict):
        await any_store.save_plan(HERE, "U1", {"x": 1}, {"x": 1}, expected=1)
    assert len(await any_store.plan_history(HERE)) == 1


async def test_two_processes_taking_one_users_answers_at_once_lose_none(store_url):
    """Sections of one user's plan arrive at two processes at the same moment, many times over."""
    stores = [await Store.open(store_url) for _ in range(2)]
    try:
        engines = [Engine(knowledge=knowledge.default(), store=s) for s in stores]
        for round_ in range(8):
            channel = ChannelKey("discord", "G1", f"C{round_}")
            early = [s for s in SECTIONS if s != "capacity"]  # every section but the last, all at once
            sections = [Submitted(channel, "U1", {q: ANSWERS[q] for q in SECTIONS[s]}) for s in early]
            await asyncio.gather(*(e.handle(ev) for e, ev in zip(engines * len(early), sections, strict=False)))
            draft = (await stores[0].load_session(channel, "U1")).draft
            settled = set(draft["answers"]) | set(draft["skipped"])
            expected = {q for s in early for q in SECTIONS[s]}
            assert settled == expected, f"round {round_}: lost {expected - settled}"
            # Both processes get the last section at once (a retried delivery): one plan.
            last = Submitted(channel, "U1", {q: ANSWERS[q] for q in SECTIONS["capacity"]})
            await asyncio.gather(*(e.handle(last) for e in engines))
            assert len(await stores[0].plan_history(channel)) == 1, f"round {round_}: plan stored twice"
    finally:
        for s in stores:
            await s.close()


async def test_one_request_delivered_to_two_processes_at_once_is_done_once(store_url):
    """A Discord interaction (or a Slack trigger) delivered twice to each of two processes at the
    same moment, round after round: one log each round, and one answer."""
    stores = [await Store.open(store_url) for _ in range(2)]
    try:
        engines = [Engine(knowledge=knowledge.default(), store=s) for s in stores]
        channel = ChannelKey("discord", "G1", "C1")
        await engines[0].handle(Submitted(channel, "U1", ANSWERS))  # the plan, in one form
        for round_ in range(8):
            log = Invoked(channel, "U1", "log", "3", request=f"interaction-{round_}")
            answers = await asyncio.gather(*(e.handle(log) for e in engines * 2))
            assert sum(1 for replies in answers if replies) == 1, f"round {round_}: answered {answers}"
        logged = (await ProgressStore.on(stores[1]).by_month(channel)).logged
        assert sum(logged.values()) == 8 * 3
    finally:
        for s in stores:
            await s.close()
