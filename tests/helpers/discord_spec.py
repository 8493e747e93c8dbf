"""What Discord refuses in a request body: the limits the bot keeps to, always, and Discord's OpenAPI schema
where it is present.

The limits are the project's record of them (adapters/discord/limits.py: each figure once, with its page
of Discord's docs), checked on every body whatever else is there: an embed's title, description, fields
and each field's name and value, footer, author name; the embeds of a message, and the characters over
all of them together (in no schema); a message's content (the schema of a channel message allows twice
Discord's documented figure); action rows in a message without the components-v2 flag and in a modal,
buttons a row, a button's label, custom ids; a modal's title, a text input's label (or its label
component's), its value, no longer than its own ``max_length`` either, which has a ceiling too, its
placeholder; the choices of a command's option and each choice's name.

The schema (github.com/discord/discord-api-spec) checks everything else: required fields, types, unions.
It is found as tests/helpers/platform_specs.py says (``../shared/specs/`` beside the repository by
default); without it that part is skipped, the body is counted, and the end of the run says how many.

``refusal(method, path, body)`` answers Discord's "Invalid Form Body" errors object, empty when Discord
would accept the body. The spec is read and the validators compiled once per process.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import platform_specs
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, relevance
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from adapters.discord import limits

SPEC_URI = "urn:discord-openapi"

IS_COMPONENTS_V2 = 1 << 15  # message flag: components are layout components, up to 40
ACTION_ROW, BUTTON, TEXT_INPUT, LABEL = 1, 2, 4, 18  # component types
CODES = {
    "maxLength": "BASE_TYPE_MAX_LENGTH",
    "maxItems": "BASE_TYPE_MAX_LENGTH",
    "minLength": "BASE_TYPE_MIN_LENGTH",
    "minItems": "BASE_TYPE_MIN_LENGTH",
    "maximum": "NUMBER_TYPE_MAX",
    "required": "BASE_TYPE_REQUIRED",
}
# The routes whose bodies carry the limits above, as the spec names them; without the spec, the
# stand-in tells a body's route by these.
CALLBACK = "/interactions/{interaction_id}/{interaction_token}/callback"
MESSAGES = (
    "/webhooks/{webhook_id}/{webhook_token}",
    "/webhooks/{webhook_id}/{webhook_token}/messages/@original",
    "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}",
    "/channels/{channel_id}/messages",
    "/channels/{channel_id}/messages/{message_id}",
)
COMMANDS = ("/applications/{application_id}/commands", "/applications/{application_id}/guilds/{guild_id}/commands")

Path_ = tuple[str | int, ...]


def refusal(method: str, path: str, body: Any) -> dict[str, Any]:
    """Discord's ``errors`` object for this request body (nested by field, ``_errors`` at the leaves); {} if valid."""
    spec_path = platform_specs.spec_path("discord")
    if spec_path is None:
        platform_specs.limits_only["discord"] += 1
    operation = _operation(method, path)
    if operation is None:
        return {}
    errors: dict[str, Any] = {}
    validator = _validator(spec_path, method, operation) if spec_path is not None else None
    if validator is not None and (found := list(validator.iter_errors(body))):
        error = _meant(max(found, key=relevance))
        _add(errors, _where(error), CODES.get(str(error.validator), "BASE_TYPE_INVALID"), _message(error))
        return errors  # Discord stops at a malformed body
    for where, code, message in _limits(operation, body):
        _add(errors, where, code, message)
    return errors


def embeds_size(embeds: Any) -> int:
    """The characters Discord counts towards a message's 6,000."""
    total = 0
    for embed in _dicts(embeds):
        total += _length(embed.get("title")) + _length(embed.get("description"))
        total += sum(_length(f.get("name")) + _length(f.get("value")) for f in _dicts(embed.get("fields")))
        total += _length(_dict(embed.get("footer")).get("text"))
        total += _length(_dict(embed.get("author")).get("name"))
    return total


# -- the limits, checked on every body -----------------------------------------------------------------
# Without the schema a body may be malformed too (a string where a list belongs): these read only
# what has the expected type, and leave the rest to the schema where there is one.


def _limits(operation: str, body: Any) -> Iterator[tuple[Path_, str, str]]:
    if operation == CALLBACK:
        body = _dict(body)
        data = _dict(body.get("data"))
        if body.get("type") in (4, 7):
            yield from _message_limits(data, ("data",))
        elif body.get("type") == 9:
            yield from _modal_limits(data, ("data",))
    elif operation in MESSAGES:
        yield from _message_limits(_dict(body), ())
    elif operation in COMMANDS:
        for n, command in enumerate(body if isinstance(body, list) else []):
            yield from _option_limits(_dict(command), (n,))


