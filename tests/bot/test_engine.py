"""Whole conversations through the in-memory adapter, the real engine and a real SQLite file."""

from __future__ import annotations

import json

import pytest
from support import TYPED_ANSWERS, MemoryChat, rows

from bot.conversation.rendering import span
from bot.core.events import ChannelKey
from bot.engine import Engine
from bot.monthly.progress_store import ProgressStore
from bot.planning import knowledge as knowledge_module
from bot.storage.store import Store

QUESTIONS = [q.id for q in knowledge_module.default().questionnaire.questions]


def pos(question_id: str) -> str:
    """How the chat numbers a question: `3/15`."""
    return f"{QUESTIONS.index(question_id) + 1}/{len(QUESTIONS)}"


def plans_in(db_path) -> list[tuple]:
    return rows(
        db_path,
        "SELECT c.platform, c.workspace, c.channel, p.created_by, p.answers, p.plan "
        "FROM plans p JOIN channels c ON c.id = p.channel_id ORDER BY p.id",
    )


async def test_a_whole_plan_one_question_at_a_time(chat: MemoryChat, db_path):
    first = await chat.say("plan")
    assert f"{pos('site')}  Which site is this plan for?" in first
    assert "Why: The plan, the reminders and the history" in first
    assert "Example: example.com" in first

    for question_id, typed in TYPED_ANSWERS[:-1]:
        reply = await chat.say(typed)
        assert "is not" not in reply, (question_id, reply)
        assert plans_in(db_path) == [], "nothing is stored until the plan is complete"

    final = await chat.say(TYPED_ANSWERS[-1][1])
    assert "Backlink plan for example.com" in final
    assert "new referring domains a month, everything counted" in final
    assert "Checklist:" in final and "Never buy links" in final

    [(platform, workspace, channel, user, answers, plan)] = plans_in(db_path)
    assert (platform, workspace, channel, user) == ("memory", "team-1", "general", "alice")
    answers, plan = json.loads(answers), json.loads(plan)
    assert answers["competitors"][0] == {"domain": "rival.com", "referring_domains": 420}
    assert answers["strategies"] == ["guest_posting", "outreach"]
    assert f"Target: {span(plan['target'])} new referring domains" in final
    assert rows(db_path, "SELECT count(*) FROM drafts") == [(0,)]


async def test_a_bad_answer_is_reasked_with_a_specific_reason(chat: MemoryChat):
    await chat.say("plan")
    await chat.say("example.com")
    reply = await chat.say("a knitting circle")
    assert "“a knitting circle” is not a kind of site I know" in reply and "1 local business" in reply
    # The reason and a one-line reminder of the open question, not the whole question again.
    assert f"{pos('site_kind')}  Kind of site · optional: type skip" in reply
    assert "What kind of site is it" not in reply and "Why:" not in reply
    await chat.say("local business")
    reply = await chat.say("150")
    assert "150 is out of range" in reply and "between 0 and 100" in reply
    assert f"{pos('authority')}  Authority score" in reply, "the same question stays open"
    reply = await chat.say("thirty for the shop, forty for the blog")
    assert "I found 30 and 40 in “thirty for the shop, forty for the blog”; which one is it?" in reply
    reply = await chat.say("high")
    assert "“high” is not a number. Give a number from 0 to 100, e.g. 35." in reply
    reply = await chat.say("35")
    assert f"{pos('referring_domains')}  How many referring domains" in reply
    reply = await chat.say("-5")
    assert "negative" in reply and pos("referring_domains") in reply


async def test_bad_answers_for_each_kind(chat: MemoryChat):
    await chat.say("plan site=example.com kind=shop dr=35 rd=140 age=30 recent=6 lost=0 followed=70")
    reply = await chat.say(", ".join(str(n) for n in range(100, 111)))
    assert "That is 11 competitors; give at most 10" in reply
    reply = await chat.say("rival.com=420+x")
    assert "In “rival.com=420+x”: “x” is not a number." in reply
    reply = await chat.say("rival.com=420+12, 610")
    assert pos("horizon_months") in reply
    await chat.say("12")
    reply = await chat.say("45, lots")
    assert "“lots” is too vague to plan on" in reply and "e.g. 45, 60, 38" in reply and pos("ranking_pages") in reply
    for typed in ("45, 60", "1", "4", "4"):
        await chat.say(typed)
    reply = await chat.say("guest posting, telepathy")
    assert "“telepathy” is not a strategy I know" in reply and "1 guest posting" in reply


