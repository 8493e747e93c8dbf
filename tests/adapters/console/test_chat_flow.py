"""The console chat's flow on the real engine and a real SQLite file: where the greeting says you
are, the pending question asked again after a side trip, and what Enter keeps."""

from __future__ import annotations

import io
import re

from support import TYPED_ANSWERS, MemoryChat

from adapters.console.chat import ConsoleChat
from bot.monthly.reminder_store import ReminderStore

TOTAL = len(TYPED_ANSWERS)


def position(question_id: str) -> str:
    return f"{[qid for qid, _ in TYPED_ANSWERS].index(question_id) + 1}/{TOTAL}"


async def greeting(chat: MemoryChat) -> str:
    """The first screen of the real console chat for this channel and user (stdin ends at once)."""
    out = io.StringIO()
    console = ConsoleChat(engine=chat.engine, channel=chat.channel, user=chat.user, stdin=io.StringIO(""), stdout=out)
    await console.run(reminders_every=None)
    return out.getvalue().split("\n\n")[1]  # after the two lines of what the bot does


async def test_the_greeting_says_there_is_no_plan_yet(chat: MemoryChat):
    assert await greeting(chat) == f"No plan here yet. Type plan to make one ({TOTAL} questions, a few minutes)."


async def test_the_greeting_says_how_far_the_plan_in_progress_got(chat: MemoryChat):
    await chat.say("plan")
    await chat.say("example.com")
    await chat.say("saas")
    assert await greeting(chat) == (
        f"A plan is in progress: 2 of {TOTAL} questions answered. Type plan to go on, or cancel to drop it."
    )


async def test_the_greeting_gives_the_current_target_and_the_next_check_in(chat: MemoryChat):
    await chat.answer_all()
    said = await greeting(chat)
    # The plan was made without a time zone, so the first check-in is the 1st at 09:00 UTC.
    assert re.fullmatch(
        r"Current plan for example\.com: about \d+(-\d+)? new referring domains a month\. "
        r"Next check-in: \w{3} 1 \w{3} \d{4}, 09:00 \(UTC\)\.",
        said,
    ), said
    reminder = await ReminderStore.on(chat.engine.store).get(chat.channel)
    assert f"{reminder.next_due_at:%b %Y}" in said

    await chat.say("remind off")
    assert "Monthly check-ins are off (remind on)." in await greeting(chat)

    await chat.say("plan")  # a new plan started over the current one: both are said
    await chat.say("")  # Enter keeps the site
    said = await greeting(chat)
    assert said.startswith("Current plan for example.com")
    assert f"A new plan is in progress: 1 of {TOTAL} questions answered." in said


async def test_the_greeting_is_per_user_for_plans_in_progress(chat: MemoryChat):
    await chat.say("plan")
    await chat.say("example.com")
    other = MemoryChat(chat.engine, chat.channel, "bob")
    assert (await greeting(other)).startswith("No plan here yet.")


async def test_help_show_and_why_mid_plan_ask_the_pending_question_again(chat: MemoryChat):
    await chat.answer_all()
    await chat.say("plan")
    await chat.say("")  # Enter keeps the site
    for command, reply_starts in (
        ("help", "Backlinks bot commands"),
        ("show", "Backlink plan for example.com"),
        ("why", "The figures behind the plan"),
    ):
        out = await chat.say(command)
        assert reply_starts in out
        asked = out.rsplit("\n\n", 1)[-1]  # the last thing said
        assert asked.startswith(f"{position('site_kind')}  What kind of site is it"), (command, asked)
        assert "Why: The kind changes the advice" in asked


async def test_help_without_a_plan_in_progress_asks_nothing(chat: MemoryChat):
    out = await chat.say("help")
    assert "/" + str(TOTAL) not in out
    assert out.rstrip().endswith("quit leaves; your plan and any answers in progress are kept.")  # no question after


async def session_answers(chat: MemoryChat) -> dict:
    session = await chat.engine.store.load_session(chat.channel, chat.user)
    return session.draft


async def test_back_then_enter_keeps_the_previous_answer(chat: MemoryChat):
    await chat.say("plan")
    await chat.say("example.com")
    await chat.say("saas")
    await chat.say("35")
    asked = await chat.say("back")
    assert f"{position('authority')}  What is its authority score" in asked
    assert "Enter keeps 35" in asked
    after = await chat.say("")
    assert f"{position('referring_domains')}  " in after
    assert (await session_answers(chat))["answers"]["authority"] == 35


async def test_back_then_enter_keeps_a_skip_skipped(chat: MemoryChat):
    await chat.say("plan")
    await chat.say("example.com")
    await chat.say("skip")  # the kind of site is optional
    asked = await chat.say("back")
    assert "Enter keeps it skipped" in asked
    after = await chat.say("")
    assert "Please type an answer" not in after
    assert f"{position('authority')}  What is its authority score" in after
    draft = await session_answers(chat)
    assert "site_kind" in draft["skipped"] and "site_kind" not in draft["answers"]


async def test_replanning_enter_keeps_a_skipped_optional_answer_skipped(chat: MemoryChat, db_path):
    answers = [(qid, "skip" if qid == "ranking_pages" else typed) for qid, typed in TYPED_ANSWERS]
    await chat.answer_all(answers)
    out = await chat.say("plan")
    for _ in range(int(position("ranking_pages").split("/")[0]) - 1):
        out = await chat.say("")  # Enter keeps each earlier answer
    assert f"{position('ranking_pages')}  " in out
    assert "Enter keeps it skipped" in out
    out = await chat.say("")
    assert "Please type an answer" not in out
    assert f"{position('linkable_assets')}  " in out
    draft = await session_answers(chat)
    assert "ranking_pages" in draft["skipped"]


async def test_a_typed_answer_still_replaces_what_back_offered(chat: MemoryChat):
    await chat.say("plan")
    await chat.say("example.com")
    await chat.say("back")
    await chat.say("other.org")
    assert (await session_answers(chat))["answers"]["site"] == "other.org"
