"""knowledge/ is data the bot trusts: every figure is sourced or labelled, and bad data fails at start-up."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from bot.exports import formats as export_formats
from bot.planning.knowledge import KnowledgeError, load

FOLDER = Path(__file__).resolve().parents[3] / "knowledge"


def read(name: str):
    return yaml.safe_load((FOLDER / name).read_text(encoding="utf-8"))


SOURCES = read("sources.yaml")
PLANNER = read("planner.yaml")
STRATEGIES = read("strategies.yaml")


def _cited(entry: dict) -> tuple[str | None, str | None]:
    return entry.get("source"), entry.get("assumption")


# --- every figure has a source or an assumption ---------------------------------------------------


@pytest.mark.parametrize("parameter_id", list(PLANNER))
def test_planner_parameter_is_sourced_or_labelled(parameter_id):
    source, assumption = _cited(PLANNER[parameter_id])
    assert "value" in PLANNER[parameter_id]
    assert source or assumption, f"{parameter_id} has neither a source nor an assumption"
    if source:
        assert source in SOURCES, f"{parameter_id} cites unknown source {source!r}"
    if assumption:
        assert isinstance(assumption, str) and len(assumption.split()) >= 3, f"{parameter_id}: say why"


@pytest.mark.parametrize("strategy_id", list(STRATEGIES))
def test_strategy_hours_per_link_is_sourced_or_labelled(strategy_id):
    hours = STRATEGIES[strategy_id]["hours_per_link"]
    source, assumption = _cited(hours)
    assert hours["value"] > 0
    assert source or assumption, f"{strategy_id}.hours_per_link has neither a source nor an assumption"
    if source:
        assert source in SOURCES, f"{strategy_id} cites unknown source {source!r}"
    if assumption:
        assert isinstance(assumption, str) and len(assumption.split()) >= 3


def test_every_source_has_a_title_and_a_note():
    for source_id, source in SOURCES.items():
        assert source.get("title") and source.get("note"), source_id


def test_the_loaded_knowledge_keeps_the_labels():
    knowledge = load()
    assert set(knowledge.parameters) == set(PLANNER)
    for parameter in [*knowledge.parameters.values(), *(s.hours_per_link for s in knowledge.strategies.values())]:
        assert parameter.source in knowledge.sources or (parameter.source is None and parameter.assumption)
    for item in (*knowledge.quality_bar, *knowledge.checklist):
        assert item.source in knowledge.sources, item.id


# --- bad knowledge fails loudly --------------------------------------------------------------------


@pytest.fixture
def copy_of_knowledge(tmp_path: Path) -> Path:
    folder = tmp_path / "knowledge"
    shutil.copytree(FOLDER, folder, ignore=shutil.ignore_patterns("__pycache__"))
    return folder


def edit_yaml(folder: Path, name: str, change: Callable[[object], None]) -> None:
    path = folder / name
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def question(data, question_id: str) -> dict:
    return next(q for s in data["sections"] for q in s["questions"] if q["id"] == question_id)


def test_an_untouched_copy_loads(copy_of_knowledge):
    # The control for every test below: the copy itself is fine, so each failure is the edit's.
    knowledge = load(copy_of_knowledge)
    assert knowledge.questionnaire.question("site").kind_name == "domain"


def test_a_copy_rewritten_through_yaml_still_loads(copy_of_knowledge):
    # The edits below rewrite files with yaml.safe_dump; that alone must not break anything.
    for name in ("questions.yaml", "checklist.yaml", "planner.yaml", "messages.yaml", "strategies.yaml"):
        edit_yaml(copy_of_knowledge, name, lambda data: None)
    load(copy_of_knowledge)


def test_unknown_question_kind(copy_of_knowledge):
    edit_yaml(copy_of_knowledge, "questions.yaml", lambda d: question(d, "site").update(kind="url_list"))
    with pytest.raises(KnowledgeError, match=r"site.*unknown question kind 'url_list'"):
        load(copy_of_knowledge)


def test_unknown_question_parameter(copy_of_knowledge):
    edit_yaml(copy_of_knowledge, "questions.yaml", lambda d: question(d, "authority").update(maximum=100))
    with pytest.raises(KnowledgeError, match="authority"):
        load(copy_of_knowledge)


def test_unknown_checklist_condition(copy_of_knowledge):
    def change(data):
        data["checklist"][0]["when"] = ["always", "full_moon"]

    edit_yaml(copy_of_knowledge, "checklist.yaml", change)
    with pytest.raises(
        KnowledgeError,
        match=r"^knowledge/checklist\.yaml: checklist\.never_buy: when: unknown conditions \['full_moon'\]",
    ):
        load(copy_of_knowledge)


def test_checklist_item_with_unknown_source(copy_of_knowledge):
    def change(data):
        data["quality_bar"][0]["source"] = "a_blog_somewhere"

    edit_yaml(copy_of_knowledge, "checklist.yaml", change)
    with pytest.raises(KnowledgeError, match="relevant"):
        load(copy_of_knowledge)


def test_parameter_without_source_or_assumption(copy_of_knowledge):
    def change(data):
        data["max_source_share"].pop("source", None)
        data["max_source_share"].pop("assumption", None)

    edit_yaml(copy_of_knowledge, "planner.yaml", change)
    with pytest.raises(
        KnowledgeError, match=r"^knowledge/planner\.yaml: max_source_share: needs a source or an assumption label$"
    ):
        load(copy_of_knowledge)


def test_parameter_citing_an_unknown_source(copy_of_knowledge):
    edit_yaml(copy_of_knowledge, "planner.yaml", lambda d: d["annual_link_loss"].update(source="hearsay"))
    with pytest.raises(
        KnowledgeError,
        match=r"^knowledge/planner\.yaml: annual_link_loss: source: unknown source 'hearsay' \(got 'hearsay'\)$",
    ):
        load(copy_of_knowledge)


def test_strategy_hours_without_source_or_assumption(copy_of_knowledge):
    def change(data):
        data["outreach"]["hours_per_link"] = {"value": 8}

    edit_yaml(copy_of_knowledge, "strategies.yaml", change)
    with pytest.raises(
        KnowledgeError,
        match=r"^knowledge/strategies\.yaml: outreach: hours_per_link: needs a source or an assumption label$",
    ):
        load(copy_of_knowledge)


def test_template_with_a_jinja_syntax_error(copy_of_knowledge):
    edit_yaml(copy_of_knowledge, "messages.yaml", lambda d: d.update({"plan.heading": "Backlink plan for {{ site "}))
    with pytest.raises(KnowledgeError, match=r"template plan\.heading"):
        load(copy_of_knowledge)


def test_checklist_text_is_a_template_too(copy_of_knowledge):
    def change(data):
        data["checklist"][0]["text"] = "Never buy links {% if plan %}"

    edit_yaml(copy_of_knowledge, "checklist.yaml", change)
    with pytest.raises(KnowledgeError, match=r"template checklist\.never_buy"):
        load(copy_of_knowledge)


def test_a_section_with_six_questions(copy_of_knowledge):
    def change(data):
        section = data["sections"][0]
        assert len(section["questions"]) == 5, "this test assumes the authority section is full"
        section["questions"].append(
            {
                "id": "traffic",
                "label": "Organic traffic",
                "prompt": "How much organic traffic does it get?",
                "why": "A sixth question.",
                "example": "1000",
                "kind": "integer",
                "min": 0,
                "max": 1_000_000_000,
            }
        )

    edit_yaml(copy_of_knowledge, "questions.yaml", change)
    with pytest.raises(
        KnowledgeError,
        match=r"^knowledge/questions\.yaml: section authority: questions: 6 questions: a section has five at most",
    ):
        load(copy_of_knowledge)


def test_a_sixth_question_in_a_small_section_is_fine(copy_of_knowledge):
    # The limit is five a section, not a total: the capacity section has room.
    def change(data):
        data["sections"][-1]["questions"].append(
            {
                "id": "budget",
                "label": "Budget",
                "prompt": "Budget?",
                "why": "Why not.",
                "example": "1",
                "kind": "integer",
                "min": 0,
                "max": 9,
            }
        )

    edit_yaml(copy_of_knowledge, "questions.yaml", change)
    assert load(copy_of_knowledge).questionnaire.question("budget").section == "capacity"


def test_a_name_used_by_two_questions(copy_of_knowledge):
    edit_yaml(copy_of_knowledge, "questions.yaml", lambda d: question(d, "hours_per_month").update(aliases=["rd"]))
    with pytest.raises(KnowledgeError, match="'rd' is used twice"):
        load(copy_of_knowledge)


def test_malformed_yaml(copy_of_knowledge):
    (copy_of_knowledge / "sources.yaml").write_text("seed: [unclosed\n", encoding="utf-8")
    with pytest.raises(KnowledgeError, match="sources.yaml"):
        load(copy_of_knowledge)


# --- the bot never recommends buying links ---------------------------------------------------------

_BUYING = re.compile(r"\b(buy|buys|buying|bought|purchas\w*|paid|pay|paying)\b", re.IGNORECASE)
# A mention of buying is fine only as a prohibition or a warning about it.
_PROHIBITION = re.compile(
    r"\b(never|not|no|nothing|don't|do not|must|breaks?|spam|against|sponsored|penalt\w*)\b", re.IGNORECASE
)


def _texts(node, where: str):
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _texts(value, f"{where}.{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _texts(value, f"{where}[{index}]")
    elif isinstance(node, str):
        yield where, node


def _sentences(text: str):
    return [s for s in re.split(r"(?<=[.;!?])\s+", text) if s.strip()]


def _units():
    """What must read as a prohibition on its own: a sentence of a text the user sees, or a whole
    source (its title and note together: "the cost of a paid link" is a citation, its note says why)."""
    for path in sorted(FOLDER.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if path.name == "sources.yaml":
            for source_id, source in data.items():
                yield f"sources.yaml.{source_id}", " ".join(text for _, text in _texts(source, source_id))
            continue
        for where, text in _texts(data, path.name):
            for sentence in _sentences(text):
                yield where, sentence


BUYING_MENTIONS = [(where, text) for where, text in _units() if _BUYING.search(text)]


def test_the_check_tells_a_recommendation_from_a_prohibition():
    recommendation = "Buy a few links from a reputable vendor each month."
    assert _BUYING.search(recommendation) and not _PROHIBITION.search(recommendation)
    assert _PROHIBITION.search("Never buy links that pass ranking credit.")


def test_the_check_sees_the_known_mentions():
    # If this drops to zero the scan is broken, not the knowledge clean.
    assert any(where.startswith("checklist.yaml") for where, _ in BUYING_MENTIONS)
    assert len(BUYING_MENTIONS) >= 4


@pytest.mark.parametrize(("where", "text"), BUYING_MENTIONS, ids=[where for where, _ in BUYING_MENTIONS])
def test_every_mention_of_buying_is_a_prohibition(where, text):
    assert _PROHIBITION.search(text), f"{where}: {text!r} mentions buying without prohibiting it"


def test_no_strategy_is_a_way_to_buy_links():
    for strategy_id, strategy in STRATEGIES.items():
        names = " ".join([strategy_id, strategy["label"], *strategy.get("aliases", [])])
        assert not _BUYING.search(names), strategy_id
        assert not re.search(r"sponsor(ed)? post|paid", names, re.IGNORECASE), strategy_id


def test_never_buy_is_in_every_plan():
    checklist = read("checklist.yaml")["checklist"]
    never_buy = next(item for item in checklist if item["id"] == "never_buy")
    assert never_buy["when"] == ["always"]
    assert never_buy["text"].lower().startswith("never buy")


def test_every_template_the_code_names_exists():
    """Template names are data keys; a typo would otherwise only fail when that reply is sent."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[3]
    source = "\n".join(p.read_text() for folder in ("bot", "adapters") for p in (root / folder).rglob("*.py"))
    # (a logger's `.info("...")` is not a template: skip calls chained on a call's result)
    named = set(re.findall(r'(?<!\)\.)\b(?:text|info|render)\(\s*"([a-z_.]+)"', source))
    named |= {f"plan.binding.{b}" for b in ("gap", "ahead", "safe_pace", "capacity")}
    named |= {f"plan.momentum.{b}" for b in ("recent", "earned", "none", "spike")}
    named |= {f"plan.reason.safe.{b}" for b in ("floor", "profile_size", "recent_pace", "authority", "foundation")}
    assert len(named) > 30
    templates = load().templates
    missing = sorted(n for n in named if n not in templates)
    assert missing == []