async def test_an_invalid_domain_is_refused(chat: MemoryChat):
    await chat.say("plan")
    reply = await chat.say("not a domain")
    assert "is not a domain" in reply and pos("site") in reply
    reply = await chat.say("https://www.Example.co.uk/blog/")
    assert "Noted site: example.co.uk" in reply


async def test_inline_answers_are_taken_and_only_missing_questions_asked(chat: MemoryChat):
    reply = await chat.say("plan referring_domains=140 authority=35 competitors=420,610")
    assert "Taken from your command: referring domains, authority score and competitors." in reply
    assert f"{pos('site')}  Which site" in reply
    await chat.say("example.com")
    reply = await chat.say("skip")  # the kind of site
    assert f"{pos('site_age_months')}  How old is the site" in reply, "questions answered inline are not asked again"
    await chat.say("30")
    await chat.say("skip")
    reply = await chat.say("skip")  # no lost links given: whether they were lost on purpose is not asked
    assert pos("followed_share") in reply
    reply = await chat.say("skip")
    assert pos("horizon_months") in reply, (
        "competitors was answered inline, so the followed share is followed by horizon"
    )
    reply = await chat.say("")
    assert "Please type an answer" in reply  # horizon has no default yet
    reply = await chat.say("12")
    assert pos("ranking_pages") in reply


async def test_invalid_inline_answers_are_reported_and_asked(chat: MemoryChat):
    reply = await chat.say("plan rd=lots dr=35 colour=blue")
    assert "“colour” is not a question I ask" in reply
    assert "Referring domains now: “lots” is too vague to plan on" in reply
    await chat.say("example.com")
    await chat.say("skip")
    reply = await chat.say("140")  # authority was taken inline; the invalid RD count is asked again
    assert f"{pos('site_age_months')}  How old" in reply


async def test_multi_word_inline_answers_need_no_quotes(chat: MemoryChat):
    reply = await chat.say("plan strategies=guest posting, outreach competitors=rival.com=420, other.net=610")
    assert "Taken from your command: strategies and competitors." in reply


async def test_back_corrects_the_last_answer(chat: MemoryChat, db_path):
    await chat.say("plan")
    await chat.say("example.com")
    await chat.say("saas")
    await chat.say("35")
    reply = await chat.say("back")
    assert f"{pos('authority')}  What is its authority score" in reply
    await chat.say("40")
    for _, typed in TYPED_ANSWERS[3:]:
        await chat.say(typed)
    [(*_, answers, _plan)] = plans_in(db_path)
    assert json.loads(answers)["authority"] == 40


async def test_back_at_the_start_says_so(chat: MemoryChat):
    await chat.say("plan")
    reply = await chat.say("back")
    assert "Nothing to go back to yet." in reply and pos("site") in reply


async def test_skip_only_optional_questions(chat: MemoryChat, db_path):
    await chat.say("plan")
    reply = await chat.say("skip")
    assert "This one can't be skipped" in reply and pos("site") in reply
    await chat.say("example.com")
    await chat.say("skip")
    reply = await chat.say("skip")
    assert pos("referring_domains") in reply
    reply = await chat.say("skip")
    assert "This one can't be skipped" in reply and pos("referring_domains") in reply
    answers = dict(TYPED_ANSWERS)
    optional = {"recent_monthly_rd", "lost_referring_domains", "ranking_pages"}
    for question_id in [q for q, _ in TYPED_ANSWERS[3:]]:
        await chat.say("skip" if question_id in optional else answers[question_id])
    [(*_, stored_answers, _plan)] = plans_in(db_path)
    stored = json.loads(stored_answers)
    assert not ({"site_kind", "authority"} | optional) & set(stored)


async def test_cancel_stores_nothing(chat: MemoryChat, db_path):
    await chat.say("plan")
    await chat.say("example.com")
    reply = await chat.say("cancel")
    assert "Plan cancelled. Nothing was stored." in reply
    assert rows(db_path, "SELECT count(*) FROM drafts") == [(0,)]
    assert plans_in(db_path) == []
    reply = await chat.say("plan")
    assert "Let's plan." in reply and pos("site") in reply


