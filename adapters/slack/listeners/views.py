"""Form submissions (the plan, log, import and connect modals): stored before the ack, worked after.

A part of SlackAdapter (adapters/slack/app.py), which wires it into Bolt; Bolt's own samples lay
listeners out by kind like this."""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.blocks import CALLBACK_PREFIX
from adapters.slack.listeners.context import (
    DownloadError,
    _first_field,
    _quietly,
    _Where,
    log,
)
from adapters.slack.payloads import Submission, read
from bot.core.events import ChannelKey, Submitted
from bot.core.replies import Reply
from bot.intake import Busy, Entry


class Views:
    async def on_form_submitted(
        self, ack, body: Mapping[str, Any], view: Mapping[str, Any], client: AsyncWebClient
    ) -> None:
        """Errors must travel on the ack (`response_action: errors`), so validate first — a pure
        check, no I/O. Then store the submission (bot/intake/) and only then ack: once Slack closes
        the form it is never lost. Planning, storing and posting follow, from the intake's queue.
        The connect form is not stored (its key): acked, then worked at once."""
        if self.engine.intake.busy:  # say so before spending anything on the form
            await self._busy(ack, _first_field(body))
            return
        payload = read(Submission, body)  # MalformedPayload → on_error answers 400 (not acked yet)
        form = payload.view.callback_id.removeprefix(CALLBACK_PREFIX)
        meta, team = payload.view.private_metadata, payload.workspace
        values = payload.view.state.answers()
        files = payload.view.state.files()
        answers, errors = self.engine.read(values, form)  # carried to the worker: read once
        errors.update({q: reason for q, f in files.items() if (reason := self._too_big(f))})
        if errors:  # each said in the channel's language (else the person's Slack locale)
            channel = ChannelKey("slack", team, meta.channel)
            locale = (
                None
                if await self.engine.languages.chosen(channel)
                else (await self._person(client, payload.user.id))[1]
            )
            said = self.renderer.speaking(await self.engine.languages.of(channel, locale)).plain
            await ack(
                response_action="errors",
                errors={q: said.render("question.invalid", {"reason": r}) for q, r in errors.items()},
            )
            return
        if self.engine.carries_secrets(form):
            await ack()
            where = _Where(team, meta.channel, meta.response_url, "")
            await self._run(
                Submitted(where.key, payload.user.id, form=form),
                where,
                client,
                self._submitted(where, payload.user.id, values, form, client),
            )
            return
        submission = {
            "form": form,
            "team": team,
            "channel": meta.channel,
            "response_url": meta.response_url,
            "user": payload.user.id,
            "values": values,
            "read": answers if not files else None,  # a file is read when worked
            "files": files,
        }
        # A replay of the same submission (same view, same hash) is recognised by its key.
        key = f"slack:{team}:{view['id']}:{view.get('hash', '')}" if view.get("id") else f"slack:{uuid.uuid4()}"
        try:  # queued for the intake's workers once stored (a replay: stored before, nothing to do)
            await self.engine.intake.accept("slack", key, submission, channel=ChannelKey("slack", team, meta.channel))
        except Busy:
            await self._busy(ack, next(iter(values), None))
            return
        await ack()

    async def _perform(self, entry: Entry) -> None:
        """Work a stored submission: fetch its files, plan (or log, or import), store and post."""
        submission = entry.payload
        where = _Where(submission["team"], submission["channel"], submission["response_url"], "")
        client = await self._client_for(submission["team"])
        if client is None:
            log.warning("a submission from workspace %s was dropped: the app is no longer installed there", where.key)
            return
        user, form, values = submission["user"], submission["form"], dict(submission["values"])
        # The zone for a first reminder; the locale, the language to answer in if the channel chose none.
        zone, locale = await self._person(client, user)
        # Answers read at the ack (none in a row stored before they were carried): not parsed again.
        read = submission.get("read")
        event = Submitted(
            where.key, user, values, zone if form == "plan" else None, form, entry.key, locale=locale, read=read
        )
        if not submission["files"]:
            await self._run(event, where, client)
            return
        said = self.renderer.speaking(await self.engine.languages.of(where.key, locale)).mrkdwn
        with tempfile.TemporaryDirectory(prefix="backlinks-") as folder:
            try:
                for question, file in submission["files"].items():  # a local copy for the engine
                    values[question] = await self._download(client, file, Path(folder), said)
            except DownloadError as error:
                await _quietly(
                    self._respond(client, where, {"text": str(error), "response_type": "ephemeral"}, user=user)
                )
                return
            await self._run(event, where, client)

    async def _submitted(
        self, where: _Where, user: str, values: Mapping[str, str], form: str, client: AsyncWebClient
    ) -> list[Reply]:
        """A form not stored in the inbox, worked now: who submits it is asked again first."""
        manages = await self._manages(client, where.key.workspace, user)
        return await self.engine.handle(Submitted(where.key, user, dict(values), form=form, manages=manages))