def _message_limits(message: dict[str, Any], at: Path_) -> Iterator[tuple[Path_, str, str]]:
    yield from _longer(message.get("content"), limits.MESSAGE_CONTENT, (*at, "content"))
    embeds = message.get("embeds")
    yield from _more(embeds, limits.MESSAGE_EMBEDS, (*at, "embeds"))
    for n, embed in _items(embeds):
        where = (*at, "embeds", n)
        yield from _longer(embed.get("title"), limits.EMBED_TITLE, (*where, "title"))
        yield from _longer(embed.get("description"), limits.EMBED_DESCRIPTION, (*where, "description"))
        yield from _more(embed.get("fields"), limits.EMBED_FIELDS, (*where, "fields"))
        for i, field in _items(embed.get("fields")):
            yield from _longer(field.get("name"), limits.FIELD_NAME, (*where, "fields", i, "name"))
            yield from _longer(field.get("value"), limits.FIELD_VALUE, (*where, "fields", i, "value"))
        yield from _longer(_dict(embed.get("footer")).get("text"), limits.FOOTER_TEXT, (*where, "footer", "text"))
        yield from _longer(_dict(embed.get("author")).get("name"), limits.AUTHOR_NAME, (*where, "author", "name"))
    if embeds_size(embeds) > limits.EMBEDS_TOTAL:
        yield (*at, "embeds"), "MAX_EMBED_SIZE_EXCEEDED", f"Embed size exceeds maximum size of {limits.EMBEDS_TOTAL}"
    if _int(message.get("flags")) & IS_COMPONENTS_V2:
        return  # layout components, a different set of rules the bot does not use
    rows = message.get("components")
    yield from _more(rows, limits.ACTION_ROWS, (*at, "components"))
    for n, row in _items(rows):
        if row.get("type") != ACTION_ROW:
            continue
        where = (*at, "components", n, "components")
        yield from _more(row.get("components"), limits.ROW_BUTTONS, where)
        for i, component in _items(row.get("components")):
            if component.get("type") == BUTTON:
                yield from _longer(component.get("label"), limits.BUTTON_LABEL, (*where, i, "label"))
            yield from _longer(component.get("custom_id"), limits.CUSTOM_ID, (*where, i, "custom_id"))


def _modal_limits(modal: dict[str, Any], at: Path_) -> Iterator[tuple[Path_, str, str]]:
    yield from _longer(modal.get("title"), limits.MODAL_TITLE, (*at, "title"))
    yield from _longer(modal.get("custom_id"), limits.CUSTOM_ID, (*at, "custom_id"))
    rows = modal.get("components")
    yield from _more(rows, limits.ACTION_ROWS, (*at, "components"))
    for n, row in _items(rows):
        # A text input sits in an action row (type 1) or, in newer modals, in a label (type 18).
        inputs = [(("components", i), c) for i, c in _items(row.get("components"))]
        if row.get("type") == LABEL:
            yield from _longer(row.get("label"), limits.TEXT_INPUT_LABEL, (*at, "components", n, "label"))
            inputs += [(("component",), row["component"])] if isinstance(row.get("component"), dict) else []
        for inner, component in inputs:
            if component.get("type") != TEXT_INPUT:
                continue
            where = (*at, "components", n, *inner)
            yield from _longer(component.get("label"), limits.TEXT_INPUT_LABEL, (*where, "label"))
            yield from _longer(component.get("custom_id"), limits.CUSTOM_ID, (*where, "custom_id"))
            yield from _longer(component.get("placeholder"), limits.TEXT_INPUT_PLACEHOLDER, (*where, "placeholder"))
            own = component.get("max_length")
            if isinstance(own, int) and own > limits.TEXT_INPUT_VALUE:
                message = f"int value should be less than or equal to {limits.TEXT_INPUT_VALUE}."
                yield (*where, "max_length"), "NUMBER_TYPE_MAX", message
            # A pre-filled value no longer than its own max_length, nor than any value may be.
            most = own if isinstance(own, int) and 0 < own < limits.TEXT_INPUT_VALUE else limits.TEXT_INPUT_VALUE
            yield from _longer(component.get("value"), most, (*where, "value"))


def _option_limits(command: dict[str, Any], at: Path_) -> Iterator[tuple[Path_, str, str]]:
    """A command's options, and the options of its subcommands, at any depth."""
    for n, option in _items(command.get("options")):
        where = (*at, "options", n)
        yield from _more(option.get("choices"), limits.COMMAND_CHOICES, (*where, "choices"))
        for i, choice in _items(option.get("choices")):
            yield from _longer(choice.get("name"), limits.CHOICE_NAME, (*where, "choices", i, "name"))
        yield from _option_limits(option, where)


def _longer(value: Any, most: int, where: Path_) -> Iterator[tuple[Path_, str, str]]:
    if isinstance(value, str) and len(value) > most:
        yield where, "BASE_TYPE_MAX_LENGTH", f"Must be {most} or fewer in length."