async def test_quitting_midway_resumes_where_it_stopped(knowledge, db_path):
    channel = ChannelKey("memory", "team-1", "general")
    store = await Store.open(f"sqlite:///{db_path}")
    first = MemoryChat(Engine(knowledge=knowledge, store=store), channel, "alice")
    await first.say("plan")
    for _, typed in TYPED_ANSWERS[:5]:
        await first.say(typed)
    await store.close()  # the process stops

    store = await Store.open(f"sqlite:///{db_path}")
    second = MemoryChat(Engine(knowledge=knowledge, store=store), channel, "alice")
    reply = await second.say("plan")
    assert f"Picking up where you left off (5 of {len(QUESTIONS)} answered)" in reply
    assert f"{pos('recent_monthly_rd')}  How many new referring domains does the site gain" in reply
    for _, typed in TYPED_ANSWERS[5:]:
        reply = await second.say(typed)
    assert "Backlink plan for example.com" in reply
    await store.close()


async def test_two_people_in_one_channel_never_mix_answers(engine, db_path):
    channel = ChannelKey("memory", "team-1", "general")
    alice, bob = MemoryChat(engine, channel, "alice"), MemoryChat(engine, channel, "bob")
    await alice.say("plan")
    await bob.say("plan")
    await alice.say("alice.com")
    reply = await bob.say("bob.org")
    assert pos("site_kind") in reply
    await alice.say("saas")
    await bob.say("shop")
    await alice.say("10")
    await bob.say("20")
    assert rows(db_path, "SELECT user_id FROM drafts ORDER BY user_id") == [("alice",), ("bob",)]
    for _, typed in TYPED_ANSWERS[3:]:
        await alice.say(typed)
    reply = await bob.say(TYPED_ANSWERS[3][1])
    assert pos("site_age_months") in reply, "bob's draft survived alice finishing hers"
    [(*_, answers, _plan)] = plans_in(db_path)
    assert json.loads(answers)["site"] == "alice.com" and json.loads(answers)["authority"] == 10


async def test_channels_and_workspaces_never_see_each_other(engine):
    here = MemoryChat(engine, ChannelKey("memory", "team-1", "general"), "alice")
    await here.answer_all()
    for key in (ChannelKey("memory", "team-1", "random"), ChannelKey("memory", "team-2", "general")):
        elsewhere = MemoryChat(engine, key, "alice")
        assert "There is no plan for this channel yet." in await elsewhere.say("show")
        assert "There is no plan for this channel yet." in await elsewhere.say("why")
        reply = await elsewhere.say("plan")
        assert "last plan's answers" not in reply and "Enter keeps" not in reply
    assert "Backlink plan for example.com" in await here.say("show")


async def test_show_and_why_before_any_plan(chat: MemoryChat):
    assert "There is no plan for this channel yet. Type plan to make one." in await chat.say("show")
    assert "There is no plan for this channel yet." in await chat.say("why")


async def test_show_prints_the_current_plan_and_why_its_figures(chat: MemoryChat):
    await chat.answer_all()
    shown = await chat.say("show")
    assert "Backlink plan for example.com" in shown
    assert "Stored " in shown and " by alice." in shown
    why = await chat.say("why")
    assert "The figures behind the plan for example.com" in why
    assert "share of newly gained links lost within a year: 0.26 - source: Base.me" in why
    assert "hours of work per link by guest posting: 6 - assumption:" in why
    assert "- Competitors' referring domains: rival.com=420, other.net=610, 380" in why


async def test_a_new_plan_offers_the_previous_answers_and_keeps_history(chat: MemoryChat, db_path):
    await chat.answer_all()
    reply = await chat.say("plan")
    assert "Your last plan's answers are offered as defaults" in reply
    assert "Enter keeps example.com" in reply
    for question_id, _ in TYPED_ANSWERS:
        reply = await chat.say("30" if question_id == "hours_per_month" else "")
    assert "Backlink plan for example.com" in reply
    stored = plans_in(db_path)
    assert len(stored) == 2
    assert json.loads(stored[0][4])["hours_per_month"] == 20
    assert json.loads(stored[1][4])["hours_per_month"] == 30
    assert "1 earlier plan kept" in await chat.say("show")


async def test_unknown_text_points_to_help(chat: MemoryChat):
    reply = await chat.say("hello bot")
    assert "I didn't understand hello bot. Type help for the commands." in reply
    help_text = await chat.say("help")
    for command in ("plan", "show", "why", "help", "back", "skip", "cancel"):
        assert command in help_text


