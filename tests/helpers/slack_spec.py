"""What Slack refuses: the Block Kit limits the bot keeps to, always, and Slack's Web API method spec
where it is present.

The limits are the project's record of them (adapters/slack/limits.py: each figure once, with its page
of Slack's docs), checked on every body whatever else is there:

- blocks in a message, in a modal or a Home tab; a block_id;
- the text over all of a message's blocks (``msg_blocks_too_long``; limits.py says what Slack has said
  about it), on the Web API's message methods, where it was measured, and on the blocks that
  files.completeUploadExternal posts, whose message is one like them; not on a response_url, which
  took the same blocks (github.com/slackapi/bolt-js/issues/2867);
- section: text, fields and each field's text; header: text; actions and context: elements;
- button: text, value, action_id, url; a section's accessory is an element like these;
- input: label, hint; plain_text_input: max_length, and an initial_value no longer than any max_length
  (it could never be sent back); placeholder; static_select: options, each option's text and value;
- modal: title, submit and close, callback_id, private_metadata;
- views.publish takes only a view of type "home" (/reference/app-surfaces/app-home, /methods/views.publish),
  which has no title, submit or close; views.open, views.update and views.push take modals;
- a message's ``text``: Slack cuts it past its limit; the stand-in refuses it (``msg_too_long``) so a
  silently cut message fails a test.

The method spec (github.com/slackapi/slack-api-specs) names each method's arguments, their types and
which are required; it is found as tests/helpers/platform_specs.py says (``../shared/specs/`` beside the
repository by default). Without it the arguments of the methods it names go unchecked (the body is
counted, and the end of the run says how many), and every method but OAuth's needs a token.

The files API that replaced files.upload (files.getUploadURLExternal, the upload URL, then
files.completeUploadExternal) came after the 2021 spec: its arguments are written out below
(``NEWER_METHODS``) from docs.slack.dev/reference/methods/<name>, and checked with or without the spec,
plus what those pages state: the alt_txt's length, ``files`` a JSON array of ``{id, title}``,
``blocks`` as a message's.

Answers are Slack's: HTTP 200 with ``{"ok": false, "error": "invalid_blocks", "errors": [...]}`` (or
``invalid_arguments`` with ``response_metadata.messages``) for the Web API; a response_url answers 400
with the error's name as text.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import platform_specs
from jsonschema import Draft202012Validator

from adapters.slack import limits

# Arguments that are JSON: a string of JSON in a form body, JSON itself in a JSON body.
JSON_ARGUMENTS = {"blocks", "attachments", "view", "files"}
# Methods newer than the 2021 spec, their arguments as docs.slack.dev lists them.
NEWER_METHODS: dict[str, list[dict[str, Any]]] = {
    "files.getUploadURLExternal": [
        {"name": "filename", "type": "string", "required": True},
        {"name": "length", "type": "integer", "required": True},
        {"name": "alt_txt", "type": "string"},
        {"name": "snippet_type", "type": "string"},
    ],
    "files.completeUploadExternal": [
        {"name": "files", "type": "string", "required": True},
        {"name": "channel_id", "type": "string"},
        {"name": "channels", "type": "string"},
        {"name": "initial_comment", "type": "string"},
        {"name": "thread_ts", "type": "string"},
        {"name": "blocks", "type": "string"},
    ],
}
NO_TOKEN_NEEDED = {"oauth.v2.access", "oauth.access", "oauth.v2.exchange"}
MESSAGE_METHODS = ("chat.postMessage", "chat.postEphemeral", "chat.update")


def web_api_refusal(method: str, body: dict[str, Any], *, json_body: bool, token: str | None) -> dict | None:
    """Slack's answer to a refused call, or None when Slack would accept it."""
    spec_path = platform_specs.spec_path("slack")
    known = method in _operations(spec_path)
    if spec_path is not None and not known:
        return None  # a method the 2021 spec does not know (apps.connections.open): not checked
    if token is None and method not in NO_TOKEN_NEEDED:
        return {"ok": False, "error": "not_authed"}
    if known:
        messages = [_message(e) for e in _validator(spec_path, method, json_body).iter_errors(body)]
        if messages:
            return {"ok": False, "error": "invalid_arguments", "response_metadata": {"messages": messages}}
    else:
        platform_specs.limits_only["slack"] += 1  # its arguments would be the spec's to check
    if method in MESSAGE_METHODS:
        return _message_refusal(body) or _blocks_text_refusal(body)
    if method == "files.getUploadURLExternal" and len(body.get("alt_txt") or "") > limits.ALT_TEXT:
        message = f"[ERROR] must be less than {limits.ALT_TEXT + 1} characters [json-pointer:/alt_txt]"
        return {"ok": False, "error": "invalid_arguments", "response_metadata": {"messages": [message]}}
    if method == "files.completeUploadExternal":
        return _upload_refusal(body)
    if method in ("views.open", "views.update", "views.push", "views.publish"):
        kind = "home" if method == "views.publish" else "modal"
        errors = view_errors(_json(body.get("view")), "/view", kind)
        if errors:
            return {"ok": False, "error": "invalid_arguments", "response_metadata": {"messages": errors}}
    return None