def test_an_export_format_recognised_by_rows_needs_known_cell_kinds(copy_of_knowledge):
    def change(data):
        data["search_console_latest_links"]["by_rows"][1]["holds"] = "timestamp"

    edit_yaml(copy_of_knowledge, "export_formats.yaml", change)
    with pytest.raises(KnowledgeError) as refused:
        export_formats.load(copy_of_knowledge)
    assert str(refused.value) == (
        "knowledge/export_formats.yaml: search_console_latest_links: by_rows.1.holds: "
        "Input should be 'url', 'domain', 'count' or 'date' (got 'timestamp')"
    )


def test_an_export_format_needs_a_url_or_a_domain_column(copy_of_knowledge):
    def change(data):
        data["ahrefs_backlinks"]["columns"].pop("url")

    edit_yaml(copy_of_knowledge, "export_formats.yaml", change)
    with pytest.raises(
        KnowledgeError, match=r"^knowledge/export_formats\.yaml: ahrefs_backlinks: needs a url or a domain column$"
    ):
        export_formats.load(copy_of_knowledge)


# --- a broken entry is refused naming its file, its entry and its field ------------------------------


def test_a_broken_entry_names_its_file_entry_and_field(copy_of_knowledge):
    edit_yaml(copy_of_knowledge, "strategies.yaml", lambda d: d["guest_posting"]["hours_per_link"].update(value="six"))
    with pytest.raises(KnowledgeError) as refused:
        load(copy_of_knowledge)
    assert str(refused.value) == (
        "knowledge/strategies.yaml: guest_posting: hours_per_link.value: must be a number above 0 (got 'six')"
    )


def test_a_misspelt_key_is_refused_not_ignored(copy_of_knowledge):
    edit_yaml(copy_of_knowledge, "site_kinds.yaml", lambda d: next(iter(d.values())).update(second_source=["x"]))
    with pytest.raises(
        KnowledgeError, match=r"^knowledge/site_kinds\.yaml: \w+: second_source: Extra inputs are not permitted$"
    ):
        load(copy_of_knowledge)


def test_a_site_kind_naming_an_unknown_strategy(copy_of_knowledge):
    edit_yaml(
        copy_of_knowledge,
        "site_kinds.yaml",
        lambda d: next(iter(d.values())).update(second_sources=["carrier_pigeons"]),
    )
    with pytest.raises(
        KnowledgeError, match=r"^knowledge/site_kinds\.yaml: \w+: second_sources: unknown strategy 'carrier_pigeons'"
    ):
        load(copy_of_knowledge)