def _more(items: Any, most: int, where: Path_) -> Iterator[tuple[Path_, str, str]]:
    if isinstance(items, list) and len(items) > most:
        yield where, "BASE_TYPE_MAX_LENGTH", f"Must be {most} or fewer in length."


def _items(items: Any) -> Iterator[tuple[int, dict[str, Any]]]:
    """The objects of a list with their places; anything else in it (or no list) is the schema's business."""
    return ((n, item) for n, item in enumerate(items if isinstance(items, list) else []) if isinstance(item, dict))


def _dicts(items: Any) -> Iterator[dict[str, Any]]:
    return (item for _, item in _items(items))


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _length(value: Any) -> int:
    return len(value) if isinstance(value, str) else 0


def _int(value: Any) -> int:
    return value if isinstance(value, int) else 0


# -- the schema ---------------------------------------------------------------------------------------


def spec() -> dict[str, Any] | None:
    """Discord's OpenAPI document, or None where it is absent. Looked up on every call (a stat), so a
    test that hides the specs (``BACKLINKS_PLATFORM_SPECS=none``) sees the stand-in without them at once;
    read and compiled once per file."""
    path = platform_specs.spec_path("discord")
    return None if path is None else _load(path)


@functools.cache
def _load(path: Path) -> dict[str, Any]:
    spec = json.loads(path.read_text(encoding="utf-8"))
    # A snowflake in a request may be a JSON integer too: Discord reads both, and discord.py numbers
    # a message's new attachments 0, 1, ... as integers (payload_json's `attachments[].id`).
    snowflake = spec["components"]["schemas"]["SnowflakeType"]
    spec["components"]["schemas"]["SnowflakeType"] = {"anyOf": [snowflake, {"type": "integer", "minimum": 0}]}
    return spec


def _operation(method: str, path: str) -> str | None:
    return next((t for t, pattern in _operations(platform_specs.spec_path("discord")) if pattern.fullmatch(path)), None)


@functools.cache
def _operations(spec_path: Path | None) -> list[tuple[str, re.Pattern[str]]]:
    """The spec's paths as patterns (without the spec, the routes the limits know), literal ones first
    (``@original`` before ``{message_id}``)."""
    known = _load(spec_path)["paths"] if spec_path is not None else (CALLBACK, *MESSAGES, *COMMANDS)
    templates = sorted(known, key=lambda t: t.count("{"))
    return [(t, re.compile(re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(t)))) for t in templates]


@functools.cache
def _validator(spec_path: Path, method: str, operation: str) -> Draft202012Validator | None:
    body = _load(spec_path)["paths"][operation].get(method.lower(), {}).get("requestBody")
    if body is None or "application/json" not in body["content"]:
        return None
    pointer = "/".join(
        p.replace("~", "~0").replace("/", "~1")
        for p in ("paths", operation, method.lower(), "requestBody", "content", "application/json", "schema")
    )
    return Draft202012Validator({"$ref": f"{SPEC_URI}#/{pointer}"}, registry=_registry(spec_path))


@functools.cache
def _registry(spec_path: Path) -> Registry:
    # "#/components/schemas/…" inside the spec resolves against the spec itself.
    document = _load(spec_path)
    return Registry().with_resource(SPEC_URI, Resource.from_contents(document, default_specification=DRAFT202012))


def _meant(error: ValidationError) -> ValidationError:
    """Inside a union (anyOf/oneOf), the error of the branch the body meant: Discord tells its unions
    apart by the JSON type (``null`` or an object) and then by the field ``type``, so a branch where
    either did not match was not meant."""
    while error.context:
        branches: dict[Any, list[ValidationError]] = {}
        for inner in error.context:
            branches.setdefault(inner.relative_schema_path[0], []).append(inner)
        meant = [errs for errs in branches.values() if not any(_other_kind(e) for e in errs)]
        if not meant:
            return error  # no branch has this type: the type itself is wrong
        error = max(meant[0], key=relevance)
    return error


def _other_kind(error: ValidationError) -> bool:
    where = list(error.relative_path)
    return (where == [] and error.validator == "type") or where == ["type"]


def _message(error: ValidationError) -> str:
    if error.validator in ("maxLength", "maxItems"):
        return f"Must be {error.validator_value} or fewer in length."
    if error.validator in ("minLength", "minItems"):
        return f"Must be {error.validator_value} or more in length."
    if error.validator == "maximum":
        return f"int value should be less than or equal to {error.validator_value}."
    return error.message[:200]


def _where(error: ValidationError) -> Path_:
    where = tuple(error.absolute_path)
    if error.validator == "required":  # name the missing field, as Discord does
        missing = [k for k in error.validator_value if k not in (error.instance or {})]
        where += tuple(missing[:1])
    return where


def _add(errors: dict[str, Any], where: Path_, code: str, message: str) -> None:
    node = errors
    for key in where:
        node = node.setdefault(str(key), {})
    node.setdefault("_errors", []).append({"code": code, "message": message})
