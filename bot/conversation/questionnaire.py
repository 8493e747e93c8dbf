"""The questionnaire as data, and slot filling over it.

There is no hand-written state machine: a `Draft` holds the answers so far, and the next question
is derived from it (the first question neither answered nor skipped). Answers may arrive one at a
time (terminal), a section at a time (Discord modal), all at once (Slack modal) or inline
(`plan rd=140 dr=35`); every path goes through `apply`, so every platform validates alike.
All functions here are pure: they return a new Draft and never touch storage.
"""

from __future__ import annotations

import datetime as dt
import re
import shlex
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from bot.conversation import prose
from bot.conversation.rendering import Reason
from bot.conversation.since import Since, months_since
from bot.conversation.validators.kind import Invalid, Kind, Result
from bot.conversation.validators.numbers import means_skip


@dataclass(frozen=True, slots=True)
class Question:
    id: str
    section: str
    label: str  # short: a form field's name (Discord allows 45 characters)
    prompt: str
    why: str
    example: str
    kind_name: str
    kind: Kind = field(repr=False, compare=False)
    optional: bool = False
    aliases: tuple[str, ...] = ()
    params: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)
    name: str = ""  # short, in the reader's words, for sentences: "Noted hours a month: 43"
    asked_if: str | None = None  # asked only when this earlier question has an answer other than 0

    def wanted(self, draft: Draft) -> bool:
        """Whether the question is asked at all, given the answers so far ("were the lost ones
        removed on purpose?" means nothing when none were lost)."""
        return self.asked_if is None or bool(draft.answers.get(self.asked_if))

    def parse(self, text: str) -> Result:
        return self.kind.parse(text)

    def show(self, value: Any) -> str:
        return self.kind.show(value)


@dataclass(frozen=True, slots=True)
class Section:
    id: str
    title: str
    intro: str
    questions: tuple[Question, ...]


class Questionnaire:
    def __init__(self, sections: Iterable[Section]):
        self.sections = tuple(sections)
        self.questions = tuple(q for s in self.sections for q in s.questions)
        self._by_id = {q.id: q for q in self.questions}
        self._by_name: dict[str, Question] = {}
        earlier: set[str] = set()
        for q in self.questions:
            if q.asked_if is not None and q.asked_if not in earlier:
                raise ValueError(f"{q.id} is asked if {q.asked_if!r}, which is not an earlier question")
            earlier.add(q.id)
        for q in self.questions:
            for name in (q.id, *q.aliases):
                if name.lower() in self._by_name:
                    raise ValueError(f"question name {name!r} is used twice")
                self._by_name[name.lower()] = q

    def question(self, question_id: str) -> Question:
        return self._by_id[question_id]

    def resolve(self, name: str) -> Question | None:
        """A question by id or alias (`rd` → referring_domains), case-insensitively."""
        return self._by_name.get(name.strip().lower())

    def section_of(self, question_id: str) -> Section:
        return next(s for s in self.sections if question_id in {q.id for q in s.questions})

    def position(self, question_id: str) -> int:
        """1-based place of a question in the whole questionnaire."""
        return [q.id for q in self.questions].index(question_id) + 1


@dataclass(frozen=True, slots=True)
class Draft:
    """Answers collected so far. `order` remembers what was settled when, for `back`.
    `suggested`: values read from elsewhere (an imported export), offered as their questions'
    defaults until the user confirms them. `taken_back`: what `back` undid (None: a skip), offered
    as its question's default, so Enter keeps it. `sources`: figures a backlink data provider
    offered, with where and when they came from (bot/conversation/provenance.py); the plan names
    those the answers kept."""

    answers: Mapping[str, Any] = field(default_factory=dict)
    skipped: tuple[str, ...] = ()
    order: tuple[str, ...] = ()
    version: int | None = field(default=None, compare=False)  # as stored; None: not stored yet
    suggested: Mapping[str, Any] = field(default_factory=dict)
    taken_back: Mapping[str, Any] = field(default_factory=dict)
    sources: Mapping[str, Any] = field(default_factory=dict)

    def settled(self, question_id: str) -> bool:
        return question_id in self.answers or question_id in self.skipped

    def to_json(self) -> dict[str, Any]:
        stored = {"answers": dict(self.answers), "skipped": list(self.skipped), "order": list(self.order)}
        if self.suggested:
            stored["suggested"] = dict(self.suggested)
        if self.taken_back:
            stored["taken_back"] = dict(self.taken_back)
        if self.sources:
            stored["sources"] = dict(self.sources)
        return stored

    @classmethod
    def from_json(cls, data: Mapping[str, Any], version: int | None = None) -> Draft:
        return cls(
            dict(data.get("answers", {})),
            tuple(data.get("skipped", ())),
            tuple(data.get("order", ())),
            version,
            dict(data.get("suggested", {})),
            dict(data.get("taken_back", {})),
            dict(data.get("sources", {})),  # drafts stored before sources have none
        )