async def test_terminal_control_characters_in_answers_are_not_echoed(chat: MemoryChat):
    await chat.say("plan")
    reply = await chat.say("\x1b[2J\x1b[31mred")
    assert "\x1b" not in reply and "is not a domain" in reply


async def test_forms_validate_everything_and_store_nothing_on_error(chat: MemoryChat, db_path):
    [form_reply] = await chat.invoke("plan", "rd=140 dr=150")
    assert form_reply.kind == "form"
    assert form_reply.form.question_ids[0] == "site" and len(form_reply.form.question_ids) == len(QUESTIONS)
    assert form_reply.form.values["referring_domains"] == "140"
    said = chat.renderer.text(form_reply.blocks[0].text)  # said with the form: no field shows it before
    assert (
        said.startswith("Authority score (DR or DA, 0-100) was left out of the form:") and "between 0 and 100" in said
    )

    # The valid inline answer is kept in a draft, so forms shown a section at a time still have it.
    [(draft_before,)] = rows(db_path, "SELECT state FROM drafts")
    assert json.loads(draft_before)["answers"] == {"referring_domains": 140}

    values = dict(TYPED_ANSWERS)
    bad = {**values, "authority": "150", "competitors": "lots"}
    reply = await chat.submit(bad)
    assert reply.kind == "field_errors"
    assert set(reply.form.errors) == {"authority", "competitors"}
    assert plans_in(db_path) == [] and rows(db_path, "SELECT state FROM drafts") == [(draft_before,)]

    reply = await chat.submit(values)
    assert reply.kind == "plan" and reply.plan.site == "example.com"
    assert len(plans_in(db_path)) == 1


async def test_forms_a_section_at_a_time(chat: MemoryChat, knowledge, db_path):
    values = dict(TYPED_ANSWERS)
    for section in knowledge.questionnaire.sections:
        reply = await chat.submit({q.id: values[q.id] for q in section.questions})
    assert reply.kind == "plan"
    assert len(plans_in(db_path)) == 1


async def test_buttons_replan_and_details(chat: MemoryChat):
    await chat.answer_all()
    details = await chat.press("details")
    assert "The figures behind the plan" in details and chat.replies[-1].private
    await chat.press("replan")
    assert chat.replies[-1].kind == "form" and chat.replies[-1].form.values["site"] == "example.com"


async def test_a_site_ahead_of_its_competitors_is_told_to_keep_its_lead(chat: MemoryChat, db_path):
    answers = dict(TYPED_ANSWERS)
    answers.update(referring_domains="5000", competitors="1000, 2000", hours_per_month="10")
    reply = await chat.answer_all(list(answers.items()))
    # The lead is kept by keeping up with the competitors' growth: 1% of 1,500 a month, 15 that
    # survive link loss, so about 20 new a month.
    assert (
        "Gap: none - you have 5,000 referring domains against your competitors' median of 1,500; "
        "keeping up with their growth takes about 20 new a month."
    ) in reply
    assert "You are at or above your competitors' median already." in reply
    assert "What would close the gap" not in reply
    [(*_, plan)] = [row[-1:] for row in plans_in(db_path)]
    assert json.loads(plan)["months_to_parity"] == 0


async def test_a_first_plan_says_when_the_monthly_check_in_comes_and_a_second_does_not(chat: MemoryChat):
    reply = await chat.answer_all()
    assert "I'll check in here on the 1st of each month at 09:00 (UTC)" in reply
    again = await chat.answer_all([(q, "") for q, _ in TYPED_ANSWERS])  # Enter keeps every answer
    assert "Backlink plan for example.com" in again and "I'll check in here" not in again


async def test_a_plan_stored_by_the_previous_planner_still_shows(chat: MemoryChat, store):
    """A database from before this planner holds plans in the old shape (net targets, no `per`, no
    momentum): `show` and `why` work them out again from their answers."""
    from pathlib import Path

    stored = json.loads(
        (Path(__file__).resolve().parents[1] / "helpers" / "plan_stored_before_momentum.json").read_text()
    )
    await store.save_plan(chat.channel, "alice", stored["answers"], stored["plan"], expected=None)
    shown = await chat.say("show")
    assert "Backlink plan for example.com" in shown and "everything counted" in shown
    assert "Why this number" in shown and "Stored " in shown
    why = await chat.say("why")
    assert "Momentum (new a month without building)" in why


