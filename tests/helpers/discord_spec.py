"""What Discord refuses in a request body: its OpenAPI schema plus the documented limits the schema leaves out.

The schema (github.com/discord/discord-api-spec, kept in ``../shared/specs/``; ``BACKLINKS_DISCORD_SPEC``
points elsewhere) encodes each field's own limits: an embed's title 256, description 4,096, 25 fields of
name 256 / value 1,024, footer 2,048, author name 256, 10 embeds; a modal's title 45, a text input's
label 45, value 4,000 and max_length 4,000; custom ids 100; a button's label 80 and 5 to a row. It does
not encode these, which Discord's docs state and its API enforces:

- all embeds of one message together: 6,000 characters over titles, descriptions, field names and
  values, footer texts and author names ("Embed Limits",
  https://discord.com/developers/docs/resources/message#embed-object-embed-limits);
- a message's content: 2,000 characters (the schema of a channel message allows 4,000)
  (https://discord.com/developers/docs/resources/message#create-message);
- 5 action rows in a message without the components-v2 flag, and 5 in a modal
  (https://discord.com/developers/docs/components/reference#action-row);
- a text input's pre-filled ``value`` no longer than its own ``max_length``
  (https://discord.com/developers/docs/components/reference#text-input).

``refusal(method, path, body)`` answers Discord's "Invalid Form Body" errors object, empty when Discord
would accept the body. The spec is read and the validators compiled once per process.
"""

from __future__ import annotations

import functools
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, relevance
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

ROOT = Path(__file__).resolve().parents[2]
SPEC = Path(os.environ.get("BACKLINKS_DISCORD_SPEC") or ROOT.parent / "shared" / "specs" / "discord-openapi.json")
SPEC_URI = "urn:discord-openapi"

MESSAGE_EMBEDS_TOTAL, MESSAGE_CONTENT, ACTION_ROWS = 6000, 2000, 5
IS_COMPONENTS_V2 = 1 << 15  # message flag: components are layout components, up to 40
CODES = {
    "maxLength": "BASE_TYPE_MAX_LENGTH",
    "maxItems": "BASE_TYPE_MAX_LENGTH",
    "minLength": "BASE_TYPE_MIN_LENGTH",
    "minItems": "BASE_TYPE_MIN_LENGTH",
    "required": "BASE_TYPE_REQUIRED",
}

Path_ = tuple[str | int, ...]


def refusal(method: str, path: str, body: Any) -> dict[str, Any]:
    """Discord's ``errors`` object for this request body (nested by field, ``_errors`` at the leaves); {} if valid."""
    operation = _operation(method, path)
    if operation is None:
        return {}
    errors: dict[str, Any] = {}
    validator = _validator(method, operation)
    if validator is not None and (found := list(validator.iter_errors(body))):
        error = _meant(max(found, key=relevance))
        _add(errors, _where(error), CODES.get(str(error.validator), "BASE_TYPE_INVALID"), _message(error))
        return errors  # Discord stops at a malformed body; the limits below assume the schema's shape
    for where, code, message in _limits(operation, body):
        _add(errors, where, code, message)
    return errors


def embeds_size(embeds: list[dict[str, Any]] | None) -> int:
    """The characters Discord counts towards a message's 6,000."""
    total = 0
    for embed in embeds or []:
        total += len(embed.get("title") or "") + len(embed.get("description") or "")
        total += sum(len(f.get("name") or "") + len(f.get("value") or "") for f in embed.get("fields") or [])
        total += len((embed.get("footer") or {}).get("text") or "")
        total += len((embed.get("author") or {}).get("name") or "")
    return total


# -- the documented limits the schema leaves out ------------------------------------------------------


def _limits(operation: str, body: Any) -> Iterator[tuple[Path_, str, str]]:
    if operation == "/interactions/{interaction_id}/{interaction_token}/callback":
        data = body.get("data") or {}
        if body.get("type") in (4, 7):
            yield from _message_limits(data, ("data",))
        elif body.get("type") == 9:
            yield from _modal_limits(data, ("data",))
    elif operation in (
        "/webhooks/{webhook_id}/{webhook_token}",
        "/webhooks/{webhook_id}/{webhook_token}/messages/@original",
        "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}",
        "/channels/{channel_id}/messages",
        "/channels/{channel_id}/messages/{message_id}",
    ):
        yield from _message_limits(body, ())


