"""What Slack refuses: its Web API method spec plus the Block Kit limits the spec leaves out.

The spec (github.com/slackapi/slack-api-specs, kept in ``../shared/specs/``; ``BACKLINKS_SLACK_SPEC``
points elsewhere) names each method's arguments, their types and which are required. It says nothing
about Block Kit, so the documented limits are checked here (docs.slack.dev/reference/block-kit/...):

- blocks: 50 in a message, 100 in a modal or a Home tab ("You can include up to 50 blocks in each
  message, and 100 blocks in modals or Home tabs", /reference/block-kit/blocks); a block_id 255;
- section: text 3,000, fields 10 of 2,000 each (/blocks/section-block); header: text 150
  (/blocks/header-block); actions: 25 elements (/blocks/actions-block); context: 10 elements;
- button: text 75, value 2,000, action_id 255, url 3,000 (/block-elements/button-element); a section's
  accessory is an element like these (/blocks/section-block);
- input: label 2,000, hint 2,000 (/blocks/input-block); plain_text_input: max_length 1 to 3,000, so
  an initial_value past 3,000 could never be sent back (/block-elements/plain-text-input-element);
  placeholder 150; static_select: 100 options, option text 75 and value 150
  (/block-elements/select-menu-element, /composition-objects/option-object);
- modal: title, submit and close 24, callback_id 255, private_metadata 3,000 (/reference/views/modal-views);
- views.publish takes only a view of type "home" (/reference/app-surfaces/app-home, /methods/views.publish),
  which has no title, submit or close; views.open, views.update and views.push take modals;
- a message's ``text``: Slack cuts it past 40,000 characters (changelog 2018-04 "truncating really long
  messages"); the stand-in refuses it (``msg_too_long``) so a silently cut message fails a test.

The files API that replaced files.upload (files.getUploadURLExternal, the upload URL, then
files.completeUploadExternal) came after the 2021 spec: its arguments are written out below
(``NEWER_METHODS``) from docs.slack.dev/reference/methods/<name>, and checked the same way, plus the
limits those pages state: alt_txt up to 1,000 characters, ``files`` a JSON array of ``{id, title}``,
``blocks`` as a message's.

Answers are Slack's: HTTP 200 with ``{"ok": false, "error": "invalid_blocks", "errors": [...]}`` (or
``invalid_arguments`` with ``response_metadata.messages``) for the Web API; a response_url answers 400
with the error's name as text.
"""

from __future__ import annotations

import functools
import json
import os
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

ROOT = Path(__file__).resolve().parents[2]
SPEC = Path(os.environ.get("BACKLINKS_SLACK_SPEC") or ROOT.parent / "shared" / "specs" / "slack-web-openapi-v2.json")

MESSAGE_BLOCKS, MODAL_BLOCKS, MESSAGE_TEXT = 50, 100, 40_000
# Arguments that are JSON: a string of JSON in a form body, JSON itself in a JSON body.
JSON_ARGUMENTS = {"blocks", "attachments", "view", "files"}
MAX_ALT_TEXT = 1000
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


def web_api_refusal(method: str, body: dict[str, Any], *, json_body: bool, token: str | None) -> dict | None:
    """Slack's answer to a refused call, or None when Slack would accept it."""
    operation = _operations().get(method)
    if operation is None:
        return None  # a method the 2021 spec does not know (apps.connections.open): not checked
    if token is None and method not in NO_TOKEN_NEEDED:
        return {"ok": False, "error": "not_authed"}
    messages = [_message(e) for e in _validator(method, json_body).iter_errors(body)]
    if messages:
        return {"ok": False, "error": "invalid_arguments", "response_metadata": {"messages": messages}}
    if method in ("chat.postMessage", "chat.postEphemeral", "chat.update"):
        return _message_refusal(body)
    if method == "files.getUploadURLExternal" and len(body.get("alt_txt") or "") > MAX_ALT_TEXT:
        message = f"[ERROR] must be less than {MAX_ALT_TEXT + 1} characters [json-pointer:/alt_txt]"
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
    if isinstance(text, str) and len(text) > MESSAGE_TEXT:
        return {"ok": False, "error": "msg_too_long"}
    errors = block_errors(blocks or [], MESSAGE_BLOCKS, "/blocks")
    if errors:
        return {"ok": False, "error": "invalid_blocks", "errors": errors, "response_metadata": {"messages": errors}}
    return None


def _upload_refusal(body: dict[str, Any]) -> dict | None:
    files = _json(body.get("files"))
    if not isinstance(files, list) or not files or not all(isinstance(f, dict) and f.get("id") for f in files):
        message = "[ERROR] must be a non-empty array of objects with an id [json-pointer:/files]"
        return {"ok": False, "error": "invalid_arguments", "response_metadata": {"messages": [message]}}
    if body.get("blocks") is not None:
        errors = block_errors(_json(body["blocks"]), MESSAGE_BLOCKS, "/blocks")
        if errors:
            return {"ok": False, "error": "invalid_blocks", "errors": errors, "response_metadata": {"messages": errors}}
    return None