# Answers as people type them (issue 13): every question answered the way a person would.
NATURAL_ANSWERS = [
    ("site", "https://www.example.com/"),
    ("site_kind", "3"),
    ("authority", "DR 35"),
    ("referring_domains", "about 140"),
    ("site_age_months", "2 years"),
    ("recent_monthly_rd", "~6 a month"),
    ("lost_referring_domains", "n/a"),  # so whether they were lost on purpose is not asked
    ("followed_share", "about 80%"),
    ("competitors", "ahrefs.com 1.2k, moz.com=900"),
    ("horizon_months", "1 year"),
    ("ranking_pages", "don't know"),
    ("linkable_assets", "none"),
    ("posts_per_month", "1 a week"),
    ("content_quality", "4/5"),
    ("strategies", "1 2 3"),
    ("hours_per_month", "10h/week"),
]
QUESTION_IDS = [q for q in QUESTIONS if "_" in q]  # the ids that are no English word


async def test_a_whole_plan_typed_in_natural_answers(chat: MemoryChat, db_path):
    await chat.say("plan")
    said = {}
    for question_id, typed in NATURAL_ANSWERS:
        said[question_id] = await chat.say(typed)
        refused = "” is not a" in said[question_id] or "too vague" in said[question_id]
        assert not refused, (typed, said[question_id])
    # Each reading that differs from what was typed is said back, in the question's own words.
    assert "Noted site: example.com" in said["site"]
    assert "Noted kind of site: SaaS or software" in said["site_kind"]
    assert "Noted authority score: 35" in said["authority"]
    assert "Noted site age in months: 24" in said["site_age_months"]
    assert "Skipped referring domains lost." in said["lost_referring_domains"]
    assert "Noted competitors: ahrefs.com=1200, moz.com=900" in said["competitors"]
    assert "Noted linkable assets: 0" in said["linkable_assets"]
    assert "Noted new pieces a month: 4" in said["posts_per_month"]
    assert "Noted content quality: 4" in said["content_quality"]
    assert "Noted hours a month: 43" in said["hours_per_month"]
    assert "Backlink plan for example.com" in said["hours_per_month"]

    [(answers,)] = rows(db_path, "SELECT answers FROM plans")
    assert json.loads(answers) == {
        "site": "example.com",
        "site_kind": "saas",
        "authority": 35,
        "referring_domains": 140,
        "site_age_months": 24,
        "recent_monthly_rd": 6,
        "followed_share": 80,
        "competitors": [
            {"domain": "ahrefs.com", "referring_domains": 1200},
            {"domain": "moz.com", "referring_domains": 900},
        ],
        "horizon_months": 12,
        "linkable_assets": 0,
        "posts_per_month": 4,
        "content_quality": 4,
        "strategies": ["guest_posting", "outreach", "digital_pr"],
        "hours_per_month": 43,
    }


async def test_a_vague_answer_gets_a_reason_and_an_example_not_the_whole_question(chat: MemoryChat):
    await chat.say("plan site=example.com kind=saas dr=35")
    reply = await chat.say("lots")
    assert reply == (
        "“lots” is too vague to plan on; a rough figure is fine. Give a number, e.g. 140.\n"
        f"{pos('referring_domains')}  Referring domains now"
    )
    reply = await chat.say("don't know")
    assert reply.startswith("This one is needed: Referring domains track rankings")
    assert "A best guess is fine, e.g. 140." in reply


async def test_the_choices_come_with_the_question(chat: MemoryChat):
    answers = dict(NATURAL_ANSWERS)
    await chat.say("plan")
    asked = await chat.say(answers["site"])
    assert "Choose by number or name: 1 local business · 2 online shop · 3 SaaS or software" in asked
    for _, typed in NATURAL_ANSWERS[1:13]:
        asked = await chat.say(typed)
    assert f"{pos('content_quality')}  How good is your content" in asked
    assert "1 thin: short, generic or rewritten from others\n2 basic" in asked
    assert "5 best: the page others cite" in asked
    asked = await chat.say("4/5")
    assert "Choose by number or name: 1 guest posting · 2 outreach · 3 digital PR" in asked
    assert "is not" not in asked, "the list is there before any mistake"


