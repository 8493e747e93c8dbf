"""Load knowledge/ once at start-up and check it, so bad data fails loudly before any user types.

Checks: every parameter has a source or an assumption; every source id exists; every question
kind, checklist condition and template exists and parses.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

import jinja2
import yaml

from bot.conversation.questionnaire import Question, Questionnaire, Section
from bot.conversation.validators import make_kind
from bot.planning.checklist import CONDITIONS

if TYPE_CHECKING:
    from bot.core.plan import Plan


class KnowledgeError(ValueError):
    """The knowledge files are inconsistent; raised at start-up, never mid-conversation."""


@dataclass(frozen=True, slots=True)
class Source:
    id: str
    title: str
    note: str
    url: str | None = None
    secondary: bool = False


@dataclass(frozen=True, slots=True)
class Parameter:
    id: str
    value: Any
    label: str
    source: str | None
    assumption: str | None


@dataclass(frozen=True, slots=True)
class Strategy:
    id: str
    label: str
    aliases: tuple[str, ...]
    needs_asset: bool
    hours_per_link: Parameter
    monthly_limit: Parameter | None = None  # most links a month it can bring, however many hours
    natural_share: float = 0.0  # the limit grows with the links the site gains naturally (mentions)
    floor_from_natural: float = 0.0  # below this many natural links a month, the limit's floor shrinks to none
    suggest_for: tuple[str, ...] = ()  # kinds of site it is suggested to (empty: every kind)
    pointable: bool = True  # its links can be pointed at a chosen page (page level)

    def limit(self, natural: float) -> float:
        if self.monthly_limit is None:
            return math.inf
        floor = self.monthly_limit.value
        if self.natural_share and self.floor_from_natural:
            # Mentions to claim come with the links a site gains: none for a site nobody mentions yet.
            floor *= min(1.0, natural / self.floor_from_natural)
        return max(floor, self.natural_share * natural)


@dataclass(frozen=True, slots=True)
class SiteKind:
    id: str
    label: str
    aliases: tuple[str, ...]
    asset: str  # the linkable asset that suits this kind of site
    second_sources: tuple[str, ...]  # strategy ids, best first
    source: str
    assumption: str


@dataclass(frozen=True, slots=True)
class ChecklistItem:
    id: str
    text: str
    when: tuple[str, ...]
    source: str


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
    export_formats: tuple = ()  # bot.exports.read.Format, for `import`
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


# libyaml's parser where PyYAML was built with it (its wheels are): the same safe loading, read about
# ten times faster (the knowledge is read at every start: about 80 ms of it in pure Python).
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _read(folder, name: str) -> Any:
    try:
        return yaml.load(folder.joinpath(name).read_text(encoding="utf-8"), Loader=_LOADER)
    except (OSError, yaml.YAMLError) as error:
        raise KnowledgeError(f"knowledge/{name}: {error}") from error


def _parameter(pid: str, data: Mapping[str, Any], sources: Mapping[str, Source], where: str) -> Parameter:
    source, assumption = data.get("source"), data.get("assumption")
    if "value" not in data:
        raise KnowledgeError(f"{where}: {pid} has no value")
    if not source and not assumption:
        raise KnowledgeError(f"{where}: {pid} needs a source or an assumption label")
    if source and source not in sources:
        raise KnowledgeError(f"{where}: {pid} cites unknown source {source!r}")
    return Parameter(pid, data["value"], data.get("label", pid), source, assumption)


def _questionnaire(data: Mapping[str, Any], where: str, option_sets) -> Questionnaire:
    sections = []
    for section in data["sections"]:
        questions = []
        for q in section["questions"]:
            fixed = {"id", "label", "name", "prompt", "why", "example", "kind", "optional", "aliases", "asked_if"}
            params = {k: v for k, v in q.items() if k not in fixed}
            name = q.get("name") or q.get("label", "").lower()  # how replies name it ("Noted hours a month: 43")
            try:
                kind = make_kind(q["kind"], params, option_sets, example=str(q["example"]), what=name)
            except (ValueError, TypeError) as error:
                raise KnowledgeError(f"{where}: {q['id']}: {error}") from error
            label = q.get("label", "")
            if not 0 < len(label) <= 45:
                raise KnowledgeError(f"{where}: {q['id']} needs a label of 1-45 characters")
            questions.append(
                Question(
                    q["id"],
                    section["id"],
                    label,
                    q["prompt"],
                    q["why"],
                    str(q["example"]),
                    q["kind"],
                    kind,
                    bool(q.get("optional")),
                    tuple(q.get("aliases", ())),
                    params,
                    name,
                    q.get("asked_if"),
                )
            )
        if len(questions) > 5:
            raise KnowledgeError(f"{where}: section {section['id']} has more than five questions")
        sections.append(Section(section["id"], section["title"], section.get("intro", ""), tuple(questions)))
    try:
        return Questionnaire(sections)
    except ValueError as error:
        raise KnowledgeError(f"{where}: {error}") from error


EXPORT_FIELDS = {
    "url",
    "domain",
    "first_seen",
    "last_seen",
    "lost",
    "nofollow",
    "anchor",
    "spam",
    "spam_score",
    "links",
    "dofollow_links",
    "target",
    "target_pages",
}


ROW_KINDS = {"url", "domain", "count", "date"}  # what bot.exports.read can recognise a cell as


def _export_formats(data: Mapping[str, Any]) -> tuple:
    from bot.exports.read import formats_from

    for fid, spec in data.items():
        fields = set(spec.get("columns", {})) | {c.get("field") for c in spec.get("by_rows", ())}
        unknown = fields - EXPORT_FIELDS
        kinds = {c.get("holds") for c in spec.get("by_rows", ())} - ROW_KINDS
        if unknown or kinds or not spec.get("needs") or not ({"url", "domain"} & fields):
            raise KnowledgeError(
                f"export_formats.yaml: {fid} needs `needs`, a url or domain column, known fields and cell kinds "
                f"(unknown: {sorted(unknown | kinds)})"
            )
    return formats_from(data)


def load(folder=None) -> Knowledge:
    """Read and check the knowledge files (the packaged ones unless `folder` is given)."""
    folder = folder if folder is not None else resources.files("knowledge")
    sources = {sid: Source(sid, **data) for sid, data in _read(folder, "sources.yaml").items()}

    strategies: dict[str, Strategy] = {}
    for sid, data in _read(folder, "strategies.yaml").items():
        hours = _parameter(f"hours_per_link.{sid}", data["hours_per_link"], sources, "strategies.yaml")
        if not hours.value > 0:
            raise KnowledgeError(f"strategies.yaml: {sid} needs positive hours_per_link")
        limit = None
        if "monthly_limit" in data:
            limit = _parameter(f"monthly_limit.{sid}", data["monthly_limit"], sources, "strategies.yaml")
            if not limit.value > 0:
                raise KnowledgeError(f"strategies.yaml: {sid} needs a positive monthly_limit")
            limit = Parameter(
                limit.id, limit.value, f"most links a month from {data['label']}", limit.source, limit.assumption
            )
        strategies[sid] = Strategy(
            sid,
            data["label"],
            tuple(data.get("aliases", ())),
            bool(data["needs_asset"]),
            Parameter(
                hours.id, hours.value, f"hours of work per link by {data['label']}", hours.source, hours.assumption
            ),
            limit,
            float(data.get("monthly_limit", {}).get("natural_share", 0)),
            float(data.get("monthly_limit", {}).get("floor_from_natural", 0)),
            tuple(data.get("suggest_for", ())),
            bool(data.get("pointable", True)),
        )

    site_kinds: dict[str, SiteKind] = {}
    for kid, data in _read(folder, "site_kinds.yaml").items():
        unknown = [s for s in data.get("second_sources", ()) if s not in strategies]
        if unknown or data.get("source") not in sources or not data.get("assumption"):
            raise KnowledgeError(
                f"site_kinds.yaml: {kid} needs known second_sources (unknown: {unknown}), "
                "a known source and an assumption"
            )
        site_kinds[kid] = SiteKind(
            kid,
            data["label"],
            tuple(data.get("aliases", ())),
            data["asset"],
            tuple(data["second_sources"]),
            data["source"],
            data["assumption"],
        )

    parameters = {
        pid: _parameter(pid, data, sources, "planner.yaml") for pid, data in _read(folder, "planner.yaml").items()
    }
    if parameters["safe_pace_floor"].value < 1:
        raise KnowledgeError("planner.yaml: safe_pace_floor must be at least 1 (a plan always asks for one link)")

    option_sets = {
        "strategies": {sid: (s.label, *s.aliases) for sid, s in strategies.items()},
        "site_kinds": {kid: (k.label, *k.aliases) for kid, k in site_kinds.items()},
    }
    questionnaire = _questionnaire(_read(folder, "questions.yaml"), "questions.yaml", option_sets)
    log_form = _questionnaire(_read(folder, "log_form.yaml"), "log_form.yaml", option_sets)
    if {s.id for s in log_form.sections} & {s.id for s in questionnaire.sections}:
        raise KnowledgeError("log_form.yaml: section ids must differ from questions.yaml's")
    connect_form = _questionnaire(_read(folder, "connect_form.yaml"), "connect_form.yaml", option_sets)
    if {s.id for s in connect_form.sections} & {s.id for f in (questionnaire, log_form) for s in f.sections}:
        raise KnowledgeError("connect_form.yaml: section ids must differ from the other forms'")

    checklists = _read(folder, "checklist.yaml")
    items: dict[str, list[ChecklistItem]] = {}
    for group in ("quality_bar", "checklist"):
        items[group] = []
        for data in checklists[group]:
            when = tuple(data.get("when", ("always",)))
            unknown = [c for c in when if c not in CONDITIONS]
            if unknown:
                raise KnowledgeError(f"checklist.yaml: {data['id']} names unknown conditions {unknown}")
            if data.get("source") not in sources:
                raise KnowledgeError(f"checklist.yaml: {data['id']} needs a known source")
            items[group].append(ChecklistItem(data["id"], data["text"], when, data["source"]))

    templates = dict(_read(folder, "messages.yaml"))
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
        _export_formats(_read(folder, "export_formats.yaml")),
        _questionnaire(_read(folder, "import_form.yaml"), "import_form.yaml", option_sets),
        site_kinds,
        connect_form,
    )


@cache
def default() -> Knowledge:
    """The packaged knowledge, loaded once per process."""
    return load()