def next_question(questionnaire: Questionnaire, draft: Draft) -> Question | None:
    return next((q for q in questionnaire.questions if not draft.settled(q.id) and q.wanted(draft)), None)


def is_complete(questionnaire: Questionnaire, draft: Draft) -> bool:
    return next_question(questionnaire, draft) is None


def _settle(draft: Draft, question_id: str, *, value: Any = None, skipped: bool = False) -> Draft:
    answers = dict(draft.answers)
    answers.pop(question_id, None)
    skips = tuple(s for s in draft.skipped if s != question_id) + ((question_id,) if skipped else ())
    if not skipped:
        answers[question_id] = value
    order = tuple(o for o in draft.order if o != question_id) + (question_id,)
    return replace(draft, answers=answers, skipped=skips, order=order)


def answer(draft: Draft, question: Question, text: str) -> tuple[Draft, Invalid | None]:
    """Settle a question with what was typed. `n/a`, `don't know`, `-` or `?` skip an optional
    question; a required one says why it is needed and what a rough answer looks like."""
    if means_skip(text):
        if not question.optional:
            return draft, Invalid(Reason("reason.needed", why=question.why, example=question.example))
        return _settle(draft, question.id, skipped=True), None
    result = question.parse(text)
    if isinstance(result, Invalid):
        if question.optional and prose.says_zero(text):
            # "none really" where no figure can be none (the ranking pages' counts): nothing to give.
            return _settle(draft, question.id, skipped=True), None
        return draft, result
    return _settle(draft, question.id, value=result.value), None


def answer_dated(
    draft: Draft, question: Question, text: str, today: dt.date | None
) -> tuple[Draft, Invalid | None, Since | None]:
    """`answer`, and where a year was given for a duration in months ("since 2019", "we launched
    in March 2021"), the months from then until `today` (None: not counted), with what they were
    counted from."""
    draft, invalid = answer(draft, question, text)
    a_year = invalid is not None and getattr(invalid.reason, "template", None) == "reason.number.a_year"
    if today is not None and a_year and (since := months_since(text, today)):
        draft, invalid = answer(draft, question, str(since.months))
        return draft, invalid, since if invalid is None else None
    return draft, invalid, None


def skip(draft: Draft, question: Question) -> tuple[Draft, Invalid | None]:
    if not question.optional:
        return draft, Invalid(Reason("reason.not_skippable", why=question.why))
    return _settle(draft, question.id, skipped=True), None


def back(draft: Draft) -> tuple[Draft, str | None]:
    """Unsettle the last settled question; returns its id (None if nothing to go back to)."""
    if not draft.order:
        return draft, None
    last = draft.order[-1]
    answers = {k: v for k, v in draft.answers.items() if k != last}
    taken_back = {**draft.taken_back, last: draft.answers.get(last)}
    skipped = tuple(s for s in draft.skipped if s != last)
    return replace(draft, answers=answers, skipped=skipped, order=draft.order[:-1], taken_back=taken_back), last


def apply(
    questionnaire: Questionnaire, draft: Draft, raw: Mapping[str, str], today: dt.date | None = None
) -> tuple[Draft, dict[str, str]]:
    """Validate several answers at once (a form, inline answers, an answer file).

    Valid ones are kept, invalid ones come back as {question id: reason}. An empty text for an
    optional question means "skip"; for a required one it is an error. With `today`, a start
    date given for an age is counted (`answer_dated`).
    """
    errors: dict[str, str] = {}
    for question_id, text in raw.items():
        question = questionnaire.question(question_id)
        if not str(text).strip():
            if question.optional:
                draft = _settle(draft, question_id, skipped=True)
            else:
                errors[question_id] = Reason("reason.needed.short")
            continue
        draft, invalid, _ = answer_dated(draft, question, str(text), today)
        if invalid:
            errors[question_id] = invalid.reason
    return draft, errors


