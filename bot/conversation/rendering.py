"""Turn template references into text for one platform's markup.

Templates live in knowledge/messages.yaml (plus the checklist texts). Every `{{ value }}` is passed
through the dialect's `escape` (jinja's `finalize`), so user text can never inject markup or
mentions; template literals are the platform-neutral prose and are used as written. Numbers are
formatted once here (thousands separators, one decimal) so every platform shows them alike.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, Protocol, Self

import jinja2
from jinja2 import meta

from bot.conversation import catalogs, reasons
from bot.core.domains import shown_domains_in
from bot.core.moments import DateName, DayName, Moment, MonthName
from bot.core.replies import Text


class Safe(str):
    """Text already escaped for the dialect (the output of a filter); not escaped again."""


@dataclass(frozen=True, slots=True)
class Dialect:
    name: str
    escape: Callable[[str], str]
    bold: Callable[[str], str]
    code: Callable[[str], str]
    command_prefix: str = ""  # how a command is typed here: "plan" in a chat, "/backlinks plan" in Slack
    # Inside a code span markdown is shown as typed, so `\_` would show its backslash: a code span
    # needs only its own delimiter kept out (None: escape it like any text, as Slack must).
    code_escape: Callable[[str], str] | None = None
    # A moment as the platform's client shows it in each reader's own zone (None: in the channel's
    # zone, named — the terminal, Markdown, plain-text fields).
    moment: Callable[[Moment], str] | None = None


# Control characters (ANSI escapes included) could repaint a terminal; keep tabs and newlines.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Only what changes meaning inside a line: emphasis, code, links, html, tables, strikethrough.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|~])")

PLAIN = Dialect("plain", escape=lambda s: _CONTROL.sub("", s), bold=lambda s: s, code=lambda s: s)
MARKDOWN = Dialect(
    "markdown",
    escape=lambda s: _MARKDOWN_SPECIAL.sub(r"\\\1", _CONTROL.sub("", s)),
    bold=lambda s: f"**{s}**",
    code=lambda s: f"`{s}`",
    code_escape=lambda s: _CONTROL.sub("", s).replace("`", "'"),
)


def format_number(value: float) -> str:
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int) or float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.1f}".removesuffix(".0")


class Labelled(Protocol):
    label: str


class Words(Protocol):
    """What rendering needs of the knowledge (bot/planning/knowledge.py's `Knowledge` is one): the
    message templates by name, and the strategies a template may name by id."""

    @property
    def templates(self) -> Mapping[str, str]: ...

    @property
    def strategies(self) -> Mapping[str, Labelled]: ...


SCALARS = frozenset({str, int, float, bool, type(None)})  # values whose text is all they say
SCALARS_KEPT = 3  # texts with at most this many such values are kept once rendered
RENDERED_KEPT = 512


class Speaks:
    """A renderer that speaks other languages too: `speaking(language)` is the same renderer in that
    language (a reply carries the one it is for), made on first use and kept. Each kind says how it
    is made again in another language (`_in`)."""

    language: str

    def speaking(self, language: str) -> Self:
        others: dict[str, Self] = self.__dict__.setdefault("_speakers", {self.language: self})
        found = others.get(language)
        if found is None:
            found = others[language] = self._in(language)
        return found

    def _in(self, language: str) -> Self:
        raise NotImplementedError


class Renderer(Speaks):
    def __init__(self, knowledge: Words, dialect: Dialect, language: str = "en"):
        self.dialect = dialect
        self.knowledge = knowledge
        self.language = language
        # Another language: its catalog (bot/conversation/catalogs.py); English is the knowledge.
        self._words = catalogs.language(language) if language != "en" else None
        env = jinja2.Environment(undefined=jinja2.StrictUndefined, finalize=self._finalize, autoescape=False)
        env.filters.update(
            bold=lambda v: Safe(dialect.bold(self._finalize(v))),
            code=lambda v: Safe(dialect.code(self._code(v))),
            command=lambda v: Safe(dialect.code(self._code(dialect.command_prefix + str(v)))),
            pct=self._percent,
            strategy=self.strategy_label,
            join_and=_join_and,
            span=span,
            s=plural_s,
            per=per,
            count=count,
        )
        if self._words is not None:
            words = self._words
            env.filters.update(
                join_and=lambda items: _join_and([self._translated(i) for i in items], words.words["and"]),
                span=lambda v: span(v, words=words.words, number=self._number),
                per=lambda v: Safe(words.words[f"a {_range(v)[2]}"]),
                count=lambda v, noun, plural=None: count(v, noun, plural, number=self._number, category=words.plural),
            )
        # Templates are plain text with a few values: none needs jinja's default globals (range,
        # lipsum, ...), and dropping them makes every render markedly cheaper.
        env.globals.clear()
        self._env = env
        # Compiled on first use (a session renders a few dozen of some 150 templates; compiling
        # them all took a fifth of a second at every start). Their syntax is checked when the
        # knowledge loads.
        self._templates: dict[str, jinja2.Template] = {}
        # Texts without any value (most checklist items) are rendered once, not per reply.
        self._static: dict[str, str | None] = {}
        # Texts whose values are a few plain scalars (help, short notices) are rendered once per
        # distinct values: a jinja render is most of what answering `help` costs. Bounded.
        self._rendered: dict[tuple, str] = {}

    def _in(self, language: str) -> Renderer:
        return Renderer(self.knowledge, self.dialect, language)

    def _template(self, name: str) -> jinja2.Template:
        template = self._templates.get(name)
        if template is None:
            source = (self._words.template(name) if self._words else None) or self._source(name)
            template = self._templates[name] = self._env.from_string(source)
        return template

    def _source(self, name: str) -> str:
        """A template's English text: the knowledge's, or a refusal's reason (knowledge/reasons.yaml)."""
        found = self.knowledge.templates.get(name)
        return found if found is not None else reasons.templates()[name]

    def _finalize(self, value: Any) -> str:
        if isinstance(value, Safe):
            return value
        if isinstance(value, Reason):  # said again from its template, in this language and markup
            return Safe(self._template(value.template).render(value.values).strip())
        if isinstance(value, Text):  # a phrase of its own (a planner's term, a label): in the same language
            return Safe(self.text(value))
        if isinstance(value, Precise):
            return self._precise(value)
        if isinstance(value, Labels) and self._words is not None:  # options shown back, each in these words
            return self.dialect.escape(", ".join(self._words.texts.get(label, label) for label in value.labels))
        if isinstance(value, Moment):
            if self.dialect.moment is not None:
                return self.dialect.moment(value)
            return self.dialect.escape(self._words.moment(value) if self._words else value.local())
        if isinstance(value, int | float) and not isinstance(value, bool):
            return self._number(value)
        # Hosts are kept in punycode (xn--bckerei-koch-gcb.de) and shown as typed (bäckerei-koch.de),
        # wherever a template names one: a heading, a list of competitors, the domains logged.
        return self.dialect.escape(shown_domains_in(str(self._translated(value))))

    def _translated(self, value: Any) -> Any:
        """A knowledge text (a question's prompt, a kind of site's asset), a month or a day of the
        month in this renderer's language."""
        if self._words is None or not isinstance(value, str) or isinstance(value, Typed):
            return value
        if isinstance(value, MonthName):
            return self._words.month(value.key)
        if isinstance(value, DayName):
            return self._words.day(value.day)
        if isinstance(value, DateName):
            return self._words.date(value.key)
        return self._words.texts.get(value, value)

    def said(self, value: str) -> str:
        """A knowledge text (a question's label, prompt or why, a section's title, an option's label)
        in this renderer's language, unescaped: for a platform's plain-text fields (form labels)."""
        return str(self._translated(value))

    def _number(self, value: float) -> str:
        if self._words is None or isinstance(value, bool):
            return format_number(value)
        whole = isinstance(value, int) or float(value).is_integer()
        return self._words.number(round(float(value), 1), decimals=0 if whole else 1)

    def _precise(self, value: float) -> str:
        """A rate or a share to two decimals (0.1917 → "0.19", "0,19"), where one would lose it."""
        from babel.numbers import format_decimal

        return format_decimal(round(float(value), 2), format="#,##0.##", locale=self.language)

    def _percent(self, value: Any) -> str:
        """A share as a whole percentage, as the language writes it ("12%", "12 %")."""
        if self._words is None:
            return f"{round(float(value) * 100):d}%"
        from babel.numbers import format_percent

        return format_percent(round(float(value) * 100) / 100, locale=self.language)

    def _code(self, value: Any) -> str:
        escape = self.dialect.code_escape
        if escape is not None and not isinstance(value, Safe):
            return escape(shown_domains_in(str(value)))
        return self._finalize(value)

    def strategy_label(self, strategy_id: str) -> str:
        strategy = self.knowledge.strategies.get(strategy_id)
        if strategy is not None:
            return self._translated(strategy.label)
        name = "plan.split.momentum" if strategy_id == "momentum" else "plan.split.earned"
        return self._template(name).render()

    def text(self, text: Text) -> str:
        name = text.template
        if name not in self._static:
            valueless = not meta.find_undeclared_variables(self._env.parse(self._source(name)))
            self._static[name] = self._template(name).render().strip() if valueless else None
        static = self._static[name]
        if static is not None:
            return static
        values = text.values
        if len(values) > SCALARS_KEPT or not all(type(v) in SCALARS for v in values.values()):
            return self._template(name).render(values).strip()
        key = (name, *((k, type(v), v) for k, v in values.items()))  # True == 1, but renders otherwise
        rendered = self._rendered.get(key)
        if rendered is None:
            if len(self._rendered) >= RENDERED_KEPT:
                self._rendered.clear()  # seldom: a few hundred distinct texts, then start again
            rendered = self._rendered[key] = self._template(name).render(values).strip()
        return rendered

    def render(self, template: str, values: Mapping[str, Any] | None = None) -> str:
        return self._template(template).render(values or {}).strip()


# --- values that say themselves again in the reader's language --------------------------------------
# Each is also its English text (a str), so whatever reads it as text keeps working unchanged.


class Reason(str):
    """A refusal's reason: its English text, plus the template and values it was made from."""

    template: str
    values: Mapping[str, Any]

    def __new__(cls, template: str, /, **values: Any) -> Reason:
        made = super().__new__(cls, _english().render(template, values))
        made.template = template
        made.values = values
        return made

    def __reduce__(self):  # copied or pickled as what it was made from, not its text
        return _again, (self.template, dict(self.values))


def _again(template: str, values: Mapping[str, Any]) -> Reason:
    return Reason(template, **values)


class _Reasons:
    """What the English renderer needs of the knowledge: the reasons' templates (none names a strategy)."""

    strategies: Mapping[str, Any] = {}

    @property
    def templates(self) -> Mapping[str, str]:
        return reasons.templates()


@cache
def _english() -> Renderer:
    return Renderer(_Reasons(), PLAIN)


class Typed(str):
    """Words a person typed (a log entry's note): shown as typed, never taken for a knowledge text
    of the same spelling ("no" is a note, not the option "no" to be translated)."""


class Precise(float):
    """A figure shown to two decimals (a rate per hour, a planner's share), not rounded to one as
    counts and paces are."""


class Labels(str):
    """Options shown back ("guest posting, digital PR"): the English text, which parses back, and
    the labels it joins, which a renderer says in the reader's language ("Gastbeiträge, Digital PR")."""

    labels: tuple[str, ...]

    def __new__(cls, labels: tuple[str, ...]) -> Labels:
        made = super().__new__(cls, ", ".join(labels))
        made.labels = labels
        return made

    def __reduce__(self):
        return Labels, (self.labels,)


def _range(value: Any) -> tuple[int, int, str]:
    """A plan's range (bot.core.plan.Range, or its stored JSON; older plans have no `per`)."""
    if isinstance(value, Mapping):
        return value["low"], value["high"], value.get("per", "month")
    return value.low, value.high, value.per


def span(value: Any, words: Mapping[str, str] = catalogs.WORDS, number: Callable[[float], str] = format_number) -> Safe:
    """`3-4`, or `about 40` when both ends are equal (never a "40-40" range), or `none`."""
    low, high, _ = _range(value)
    if high <= 0:
        return Safe(words["none"])
    return Safe(f"{words['about']} {number(high)}" if low == high else f"{number(low)}-{number(high)}")


def plural_s(value: Any) -> str:
    """The plural "s" for a noun after a number or a range: none when it is exactly one ("about 1
    new referring domain"), else "s" ("0-1", "about 2", "none")."""
    low, high = (value, value) if isinstance(value, int | float) else _range(value)[:2]
    return "" if format_number(low) == format_number(high) == "1" else "s"


def per(value: Any) -> Safe:
    return Safe(f"a {_range(value)[2]}")


def count(
    value: float,
    noun: str,
    plural: str | None = None,
    *,
    number: Callable[[float], str] = format_number,
    category: Callable[[float], str] | None = None,
) -> Safe:
    """`1 hour`, `2.5 hours`: a number and its noun, plural right. A translation names both forms
    (`count('Domain', 'Domains')`) and the language's plural rule picks (French: 0 is singular)."""
    shown = number(value)  # 0.96 shows as "1": the noun follows what is shown
    if plural is None:
        return Safe(f"{shown} {noun}{'' if shown == '1' else 's'}")
    one = category(round(float(value), 1)) == "one" if category else shown == "1"
    return Safe(f"{shown} {noun if one else plural}")


def chunk_lines(lines: list[str], limit: int) -> Iterator[str]:
    """Join lines into texts of at most `limit` characters, cutting only between lines
    (a single over-long line is shortened): for platforms that cap a message's parts."""
    chunk = ""
    for line in lines:
        line = line if len(line) <= limit else line[: limit - 1] + "…"
        if chunk and len(chunk) + 1 + len(line) > limit:
            yield chunk
            chunk = ""
        chunk = f"{chunk}\n{line}" if chunk else line
    if chunk:
        yield chunk


def _join_and(items: list[str], and_: str = "and") -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {and_} {items[-1]}"