def response_url_refusal(body: dict[str, Any]) -> tuple[int, str] | None:
    """A response_url's answer to a refused body: (status, text); None when accepted."""
    refusal = _message_refusal(body)
    return None if refusal is None else (400, refusal["error"])


def _message_refusal(body: dict[str, Any]) -> dict | None:
    blocks, text = _json(body.get("blocks")), body.get("text")
    if not text and not blocks and not body.get("attachments"):
        return {"ok": False, "error": "no_text"}
    if isinstance(text, str) and len(text) > limits.MESSAGE_TEXT:
        return {"ok": False, "error": "msg_too_long"}
    errors = block_errors(blocks or [], limits.MESSAGE_BLOCKS, "/blocks")
    if errors:
        return {"ok": False, "error": "invalid_blocks", "errors": errors, "response_metadata": {"messages": errors}}
    return None


def _blocks_text_refusal(body: dict[str, Any]) -> dict | None:
    if blocks_text(_json(body.get("blocks"))) > limits.MESSAGE_BLOCKS_TEXT:
        return {"ok": False, "error": "msg_blocks_too_long"}
    return None


def blocks_text(value: Any) -> int:
    """The characters of text a message's blocks carry: every ``text`` string in them, at any depth
    (a section's, a field's, a button's, a rich_text element's)."""
    if isinstance(value, list):
        return sum(blocks_text(item) for item in value)
    if isinstance(value, dict):
        return sum(len(v) if k == "text" and isinstance(v, str) else blocks_text(v) for k, v in value.items())
    return 0


def _upload_refusal(body: dict[str, Any]) -> dict | None:
    files = _json(body.get("files"))
    if not isinstance(files, list) or not files or not all(isinstance(f, dict) and f.get("id") for f in files):
        message = "[ERROR] must be a non-empty array of objects with an id [json-pointer:/files]"
        return {"ok": False, "error": "invalid_arguments", "response_metadata": {"messages": [message]}}
    if body.get("blocks") is not None:
        errors = block_errors(_json(body["blocks"]), limits.MESSAGE_BLOCKS, "/blocks")
        if errors:
            return {"ok": False, "error": "invalid_blocks", "errors": errors, "response_metadata": {"messages": errors}}
        return _blocks_text_refusal(body)
    return None


# Block Kit.


def view_errors(view: Any, at: str, kind: str = "modal") -> list[str]:
    if not isinstance(view, dict):
        return [f"must be an object [json-pointer:{at}]"]
    if view.get("type") != kind:
        return [f"must be a {kind} view, not {view.get('type')!r} [json-pointer:{at}/type]"]
    errors = block_errors(view.get("blocks") or [], limits.VIEW_BLOCKS, f"{at}/blocks")
    if kind == "home":
        for name in ("title", "submit", "close"):
            if name in view:
                errors.append(f"a home view has no {name} [json-pointer:{at}/{name}]")
        _length(errors, view.get("callback_id"), limits.CALLBACK_ID, f"{at}/callback_id")
        _length(errors, view.get("private_metadata"), limits.PRIVATE_METADATA, f"{at}/private_metadata")
        return errors
    _text(errors, view.get("title"), limits.MODAL_TITLE, f"{at}/title", minimum=1)
    _text(errors, view.get("submit"), limits.MODAL_TITLE, f"{at}/submit")
    _text(errors, view.get("close"), limits.MODAL_TITLE, f"{at}/close")
    _length(errors, view.get("callback_id"), limits.CALLBACK_ID, f"{at}/callback_id")
    _length(errors, view.get("private_metadata"), limits.PRIVATE_METADATA, f"{at}/private_metadata")
    return errors


def block_errors(blocks: Any, most: int, at: str) -> list[str]:
    if not isinstance(blocks, list):
        return [f"must be an array [json-pointer:{at}]"]
    errors: list[str] = []
    _count(errors, blocks, most, at)
    for i, block in enumerate(blocks):
        where = f"{at}/{i}"
        _length(errors, block.get("block_id"), limits.BLOCK_ID, f"{where}/block_id")
        check = _BLOCKS.get(block.get("type"))
        if check is not None:
            check(errors, block, where)
    return errors


def _section(errors: list[str], block: dict, at: str) -> None:
    if "text" not in block and "fields" not in block:
        errors.append(f"must define either `text` or `fields` [json-pointer:{at}]")
    if "text" in block:
        _text(errors, block["text"], limits.SECTION_TEXT, f"{at}/text", minimum=1)
    fields = block.get("fields") or []
    _count(errors, fields, limits.SECTION_FIELDS, f"{at}/fields")
    for i, field in enumerate(fields):
        _text(errors, field, limits.FIELD_TEXT, f"{at}/fields/{i}", minimum=1)
    if "accessory" in block:
        _element(errors, block["accessory"], f"{at}/accessory")


def _header(errors: list[str], block: dict, at: str) -> None:
    _text(errors, block.get("text"), limits.HEADER_TEXT, f"{at}/text", minimum=1)


