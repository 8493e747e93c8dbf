"""The parts of Slack's payloads the adapter reads, checked where they come in (pydantic).

A validly signed request of another shape (a leaked signing secret, a proxy that mangles bodies, a
change on Slack's side) must not end in a 500 with a traceback: reading it raises MalformedPayload
with a short reason, and the adapter answers 400 with that reason and logs one short line.
"""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, ConfigDict, Json, StringConstraints, ValidationError

Id = Annotated[str, StringConstraints(min_length=1, max_length=255)]
VALUE_ACTION = "value"  # every modal input uses this action id; its block id is the question id


class MalformedPayload(ValueError):
    """A payload not of the shape Slack sends; the message is the short reason."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


Model = TypeVar("Model", bound=_Model)


def read(model: type[Model], data: Any) -> Model:
    try:
        return model.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "payload"
        raise MalformedPayload(f"{where}: {first['msg']}") from None


class Command(_Model):
    """A slash command's form fields."""

    team_id: Id
    channel_id: Id
    user_id: Id
    text: str = ""
    response_url: str = ""
    trigger_id: str = ""


class _Team(_Model):
    id: Id


class _User(_Model):
    id: Id
    team_id: str | None = None


class _Channel(_Model):
    id: Id


class _Interaction(_Model):
    team: _Team | None = None
    user: _User

    @property
    def workspace(self) -> str:
        # Slack names the workspace in `team`; an org-wide install may leave it null.
        workspace = self.team.id if self.team is not None else self.user.team_id
        if not workspace:
            raise MalformedPayload("team: no workspace named")
        return workspace


class Action(_Model):
    """One pressed button."""

    action_id: str
    value: str = ""


class ButtonPress(_Interaction):
    channel: _Channel
    trigger_id: str = ""
    response_url: str = ""


class _Option(_Model):
    value: str


class _Field(_Model):
    type: str = ""
    value: str | None = None
    selected_option: _Option | None = None
    selected_options: list[_Option] | None = None
    files: list[dict[str, Any]] | None = None


class State(_Model):
    """view.state: {block id: {action id: the input's value}}."""

    values: dict[str, dict[str, _Field]] = {}

    def answers(self) -> dict[str, str]:
        """{question id: text as the validators read it}."""
        answers: dict[str, str] = {}
        for block_id, actions in self.values.items():
            field = actions.get(VALUE_ACTION, _Field())
            if field.type == "multi_static_select":
                answers[block_id] = ", ".join(o.value for o in field.selected_options or [])
            elif field.type == "static_select":
                answers[block_id] = field.selected_option.value if field.selected_option else ""
            elif field.type == "file_input":
                # The file's id for now; the adapter downloads it after the ack and passes a local path.
                answers[block_id] = str(field.files[0].get("id", "")) if field.files else ""
            else:
                answers[block_id] = field.value or ""
        return answers

    def files(self) -> dict[str, dict[str, Any]]:
        """The files of a modal's file inputs: {question id: Slack's file object}."""
        found = {}
        for block_id, actions in self.values.items():
            field = actions.get(VALUE_ACTION, _Field())
            if field.type == "file_input" and field.files:
                found[block_id] = field.files[0]
        return found


class Metadata(_Model):
    """What the bot carried through its modal: view_submission payloads name neither."""

    channel: Id
    response_url: str = ""


class _View(_Model):
    callback_id: str
    private_metadata: Json[Metadata]
    state: State


class Submission(_Interaction):
    view: _View
