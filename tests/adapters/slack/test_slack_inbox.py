"""Acknowledged means stored (bot/intake/) on Slack: replays, "busy", and work a stopped process left."""

from __future__ import annotations

import json

from support import TYPED_ANSWERS, rows

from bot.intake import Intake

ANSWERS = dict(TYPED_ANSWERS)
ANSWERS["strategies"] = "guest_posting, outreach"


def plans(db_path) -> list[tuple]:
    return rows(db_path, "SELECT channel_id, created_by FROM plans")


async def open_modal(slack) -> dict:
    await slack.command("plan")
    [call] = await slack.standin.wait_for("views.open")
    return call.body["view"]


async def test_a_submission_replayed_three_times_makes_one_plan(slack, db_path):
    view = await open_modal(slack)
    payload = slack.submission(view, ANSWERS, view_id="V42")
    for _ in range(3):  # the same signed body again, as an attacker or a flaky proxy would send it
        response = await slack.interaction(payload)
        assert response.status == 200 and (await response.text()) == ""
    await slack.standin.wait_for("chat.postMessage")
    await slack.adapter.engine.intake.idle(5)
    assert len(plans(db_path)) == 1
    assert len(slack.standin.of("chat.postMessage")) == 1
    assert rows(db_path, "SELECT request FROM plans") == [("slack:T1:V42:h-V42",)]
    # The stored submission names its workspace and channel: deleting their data deletes it too.
    assert rows(db_path, "SELECT platform, workspace, channel FROM inbox") == [("slack", "T1", "C1")]


async def test_a_busy_bot_says_so_on_the_form_and_takes_the_next_try(slack, db_path):
    view = await open_modal(slack)
    intake = slack.adapter.engine.intake
    intake.backlog_seconds = -1  # as if more work were waiting than its bound allows
    response = await slack.submit(view, ANSWERS, view_id="V7")
    body = json.loads(await response.text())
    assert body["response_action"] == "errors"
    [reason] = body["errors"].values()
    assert "did not take this yet - nothing was saved" in reason
    assert plans(db_path) == [] and rows(db_path, "SELECT count(*) FROM inbox") == [(0,)]
    intake.backlog_seconds = 60
    response = await slack.submit(view, ANSWERS, view_id="V7")  # the same form, submitted again
    assert (await response.text()) == ""
    await slack.standin.wait_for("chat.postMessage")
    await slack.adapter.engine.intake.idle(5)
    assert len(plans(db_path)) == 1


async def test_a_submission_a_stopped_process_took_is_planned_posted_and_stored_once(slack, db_path):
    view = await open_modal(slack)
    body = slack.submission(view, ANSWERS, view_id="V9")
    # Another process stored this submission, acked it and died: its lease has run out.
    dead = Intake(slack.store, lease=-1)
    submission = {
        "form": "plan",
        "team": "T1",
        "channel": "C1",
        "response_url": "",
        "user": "U1",
        "values": {k: v for k, v in ANSWERS.items()},
        "files": {},
    }
    assert await dead.accept("slack", "slack:T1:V9:h-V9", submission) is not None
    assert await slack.adapter.engine.intake.recover() == 1
    await slack.adapter.engine.intake.idle(5)
    [post] = slack.standin.of("chat.postMessage")
    assert post.body["channel"] == "C1" and "referring domains" in post.body["text"]
    assert rows(db_path, "SELECT request FROM plans") == [("slack:T1:V9:h-V9",)]
    assert await slack.adapter.engine.intake.waiting() == 0
    # Slack replays the original request late: nothing more happens.
    response = await slack.interaction(body)
    assert (await response.text()) == ""
    await slack.adapter.engine.intake.idle(5)
    assert len(plans(db_path)) == 1 and len(slack.standin.of("chat.postMessage")) == 1


async def test_the_answers_read_at_the_ack_are_carried_to_the_worker_and_planned_from(slack, db_path):
    view = await open_modal(slack)
    await slack.submit(view, ANSWERS, view_id="V5")
    await slack.standin.wait_for("chat.postMessage")
    await slack.adapter.engine.intake.idle(5)
    [(payload,)] = rows(db_path, "SELECT payload FROM inbox")
    assert json.loads(payload) == {}  # a done row keeps its key, not its answers
    # What the ack read is what the plan holds: the worker settles it instead of parsing again.
    read, errors = slack.adapter.engine.read(ANSWERS)
    assert errors == {} and read["answers"]["referring_domains"] == 140
    # A row stored by a process that died after its ack, carrying the answers it read: the worker
    # plans from those (here they differ from the typed text, which is never parsed again).
    carried = {**read, "answers": {**read["answers"], "referring_domains": 777}}
    submission = {
        "form": "plan",
        "team": "T1",
        "channel": "C2",
        "response_url": "",
        "user": "U1",
        "values": dict(ANSWERS),
        "read": carried,
        "files": {},
    }
    assert await Intake(slack.store, lease=-1).accept("slack", "slack:T1:V6:h-V6", submission) is not None
    assert await slack.adapter.engine.intake.recover() == 1
    await slack.adapter.engine.intake.idle(5)
    stored = {json.loads(a)["referring_domains"] for (a,) in rows(db_path, "SELECT answers FROM plans")}
    assert stored == {140, 777}
