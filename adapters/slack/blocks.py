"""Neutral replies → Block Kit, forms → modals, and modal state → answers text.

Slack's limits are recorded in adapters/slack/limits.py: 50 blocks and about 12,000 characters of
blocks a message (a longer reply goes out as several messages), 100 blocks on the App Home, 3,000
characters a section text, 150 a header, 10 fields a section. User text is escaped by the Slack dialect (`&`,
`<`, `>`), so nobody can trigger `<!channel>`, `<!here>` or `<@U…>` through the bot; we never set `link_names`.
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from adapters.slack.limits import HEADER_TEXT as MAX_HEADER
from adapters.slack.limits import MESSAGE_BLOCKS as MAX_BLOCKS
from adapters.slack.limits import MESSAGE_BLOCKS_TEXT
from adapters.slack.limits import SECTION_FIELDS as MAX_FIELDS
from adapters.slack.limits import SECTION_TEXT as MAX_SECTION
from adapters.slack.limits import VIEW_BLOCKS as MAX_HOME_BLOCKS
from adapters.slack.payloads import VALUE_ACTION
from bot.conversation.questionnaire import Question
from bot.conversation.rendering import PLAIN, Dialect, Renderer, Speaks, chunk_lines
from bot.conversation.validators.kind import Valid
from bot.core.events import ChannelKey
from bot.core.moments import Moment
from bot.core.replies import Bullets, Button, Buttons, Fields, Form, Heading, Item, Paragraph, Reply
from bot.exports import EXPORT_SUFFIXES
from bot.planning.knowledge import Knowledge

# Counted as the blocks' JSON, which is more than the text Slack counts: a margin below its limit.
MAX_MESSAGE_SIZE = MESSAGE_BLOCKS_TEXT
CALLBACK_PREFIX = "backlinks_"  # a modal's callback id: the prefix and the form's name (plan, log)


def escape(text: str) -> str:
    # Slack's own rule: only these three are control characters in message text.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_date(moment: Moment) -> str:
    """Slack's date formatting: each reader's client shows it in their own zone; the fallback (in
    the channel's zone, named) is for clients that cannot.
    https://api.slack.com/reference/surfaces/formatting#date-formatting"""
    return f"<!date^{moment.epoch}^{{date_short_pretty}}, {{time}}|{escape(moment.local())}>"


def slack_dialect(command: str = "/backlinks") -> Dialect:
    return Dialect(
        "slack",
        escape=escape,
        bold=lambda s: f"*{s}*",
        code=lambda s: f"`{s}`",
        command_prefix=f"{command} ",
        moment=slack_date,
    )


class SlackRenderer(Speaks):
    def __init__(self, knowledge: Knowledge, *, command: str = "/backlinks", language: str = "en"):
        self.knowledge = knowledge
        self.command, self.language = command, language
        self.mrkdwn = Renderer(knowledge, slack_dialect(command), language)
        self.plain = Renderer(knowledge, PLAIN, language)  # header and button texts are plain_text

    def _in(self, language: str) -> SlackRenderer:
        return SlackRenderer(self.knowledge, command=self.command, language=language)

    def messages(self, reply: Reply) -> list[dict[str, Any]]:
        """The reply as the messages to post, in order: `text` (the notification fallback) and
        `blocks` for chat.postMessage or a response_url. Most replies are one message; a long one
        (a plan's figures) goes out as several rather than be refused or cut: Slack refuses a
        message over 50 blocks, and one whose blocks hold more than about 12,000 characters
        (msg_blocks_too_long), which no single block's limit prevents."""
        if reply.language != self.language:
            return self.speaking(reply.language).messages(reply)
        fallback = self.fallback(reply)
        messages: list[list[dict[str, Any]]] = [[]]
        size = 0
        for block in (block for item in reply.blocks for block in self._blocks(item)):
            cost = _size(block)
            if messages[-1] and (len(messages[-1]) >= MAX_BLOCKS or size + cost > MAX_MESSAGE_SIZE):
                messages.append([])
                size = 0
            messages[-1].append(block)
            size += cost
        return [{"text": fallback, "blocks": blocks} for blocks in messages]

    def home(self, reply: Reply) -> dict[str, Any]:
        """A person's page as an App Home view for views.publish."""
        if reply.language != self.language:
            return self.speaking(reply.language).home(reply)
        blocks = [block for item in reply.blocks for block in self._blocks(item)]
        if len(blocks) > MAX_HOME_BLOCKS:
            blocks = blocks[: MAX_HOME_BLOCKS - 1] + [_section("…")]
        return {"type": "home", "blocks": blocks}

    def fallback(self, reply: Reply) -> str:
        # Slack parses the fallback `text` for mentions as well, so it is escaped like the blocks.
        if reply.language != self.language:
            return self.speaking(reply.language).fallback(reply)
        if reply.summary is not None:
            return self.mrkdwn.text(reply.summary)[:MAX_SECTION]
        for item in reply.blocks:
            if isinstance(item, Heading | Paragraph):
                return self.mrkdwn.text(item.text)[:MAX_SECTION]
        return "Backlinks bot"

    def _blocks(self, item) -> Iterator[dict[str, Any]]:
        match item:
            case Heading(text):
                yield {"type": "header", "text": _plain(self.plain.text(text), MAX_HEADER)}
            case Paragraph(text):
                yield from (_section(chunk) for chunk in chunk_lines([self.mrkdwn.text(text)], MAX_SECTION))
            case Bullets(title, items):
                lines = [f"*{self.mrkdwn.text(title)}*"] if title is not None else []
                lines += [f"• {self.mrkdwn.text(i)}" for i in items]
                yield from (_section(chunk) for chunk in chunk_lines(lines, MAX_SECTION))
            case Fields(items):
                fields = [
                    {"type": "mrkdwn", "text": f"*{self.mrkdwn.text(k)}*\n{self.mrkdwn.text(v)}"[:2000]}
                    for k, v in items
                ]
                for start in range(0, len(fields), MAX_FIELDS):
                    yield {"type": "section", "fields": fields[start : start + MAX_FIELDS]}
            case Buttons(buttons):
                yield {"type": "actions", "elements": [self._button(b) for b in buttons]}
            case Item(text, button):
                line = self.mrkdwn.text(text)[:MAX_SECTION]
                yield {"type": "section", "text": {"type": "mrkdwn", "text": line}, "accessory": self._button(button)}

    def _button(self, button: Button) -> dict[str, Any]:
        element = {
            "type": "button",
            "action_id": button.action,
            "text": _plain(self.plain.text(button.label), 75),
            "value": button.value or button.action,
        }
        if button.opens is not None:
            # Slack still sends the press (block_actions); the adapter acks it and does nothing else.
            element["url"] = channel_url(button.opens)
        return element

    # Modals.

    def modal(self, form: Form, metadata: Mapping[str, str], notes: Sequence[Any] = ()) -> dict[str, Any]:
        """The form as a modal; `notes` (the reply's paragraphs: what was looked up, and where from)
        above its fields, so nothing filled in for the user comes without its source. In this
        renderer's language (`speaking(reply.language).modal(…)`): titles, labels, hints, menus."""
        questionnaire = self.knowledge.form(form.name)
        wanted = set(form.question_ids)
        blocks: list[dict[str, Any]] = []
        for note in notes:
            if isinstance(note, Paragraph):
                for chunk in chunk_lines([self.mrkdwn.text(note.text)], 2000):
                    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": chunk}]})
        if form.errors:
            # Errors in inline answers can't be put on fields before the modal is submitted.
            lines = [
                f"*{escape(q)}*: {self.mrkdwn.render('question.invalid', {'reason': why})}"
                for q, why in form.errors.items()
            ]
            blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": "\n".join(lines)[:2000]}]})
        for section in questionnaire.sections:
            questions = [q for q in section.questions if q.id in wanted]
            if not questions:
                continue
            blocks.append({"type": "header", "text": _plain(self.plain.said(section.title), MAX_HEADER)})
            blocks += [self._input(q, form.values.get(q.id, "")) for q in questions]
        return {
            "type": "modal",
            "callback_id": CALLBACK_PREFIX + form.name,
            "title": _plain(self.plain.render(f"slack.modal_title.{form.name}"), 24),
            "submit": _plain(self.plain.render("slack.modal_submit"), 24),
            "close": _plain(self.plain.render("slack.modal_close"), 24),
            "private_metadata": json.dumps(dict(metadata)),
            "blocks": blocks,
        }

    def _input(self, question: Question, initial: str) -> dict[str, Any]:
        parsed = question.parse(initial) if initial else None
        value = parsed.value if isinstance(parsed, Valid) else None
        element: dict[str, Any] = {"action_id": VALUE_ACTION}
        params = question.params
        # In the channel's language, each within Slack's limits (_plain cuts: 150 a placeholder, 75 an option).
        example = _plain(self.plain.render("form.example", {"example": question.example}), 150)
        choose = _plain(self.plain.render("form.choose"), 150)
        if question.kind.options:  # a list to pick from (strategies, the kind of site): a menu
            options = {option: _option(self.plain.said(label), option) for option, label in question.kind.options}
            if question.kind.many:
                element.update(type="multi_static_select", options=list(options.values()))
                if value:
                    element["initial_options"] = [options[v] for v in value]
            else:
                element.update(type="static_select", options=list(options.values()))
                if value:
                    element["initial_option"] = options[value]
            element["placeholder"] = choose
        elif question.kind_name == "integer" and params["max"] - params["min"] <= 10:
            # A short scale (content quality 1-5) reads better as a menu than as a number box.
            options = [_option(str(n), str(n)) for n in range(params["min"], params["max"] + 1)]
            element.update(type="static_select", options=options, placeholder=choose)
            if value is not None:
                element["initial_option"] = _option(str(value), str(value))
        elif question.kind_name == "secret":  # a key: never pre-filled (Slack has no masked input)
            element.update(type="plain_text_input", placeholder=example, max_length=params["max_length"])
        elif question.kind_name == "file":
            element.update(type="file_input", filetypes=[s.lstrip(".") for s in EXPORT_SUFFIXES], max_files=1)
        elif question.kind_name in ("integer", "number"):
            element.update(
                type="number_input",
                is_decimal_allowed=question.kind_name == "number",
                min_value=str(params["min"]),
                max_value=str(params["max"]),
                placeholder=example,
            )
            if value is not None:
                element["initial_value"] = str(value)
        else:
            element.update(type="plain_text_input", placeholder=example)
            if value is not None:
                element["initial_value"] = question.show(value)
        return {
            "type": "input",
            "block_id": question.id,
            "optional": question.optional,
            "label": _plain(self.plain.said(question.prompt), 2000),
            "hint": _plain(self.plain.said(question.why), 2000),
            "element": element,
        }


def channel_url(channel: ChannelKey) -> str:
    """A link that opens the channel in Slack (app or browser), in its workspace."""
    query = urllib.parse.urlencode({"channel": channel.channel, "team": channel.workspace})
    return f"https://slack.com/app_redirect?{query}"


def _plain(text: str, limit: int) -> dict[str, Any]:
    text = text if len(text) <= limit else text[: limit - 1] + "…"
    return {"type": "plain_text", "text": text, "emoji": True}


def _option(label: str, value: str) -> dict[str, Any]:
    return {"text": _plain(label, 75), "value": value}


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _size(block: dict[str, Any]) -> int:
    """What a block adds to a message's size as MAX_MESSAGE_SIZE counts it: its JSON, and the ", "
    between blocks."""
    return len(_JSON.encode(block)) + 2


_JSON = json.JSONEncoder(ensure_ascii=False)  # built once: json.dumps builds one a call for these options