async def test_no_reply_in_a_whole_chat_names_a_question_by_its_id(engine, chat: MemoryChat, db_path):
    texts = [await chat.say("help"), await chat.say("plan now please")]
    texts.append(await chat.say("lots"))  # a mistake on the first question
    for _, typed in NATURAL_ANSWERS[:5]:
        texts.append(await chat.say(typed))
    texts += [await chat.say("back"), await chat.say("2 years"), await chat.say("help"), await chat.say("shwo")]
    texts.append(await chat.say("skip"))  # recent: optional
    for _, typed in NATURAL_ANSWERS[6:]:
        texts.append(await chat.say(typed))
    texts += [await chat.say("show"), await chat.say("why"), await chat.say("plan rd=lots hours=10h/week")]
    assert "Backlink plan for example.com" in "".join(texts)
    for reply in texts:
        named = [question_id for question_id in QUESTION_IDS if question_id in reply]
        assert not named, f"{named} in {reply!r}"


async def test_a_near_miss_command_gets_did_you_mean(chat: MemoryChat):
    assert "I didn't understand shwo. Did you mean show?" in await chat.say("shwo")
    assert "Did you mean help?" in await chat.say("hepl")
    assert "Did you mean quit?" in await chat.say("quti")
    assert "Did you mean" not in await chat.say("hello there")
    await chat.say("plan")
    reply = await chat.say("shwo")  # mid-plan, typed where the site is asked
    assert reply.startswith("Did you mean show?") and "“shwo” is not a domain" in reply
    await chat.invoke("shwo")  # Slack's and Discord's slash command, mistyped
    unknown = chat.last[0].blocks[0].text
    assert chat.renderer.text(unknown) == "I don't know the command shwo. Did you mean show? Here is what I can do."


async def test_words_after_plan_are_said_to_be_no_answers(chat: MemoryChat):
    reply = await chat.say("plan now please")
    assert "I read that as plan; now please is not an answer, so I left it out." in reply
    assert "needs a name" not in reply
    assert f"{pos('site')}  Which site is this plan for?" in reply


async def test_help_in_the_chat_lists_quit(chat: MemoryChat):
    reply = await chat.say("help")
    assert "quit leaves; your plan and any answers in progress are kept." in reply
    [form_help] = await chat.invoke("help")
    assert "quit" not in chat.renderer.text(form_help.blocks[-1].text), "Slack and Discord have no quit"


def test_two_capabilities_claiming_one_name_fail_at_start():
    from bot.core.feature import Plugs, merged

    async def handler(request):
        return []

    with pytest.raises(ValueError, match="two capabilities claim the command 'log'"):
        merged([Plugs(commands={"log": handler}), Plugs(commands={"log": handler})])
    both = merged([Plugs(commands={"log": handler}), Plugs(buttons={"log": handler})])  # tables apart
    assert set(both.commands) == set(both.buttons) == {"log"}


async def test_a_platform_request_that_failed_can_be_tried_again_and_then_counts_once(
    engine, chat: MemoryChat, db_path, monkeypatch
):
    from sqlalchemy.exc import OperationalError

    from bot.core.events import Invoked

    await chat.answer_all()
    logging_links = ProgressStore.on(engine.store).log

    async def database_gone_once(*args, **kwargs):
        monkeypatch.setattr(ProgressStore.on(engine.store), "log", logging_links)
        raise OperationalError("INSERT INTO progress …", {}, Exception("disk I/O error"))

    monkeypatch.setattr(ProgressStore.on(engine.store), "log", database_gone_once)
    log = Invoked(chat.channel, chat.user, "log", "3", request="interaction-1")
    with pytest.raises(OperationalError):
        await engine.handle(log)
    assert rows(db_path, "SELECT count(*) FROM progress") == [(0,)]

    [logged] = await engine.handle(log)  # the same request again: its claim was released
    assert "3 links by count" in chat.renderer.text(logged.blocks[0].text)
    assert await engine.handle(log) == [], "a third delivery: done already, nothing to say"
    assert rows(db_path, "SELECT sum(count) FROM progress") == [(3,)]


async def test_the_terminal_has_no_request_ids_and_logs_each_line(chat: MemoryChat, db_path):
    await chat.answer_all()
    await chat.say("log 3")
    await chat.say("log 3")
    assert rows(db_path, "SELECT sum(count) FROM progress") == [(6,)]