# Block Kit.


def view_errors(view: Any, at: str, kind: str = "modal") -> list[str]:
    if not isinstance(view, dict):
        return [f"must be an object [json-pointer:{at}]"]
    if view.get("type") != kind:
        return [f"must be a {kind} view, not {view.get('type')!r} [json-pointer:{at}/type]"]
    errors = block_errors(view.get("blocks") or [], MODAL_BLOCKS, f"{at}/blocks")
    if kind == "home":
        for name in ("title", "submit", "close"):
            if name in view:
                errors.append(f"a home view has no {name} [json-pointer:{at}/{name}]")
        _length(errors, view.get("callback_id"), 255, f"{at}/callback_id")
        _length(errors, view.get("private_metadata"), 3000, f"{at}/private_metadata")
        return errors
    _text(errors, view.get("title"), 24, f"{at}/title", minimum=1)
    _text(errors, view.get("submit"), 24, f"{at}/submit")
    _text(errors, view.get("close"), 24, f"{at}/close")
    _length(errors, view.get("callback_id"), 255, f"{at}/callback_id")
    _length(errors, view.get("private_metadata"), 3000, f"{at}/private_metadata")
    return errors


def block_errors(blocks: Any, most: int, at: str) -> list[str]:
    if not isinstance(blocks, list):
        return [f"must be an array [json-pointer:{at}]"]
    errors: list[str] = []
    _count(errors, blocks, most, at)
    for i, block in enumerate(blocks):
        where = f"{at}/{i}"
        _length(errors, block.get("block_id"), 255, f"{where}/block_id")
        check = _BLOCKS.get(block.get("type"))
        if check is not None:
            check(errors, block, where)
    return errors


def _section(errors: list[str], block: dict, at: str) -> None:
    if "text" not in block and "fields" not in block:
        errors.append(f"must define either `text` or `fields` [json-pointer:{at}]")
    if "text" in block:
        _text(errors, block["text"], 3000, f"{at}/text", minimum=1)
    fields = block.get("fields") or []
    _count(errors, fields, 10, f"{at}/fields")
    for i, field in enumerate(fields):
        _text(errors, field, 2000, f"{at}/fields/{i}", minimum=1)
    if "accessory" in block:
        _element(errors, block["accessory"], f"{at}/accessory")


def _header(errors: list[str], block: dict, at: str) -> None:
    _text(errors, block.get("text"), 150, f"{at}/text", minimum=1)


def _actions(errors: list[str], block: dict, at: str) -> None:
    elements = block.get("elements") or []
    _count(errors, elements, 25, f"{at}/elements")
    for i, element in enumerate(elements):
        _element(errors, element, f"{at}/elements/{i}")


def _context(errors: list[str], block: dict, at: str) -> None:
    _count(errors, block.get("elements") or [], 10, f"{at}/elements")


def _input(errors: list[str], block: dict, at: str) -> None:
    _text(errors, block.get("label"), 2000, f"{at}/label", minimum=1)
    if "hint" in block:
        _text(errors, block["hint"], 2000, f"{at}/hint")
    _element(errors, block.get("element") or {}, f"{at}/element")


def _element(errors: list[str], element: dict, at: str) -> None:
    _length(errors, element.get("action_id"), 255, f"{at}/action_id")
    if "placeholder" in element:
        _text(errors, element["placeholder"], 150, f"{at}/placeholder")
    kind = element.get("type")
    if kind == "button":
        _text(errors, element.get("text"), 75, f"{at}/text", minimum=1)
        _length(errors, element.get("value"), 2000, f"{at}/value")
        _length(errors, element.get("url"), 3000, f"{at}/url")
    elif kind == "plain_text_input":
        _length(errors, element.get("initial_value"), 3000, f"{at}/initial_value")
        if "max_length" in element and not 1 <= element["max_length"] <= 3000:
            errors.append(f"must be between 1 and 3000 [json-pointer:{at}/max_length]")
    elif kind in ("static_select", "multi_static_select"):
        options = element.get("options") or []
        _count(errors, options, 100, f"{at}/options")
        for i, option in enumerate(options):
            _text(errors, option.get("text"), 75, f"{at}/options/{i}/text", minimum=1)
            _length(errors, option.get("value"), 150, f"{at}/options/{i}/value")


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
def _operations() -> dict[str, dict[str, Any]]:
    spec = json.loads(SPEC.read_text())
    operations = {path.lstrip("/"): next(iter(verbs.values())) for path, verbs in spec["paths"].items()}
    operations.update({method: {"parameters": parameters} for method, parameters in NEWER_METHODS.items()})
    return operations


@functools.cache
def _validator(method: str, json_body: bool) -> Draft202012Validator:
    properties, required = {}, []
    for parameter in _operations()[method].get("parameters", []):
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