def _message_limits(message: dict[str, Any], at: Path_) -> Iterator[tuple[Path_, str, str]]:
    if len(message.get("content") or "") > MESSAGE_CONTENT:
        yield (*at, "content"), "BASE_TYPE_MAX_LENGTH", f"Must be {MESSAGE_CONTENT} or fewer in length."
    if embeds_size(message.get("embeds")) > MESSAGE_EMBEDS_TOTAL:
        yield (*at, "embeds"), "MAX_EMBED_SIZE_EXCEEDED", f"Embed size exceeds maximum size of {MESSAGE_EMBEDS_TOTAL}"
    if not (message.get("flags") or 0) & IS_COMPONENTS_V2 and len(message.get("components") or []) > ACTION_ROWS:
        yield (*at, "components"), "BASE_TYPE_MAX_LENGTH", f"Must be {ACTION_ROWS} or fewer in length."


def _modal_limits(modal: dict[str, Any], at: Path_) -> Iterator[tuple[Path_, str, str]]:
    rows = modal.get("components") or []
    if len(rows) > ACTION_ROWS:
        yield (*at, "components"), "BASE_TYPE_MAX_LENGTH", f"Must be {ACTION_ROWS} or fewer in length."
    for n, row in enumerate(rows):
        # A text input sits in an action row (type 1) or, in newer modals, in a label (type 18).
        inputs = [(("components", i), c) for i, c in enumerate(row.get("components") or [])]
        inputs += [(("component",), row["component"])] if row.get("component") else []
        for where, component in inputs:
            limit = component.get("max_length")
            if component.get("type") == 4 and limit and len(component.get("value") or "") > limit:
                yield (
                    (*at, "components", n, *where, "value"),
                    "BASE_TYPE_MAX_LENGTH",
                    f"Must be {limit} or fewer in length.",
                )


# -- the schema ---------------------------------------------------------------------------------------


@functools.cache
def _spec() -> dict[str, Any]:
    if not SPEC.exists():
        raise FileNotFoundError(
            f"Discord's OpenAPI spec is not at {SPEC}: the Discord stand-in validates every body against it "
            "(set BACKLINKS_DISCORD_SPEC to its path)"
        )
    spec = json.loads(SPEC.read_text(encoding="utf-8"))
    # A snowflake in a request may be a JSON integer too: Discord reads both, and discord.py numbers
    # a message's new attachments 0, 1, ... as integers (payload_json's `attachments[].id`).
    snowflake = spec["components"]["schemas"]["SnowflakeType"]
    spec["components"]["schemas"]["SnowflakeType"] = {"anyOf": [snowflake, {"type": "integer", "minimum": 0}]}
    return spec


@functools.cache
def _operations() -> list[tuple[str, re.Pattern[str]]]:
    """The spec's paths as patterns, literal ones first (``@original`` before ``{message_id}``)."""
    templates = sorted(_spec()["paths"], key=lambda t: t.count("{"))
    return [(t, re.compile(re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(t)))) for t in templates]


def _operation(method: str, path: str) -> str | None:
    return next((t for t, pattern in _operations() if pattern.fullmatch(path)), None)


@functools.cache
def _validator(method: str, operation: str) -> Draft202012Validator | None:
    body = _spec()["paths"][operation].get(method.lower(), {}).get("requestBody")
    if body is None or "application/json" not in body["content"]:
        return None
    pointer = "/".join(
        p.replace("~", "~0").replace("/", "~1")
        for p in ("paths", operation, method.lower(), "requestBody", "content", "application/json", "schema")
    )
    return Draft202012Validator({"$ref": f"{SPEC_URI}#/{pointer}"}, registry=_registry())


@functools.cache
def _registry() -> Registry:
    # "#/components/schemas/…" inside the spec resolves against the spec itself.
    return Registry().with_resource(SPEC_URI, Resource.from_contents(_spec(), default_specification=DRAFT202012))


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