def _actions(errors: list[str], block: dict, at: str) -> None:
    elements = block.get("elements") or []
    _count(errors, elements, limits.ACTIONS_ELEMENTS, f"{at}/elements")
    for i, element in enumerate(elements):
        _element(errors, element, f"{at}/elements/{i}")


def _context(errors: list[str], block: dict, at: str) -> None:
    _count(errors, block.get("elements") or [], limits.CONTEXT_ELEMENTS, f"{at}/elements")


def _input(errors: list[str], block: dict, at: str) -> None:
    _text(errors, block.get("label"), limits.INPUT_LABEL, f"{at}/label", minimum=1)
    if "hint" in block:
        _text(errors, block["hint"], limits.INPUT_HINT, f"{at}/hint")
    _element(errors, block.get("element") or {}, f"{at}/element")


def _element(errors: list[str], element: dict, at: str) -> None:
    _length(errors, element.get("action_id"), limits.ACTION_ID, f"{at}/action_id")
    if "placeholder" in element:
        _text(errors, element["placeholder"], limits.PLACEHOLDER, f"{at}/placeholder")
    kind = element.get("type")
    if kind == "button":
        _text(errors, element.get("text"), limits.BUTTON_TEXT, f"{at}/text", minimum=1)
        _length(errors, element.get("value"), limits.BUTTON_VALUE, f"{at}/value")
        _length(errors, element.get("url"), limits.BUTTON_URL, f"{at}/url")
    elif kind == "plain_text_input":
        _length(errors, element.get("initial_value"), limits.TEXT_INPUT, f"{at}/initial_value")
        if "max_length" in element and not 1 <= element["max_length"] <= limits.TEXT_INPUT:
            errors.append(f"must be between 1 and {limits.TEXT_INPUT} [json-pointer:{at}/max_length]")
    elif kind in ("static_select", "multi_static_select"):
        options = element.get("options") or []
        _count(errors, options, limits.SELECT_OPTIONS, f"{at}/options")
        for i, option in enumerate(options):
            _text(errors, option.get("text"), limits.OPTION_TEXT, f"{at}/options/{i}/text", minimum=1)
            _length(errors, option.get("value"), limits.OPTION_VALUE, f"{at}/options/{i}/value")


_BLOCKS = {"section": _section, "header": _header, "actions": _actions, "context": _context, "input": _input}


def _text(errors: list[str], obj: Any, most: int, at: str, *, minimum: int = 0) -> None:
    if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
        errors.append(f"must be a text object [json-pointer:{at}]")
        return
    _length(errors, obj["text"], most, f"{at}/text", minimum=minimum)


def _length(errors: list[str], value: Any, most: int, at: str, *, minimum: int = 0) -> None:
    if value is None:
        return
    if not isinstance(value, str):
        errors.append(f"must be a string [json-pointer:{at}]")
    elif len(value) > most:
        errors.append(f"must be less than {most + 1} characters [json-pointer:{at}]")
    elif len(value) < minimum:
        errors.append(f"must be more than {minimum - 1} characters [json-pointer:{at}]")


def _count(errors: list[str], items: list, most: int, at: str) -> None:
    if len(items) > most:
        errors.append(f"no more than {most} items allowed [json-pointer:{at}]")


def _json(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


# The method spec.


@functools.cache
def _operations(spec_path: Path | None) -> dict[str, dict[str, Any]]:
    """The methods whose arguments are known: the spec's (when it is present) and the newer ones."""
    operations = {}
    if spec_path is not None:
        spec = json.loads(spec_path.read_text(encoding="utf-8"))
        operations = {path.lstrip("/"): next(iter(verbs.values())) for path, verbs in spec["paths"].items()}
    operations.update({method: {"parameters": parameters} for method, parameters in NEWER_METHODS.items()})
    return operations


@functools.cache
def _validator(spec_path: Path | None, method: str, json_body: bool) -> Draft202012Validator:
    properties, required = {}, []
    for parameter in _operations(spec_path)[method].get("parameters", []):
        name = parameter["name"]
        if name == "token":  # a header (or a body field): checked above as authentication
            continue
        properties[name] = _type(name, parameter.get("type", "string"), json_body)
        if parameter.get("required"):
            required.append(name)
    return Draft202012Validator({"type": "object", "properties": properties, "required": required})


def _type(name: str, kind: str, json_body: bool) -> dict[str, Any]:
    if name in JSON_ARGUMENTS:
        return {"type": ["string", "array", "object"] if json_body else "string"}
    if kind == "boolean":
        words = {"enum": ["true", "false", "1", "0"]}
        return {"anyOf": [{"type": "boolean"}, words]} if json_body else words
    if kind == "integer":
        digits = {"type": "string", "pattern": "^-?[0-9]+$"}
        return {"anyOf": [{"type": "integer"}, digits]} if json_body else digits
    return {"type": "string"}


def _message(error) -> str:
    where = "/" + "/".join(str(p) for p in error.absolute_path)
    if error.validator == "required":
        return f"[ERROR] missing required field: {error.message.split(chr(39))[1]} [json-pointer:{where}]"
    return f"[ERROR] {error.message} [json-pointer:{where}]"
