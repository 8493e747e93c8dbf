"""Planning as forms (a Slack modal, Discord's modals a section at a time): a whole form validated
first (with any error nothing is stored and the fields say why), then the next section's form or
the plan; and the "Continue" button's form between sections."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from bot.conversation import views
from bot.conversation.questionnaire import Draft, apply, is_complete, next_question, settle_read
from bot.core.replies import Form, Paragraph, Reply, text
from bot.lookups.answers import bare_competitors
from bot.planning.drafts import texts, with_measured

if TYPE_CHECKING:
    from bot.core.feature import Request
    from bot.planning.drafts import Drafts
    from bot.planning.figures import Figures


class Forms:
    def __init__(self, *, drafts: Drafts, figures: Figures):
        self.drafts = drafts
        self.figures = figures
        self.store = drafts.store
        self.questionnaire = drafts.questionnaire

    async def submitted(self, request: Request, values: Mapping[str, str]) -> list[Reply]:
        """Validate a whole form first: with any error nothing is stored and the fields say why."""
        channel, user, timezone = request.channel, request.user, request.timezone
        existing, defaults, earlier = await self.drafts.loaded(channel, user)
        measured = None
        if values.get("competitors") and bare_competitors(values["competitors"]):
            filled, _, measured = await self.figures.competitors(channel, values["competitors"])
            values = {**values, "competitors": filled}
        draft = existing or Draft(sources=earlier)
        if request.read is not None and measured is None:  # read at the ack: settled, not parsed again
            draft, errors = settle_read(draft, request.read), {}
        else:
            draft, errors = apply(self.questionnaire, draft, values, self.store.clock().date())
        draft = with_measured(draft, measured)
        if errors:
            ids = tuple(values)
            return [Reply("field_errors", form=Form(ids, dict(values), errors), private=True)]
        if is_complete(self.questionnaire, draft):
            return await self.drafts.finish(channel, user, draft, timezone, request.submission)
        await self.store.save_draft(channel, user, draft.to_json(), expected=draft.version)
        question = next_question(self.questionnaire, draft)
        section = self.questionnaire.section_of(question.id)
        ids = tuple(q.id for q in section.questions)
        known = {**texts(defaults), **self.drafts.shown(draft)}
        return [
            Reply(
                "form",
                blocks=(Paragraph(text("plan.form_next", title=section.title)),),
                form=Form(ids, {i: known[i] for i in ids if i in known}),
                private=True,
            )
        ]

    async def section_form(self, request: Request, section_id: str) -> list[Reply]:
        """The "Continue" button between forms shown a section at a time: that section's form."""
        channel, user = request.channel, request.user
        section = next((s for s in self.questionnaire.sections if s.id == section_id), None)
        if section is None:
            return [views.help_reply(conversational=False)]
        draft, defaults = await self.drafts.session(channel, user)
        known = {**texts(defaults), **self.drafts.shown(draft or Draft())}
        ids = tuple(q.id for q in section.questions)
        return [Reply("form", form=Form(ids, {i: known[i] for i in ids if i in known}), private=True)]