def settle_read(draft: Draft, read: Mapping[str, Any]) -> Draft:
    """Answers `apply` read before, settled on `draft` as apply would settle them: `read` is the
    `to_json()` of what apply made of a whole form on an empty Draft, with no errors (a form
    validated at its ack, carried to the worker that stores it). Parsing does not depend on the
    draft, so the result is apply's, without parsing every text a second time."""
    settled = tuple(read.get("order", ()))
    gone, skips, read_answers = set(settled), set(read.get("skipped", ())), read.get("answers", {})
    # What _settle does for each in turn, in one pass: earlier settlings of these questions go, the
    # new ones come last, in the order read.
    return replace(
        draft,
        answers={
            **{k: v for k, v in draft.answers.items() if k not in gone},
            **{q: read_answers[q] for q in settled if q not in skips},
        },
        skipped=tuple(s for s in draft.skipped if s not in gone) + tuple(q for q in settled if q in skips),
        order=tuple(o for o in draft.order if o not in gone) + settled,
    )


def suggest(questionnaire: Questionnaire, draft: Draft, raw: Mapping[str, str]) -> tuple[Draft, dict[str, str]]:
    """Answers read from elsewhere (an imported export), to be confirmed: validated like any answer,
    then offered as their questions' defaults. A question already settled is asked again, so the
    user sees the new figure before a plan is made from it."""
    parsed, errors = apply(questionnaire, Draft(), raw)
    again = set(parsed.answers)
    return replace(
        draft,
        answers={k: v for k, v in draft.answers.items() if k not in again},
        skipped=tuple(s for s in draft.skipped if s not in again),
        order=tuple(o for o in draft.order if o not in again),
        suggested={**draft.suggested, **parsed.answers},
        taken_back={k: v for k, v in draft.taken_back.items() if k not in again},  # the new figure is offered
    ), errors


def parse_inline(questionnaire: Questionnaire, text: str) -> tuple[dict[str, str], list[str]]:
    """`rd=140 dr=35 competitors=rival.com=420, other.net=610` → raw answers by question id.

    A token `name=value` whose name is a question id or alias starts an answer; a token whose
    name is a plain word we don't know is reported; any other token continues the previous answer,
    so multi-word values need no quotes (`strategies=guest posting, outreach`) and competitor items
    keep their own `domain=count`.
    """
    try:
        tokens = shlex.split(text)
    except ValueError as error:
        return {}, [Reason("reason.inline.unreadable", error=str(error))]
    raw: dict[str, str] = {}
    problems: list[str] = []
    current: str | None = None
    for token in tokens:
        name, sep, value = token.partition("=")
        question = questionnaire.resolve(name) if sep else None
        if question is not None:
            current = question.id
            raw[current] = value
        elif sep and _IDENTIFIER.match(name):  # `colour=blue`: a name, just not one we know
            known = ", ".join(q.id for q in questionnaire.questions)
            problems.append(Reason("reason.inline.unknown", name=name, known=known))
        elif current is not None:
            raw[current] = f"{raw[current]} {token}".strip()
        else:
            problems.append(Reason("reason.inline.unnamed", token=token))
    return raw, problems


_IDENTIFIER = re.compile(r"^[A-Za-z_]+$")


def answers_as_text(questionnaire: Questionnaire, values: Mapping[str, Any]) -> dict[str, str]:
    """Values from a YAML/JSON answer file (numbers, lists, mappings) as the text a user would type.

    Going through text means an answer file is validated exactly like a chat answer.
    """
    raw: dict[str, str] = {}
    for name, value in values.items():
        question = questionnaire.resolve(str(name))
        key = question.id if question else str(name)
        raw[key] = _as_text(value)
    return raw


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Mapping):
        return ", ".join(f"{k}={_as_text(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(_as_text(v) for v in value)
    return str(value)


def unknown_names(questionnaire: Questionnaire, names: Iterable[str]) -> list[str]:
    return [n for n in names if questionnaire.resolve(n) is None]
