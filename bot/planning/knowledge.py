"""Load knowledge/ once at start-up and check it, so bad data fails loudly before any user types.

Each file's entries are checked by a pydantic model (bot/planning/entries.py; an error names the
file, the entry and the field): every parameter has a source or an assumption; every source id
exists; every question kind, checklist condition and template exists and parses. (The export formats are the exports':
bot/exports/formats.py.)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

import jinja2

from bot.conversation.questionnaire import Question, Questionnaire, Section
from bot.conversation.validators import make_kind
from bot.core.datafiles import KnowledgeError, entries, entry, read
from bot.planning.entries import (
    ChecklistEntry,
    ChecklistItem,
    Figure,
    FormFile,
    Parameter,
    QuestionEntry,
    SectionEntry,
    SiteKind,
    SiteKindEntry,
    Source,
    SourceEntry,
    Strategy,
    StrategyEntry,
)

if TYPE_CHECKING:
    from bot.core.plan import Plan


@dataclass(frozen=True)
class Knowledge:
    questionnaire: Questionnaire
    parameters: Mapping[str, Parameter]
    strategies: Mapping[str, Strategy]
    sources: Mapping[str, Source]
    quality_bar: tuple[ChecklistItem, ...]
    checklist: tuple[ChecklistItem, ...]
    templates: Mapping[str, str]
    log_form: Questionnaire  # the "Log links" form (a button on the monthly reminder)
    import_form: Questionnaire | None = None  # the import form (Slack's file input)
    site_kinds: Mapping[str, SiteKind] = field(default_factory=dict)
    connect_form: Questionnaire | None = None  # a data provider and its key (Slack, Discord)

    def form(self, name: str) -> Questionnaire:
        forms = {"log": self.log_form, "import": self.import_form, "connect": self.connect_form}
        return forms.get(name, self.questionnaire)

    @property
    def provider_labels(self) -> dict[str, str]:
        """The data providers as people know them ("dataforseo" → "DataForSEO"), from the connect form."""
        if self.connect_form is None:
            return {}
        return dict(self.connect_form.question("connect_provider").kind.options)

    def form_of_section(self, section_id: str) -> str:
        for name in ("log", "import", "connect"):
            if any(s.id == section_id for s in self.form(name).sections):
                return name
        return "plan"

    def figures_used(self, plan: Plan) -> list[Parameter]:
        chosen = [self.strategies[s] for s in plan.answers["strategies"]]
        per_strategy = [s.hours_per_link for s in chosen] + [s.monthly_limit for s in chosen if s.monthly_limit]
        # A plan stored by an older version may name a parameter that is gone (its text is kept).
        return [self.parameters[name] for name in plan.figures if name in self.parameters] + per_strategy

    def sources_used(self, plan: Plan) -> list[Source]:
        items = {i.id: i for i in (*self.quality_bar, *self.checklist)}
        ids = [p.source for p in self.figures_used(plan) if p.source]
        kind = self.site_kinds.get(plan.answers.get("site_kind") or "")
        ids += [kind.source] if kind else []
        ids += [items[i].source for i in (*plan.quality_bar, *plan.checklist)]
        return [self.sources[i] for i in dict.fromkeys(ids)]


def _questionnaire(data: Any, where: str, option_sets) -> Questionnaire:
    sections = []
    for raw_section in entry(FormFile, data, where, "the file").sections:
        section = entry(SectionEntry, raw_section, where, f"section {raw_section.get('id')}")
        questions = []
        for raw in section.questions:
            q = entry(QuestionEntry, raw, where, f"{section.id}.{raw.get('id')}")
            name = q.name or q.label.lower()
            params = dict(q.model_extra or {})
            try:
                kind = make_kind(q.kind, params, option_sets, example=str(q.example), what=name)
            except (ValueError, TypeError) as error:
                raise KnowledgeError(f"knowledge/{where}: {section.id}.{q.id}: kind: {error}") from error
            questions.append(
                Question(
                    q.id,
                    section.id,
                    q.label,
                    q.prompt,
                    q.why,
                    str(q.example),
                    q.kind,
                    kind,
                    q.optional,
                    q.aliases,
                    params,
                    name,
                    q.asked_if,
                )
            )
        sections.append(Section(section.id, section.title, section.intro, tuple(questions)))
    try:
        return Questionnaire(sections)
    except ValueError as error:
        raise KnowledgeError(f"knowledge/{where}: {error}") from error


def load(folder=None) -> Knowledge:
    """Read and check the knowledge files (the packaged ones unless `folder` is given)."""
    folder = folder if folder is not None else resources.files("knowledge")
    sources = {
        sid: Source(sid, **entry.model_dump())
        for sid, entry in entries(SourceEntry, read(folder, "sources.yaml"), "sources.yaml").items()
    }
    known = {"sources": set(sources)}
    strategies = {
        sid: entry.strategy(sid)
        for sid, entry in entries(StrategyEntry, read(folder, "strategies.yaml"), "strategies.yaml", known).items()
    }
    known["strategies"] = set(strategies)
    site_kinds = {
        kid: SiteKind(kid, **entry.model_dump())
        for kid, entry in entries(SiteKindEntry, read(folder, "site_kinds.yaml"), "site_kinds.yaml", known).items()
    }
    parameters = {
        pid: entry.parameter(pid)
        for pid, entry in entries(Figure, read(folder, "planner.yaml"), "planner.yaml", known).items()
    }
    if parameters["safe_pace_floor"].value < 1:
        raise KnowledgeError("planner.yaml: safe_pace_floor must be at least 1 (a plan always asks for one link)")

    option_sets = {
        "strategies": {sid: (s.label, *s.aliases) for sid, s in strategies.items()},
        "site_kinds": {kid: (k.label, *k.aliases) for kid, k in site_kinds.items()},
    }
    questionnaire = _questionnaire(read(folder, "questions.yaml"), "questions.yaml", option_sets)
    log_form = _questionnaire(read(folder, "log_form.yaml"), "log_form.yaml", option_sets)
    if {s.id for s in log_form.sections} & {s.id for s in questionnaire.sections}:
        raise KnowledgeError("log_form.yaml: section ids must differ from questions.yaml's")
    connect_form = _questionnaire(read(folder, "connect_form.yaml"), "connect_form.yaml", option_sets)
    if {s.id for s in connect_form.sections} & {s.id for f in (questionnaire, log_form) for s in f.sections}:
        raise KnowledgeError("connect_form.yaml: section ids must differ from the other forms'")

    checklists = read(folder, "checklist.yaml")
    items = {  # each item named by its group and id (`checklist.never_buy`) when it is refused
        group: [
            ChecklistItem(
                **entry(ChecklistEntry, data, "checklist.yaml", f"{group}.{data.get('id')}", known).model_dump()
            )
            for data in checklists[group]
        ]
        for group in ("quality_bar", "checklist")
    }

    templates = dict(read(folder, "messages.yaml"))
    templates.update({f"quality_bar.{i.id}": i.text for i in items["quality_bar"]})
    templates.update({f"checklist.{i.id}": i.text for i in items["checklist"]})
    env = jinja2.Environment(undefined=jinja2.StrictUndefined)
    for name, text in templates.items():
        try:
            env.parse(text)
        except jinja2.TemplateSyntaxError as error:
            raise KnowledgeError(f"template {name}: {error}") from error

    return Knowledge(
        questionnaire,
        parameters,
        strategies,
        sources,
        tuple(items["quality_bar"]),
        tuple(items["checklist"]),
        templates,
        log_form,
        _questionnaire(read(folder, "import_form.yaml"), "import_form.yaml", option_sets),
        site_kinds,
        connect_form,
    )


@cache
def default() -> Knowledge:
    """The packaged knowledge, loaded once per process."""
    return load()
