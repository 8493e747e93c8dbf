"""The knowledge files (knowledge/*.yaml) read and checked: each capability owns the pydantic models
of the entries it reads, and a broken entry fails at start-up with the file, the entry and the field
named (`knowledge/strategies.yaml: guest_posts: hours_per_link.value: Input should be a valid number`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

Entry = TypeVar("Entry", bound=BaseModel)

# libyaml's parser where PyYAML was built with it (its wheels are): the same safe loading, read about
# ten times faster (the knowledge is read at every start: about 80 ms of it in pure Python).
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class KnowledgeError(ValueError):
    """The knowledge files are inconsistent; raised at start-up, never mid-conversation."""


class Model(BaseModel):
    """An entry of a knowledge file: unknown keys are refused (a typo'd key would otherwise be
    silently ignored), and entries are read-only once loaded."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def read(folder: Any, name: str) -> Any:
    """A knowledge file's YAML (`folder`: a path or an importlib.resources folder)."""
    try:
        return yaml.load(folder.joinpath(name).read_text(encoding="utf-8"), Loader=_LOADER)
    except (OSError, yaml.YAMLError) as error:
        raise KnowledgeError(f"knowledge/{name}: {error}") from error


def entry(model: type[Entry], data: Any, file: str, name: str, context: Mapping[str, Any] | None = None) -> Entry:
    """One entry checked against its model; the error names the file, the entry and the field.
    `context`: what the entry may refer to (the source ids, say), for the model's validators."""
    try:
        return model.model_validate(data, context=dict(context or {}))
    except ValidationError as error:
        raise KnowledgeError(f"knowledge/{file}: {name}: {_problems(error)}") from None


def entries(model: type[Entry], data: Any, file: str, context: Mapping[str, Any] | None = None) -> dict[str, Entry]:
    """Every entry of a file that maps ids to entries, each checked against the model."""
    if not isinstance(data, Mapping):
        raise KnowledgeError(f"knowledge/{file}: expected entries by id, found {type(data).__name__}")
    return {str(key): entry(model, value, file, str(key), context) for key, value in data.items()}


def _problems(error: ValidationError) -> str:
    said = []
    for problem in error.errors(include_url=False):
        where = ".".join(str(part) for part in problem["loc"])
        message = problem["msg"].removeprefix("Value error, ")  # pydantic's prefix for a validator's own
        # What was found, when it is one value (a whole entry or list quoted back would bury the message).
        shown = problem["type"] not in ("missing", "extra_forbidden") and isinstance(
            problem["input"], str | int | float
        )
        got = f" (got {problem['input']!r})" if shown else ""
        said.append(f"{where}: {message}{got}" if where else f"{message}{got}")
    return "; ".join(said)
