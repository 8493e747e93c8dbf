"""`import`: a backlink export in, a link profile out — which fills the questionnaire and counts
new referring domains as progress.

The file arrives as a local path the adapter provides (the terminal's own path, a Slack file or a
Discord attachment downloaded to a temporary file). Nothing is stored unless the whole file was
read: the draft's answers and the progress go in one transaction.
"""

from __future__ import annotations

import asyncio
import re
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.conversation import views
from bot.conversation.questionnaire import Draft, suggest
from bot.conversation.validators.domains import registrable_domain
from bot.core.feature import Plugs, Request
from bot.core.replies import Bullets, Button, Buttons, Form, Heading, Paragraph, Reply, text
from bot.exports import ExportError, Profile, read_profile
from bot.exports import formats as export_formats
from bot.exports.profile import compared_domain
from bot.monthly.progress import sparkline
from bot.monthly.progress_store import ProgressStore
from bot.monthly.schedule import month_key

if TYPE_CHECKING:
    from bot.exports.read import Format
    from bot.planning.knowledge import Knowledge
    from bot.storage.store import Store


def import_target(argument: str) -> tuple[str | None, bool]:
    """The file an `import …` line names (home folder expanded), and whether it is a competitor's.

    Quoted paths and escaped spaces are read as a shell would; a path typed with spaces and no quotes
    (`~/Downloads/Latest links.csv`) or with backslashes (a Windows path) is taken as typed when
    such a file exists."""
    competitor = bool(re.search(r"(^|\s)competitor(\s|$)", argument, re.IGNORECASE))
    rest = re.sub(r"^\s*competitor\s+|\s+competitor\s*$", "", argument, flags=re.IGNORECASE).strip()
    if rest.lower() == "competitor":
        rest = ""
    try:
        parts = shlex.split(rest)
    except ValueError:  # an unbalanced quote
        parts = []
    candidates = [_expanded(c) for c in (" ".join(parts), rest.strip("\"'")) if c]
    for candidate in candidates:
        if _exists(candidate):
            return str(candidate), competitor
    return (str(candidates[0]) if candidates else None), competitor


def _expanded(typed: str) -> Path:
    try:
        return Path(typed).expanduser()
    except RuntimeError:  # `~someone` with no such user: the path as typed
        return Path(typed)


def _exists(path: Path) -> bool:
    """Whether a file is there; False for what no file system holds (a name too long, a NUL)."""
    try:
        return path.exists()
    except (OSError, ValueError):
        return False


def merge_competitors(
    known: list[dict[str, Any]], found: dict[str | None, int], *, keep_larger: bool, paces: dict[str, int] | None = None
) -> str:
    """The competitors answer with `found` merged in by domain: a found count replaces the known one
    (or with `keep_larger`, only raises it); one without a domain is added. `paces`: new referring
    domains a month measured for some of them (an export's first-seen dates), which replace the
    known ones. The ten latest are kept."""
    merged: dict[str, dict[str, Any]] = {c.get("domain") or f"#{n}": dict(c) for n, c in enumerate(known)}
    for domain, count in found.items():
        key = domain or f"#{len(merged)}"
        entry = merged.setdefault(key, {"domain": domain, "referring_domains": 0})
        entry["referring_domains"] = max(count, entry["referring_domains"]) if keep_larger else count
        if paces and domain in paces:
            entry["monthly_new"] = paces[domain]
    items = []
    for key, c in merged.items():
        count = f"{c['referring_domains']}" + (f"+{c['monthly_new']}" if c.get("monthly_new") is not None else "")
        items.append(count if key.startswith("#") else f"{key}={count}")
    return ", ".join(items[-10:])


def profile_blocks(profile: Profile, summary: dict[str, Any], *, competitor: bool = False) -> tuple[Any, ...]:
    """What an import says about an export's link profile (the chat's reply, and `backlinks import`)."""
    months = summary["new_by_month"]
    anchors = summary["anchors"]
    total_anchors = sum(anchors.values()) if anchors else 0
    lines = [
        text("import.domains", live=summary["referring_domains"], lost=summary["lost_domains"]),
        text(
            "import.new",
            spark=sparkline(list(months.values())),
            counts=", ".join(str(n) for n in months.values()),
            first=next(iter(months)),
            last=next(reversed(months)),
            recent=summary["recent_monthly_rd"],
        )
        if months
        else text("import.undated", latest=summary["latest_seen"]),
    ]
    if summary["dofollow_share"] is not None:
        lines.append(text("import.dofollow", share=summary["dofollow_share"]))
    if total_anchors:
        mix = [(kind, n / total_anchors) for kind, n in anchors.items() if n]  # named by the template
        lines.append(text("import.anchors", mix=mix))
    if summary["top10_share"] is not None:
        lines.append(text("import.top10", share=summary["top10_share"]))
    if summary["spam_share"] is not None:
        lines.append(text("import.spam", share=summary["spam_share"]))
    blocks: list[Any] = [
        Heading(
            text("import.heading", site=summary["target_domain"] or "", format=profile.format, competitor=competitor)
        ),
        Bullets(None, tuple(lines)),
        Paragraph(text("import.rows", rows=profile.rows, skipped=profile.skipped)),
    ]
    return tuple(blocks)


def rivals_of(profile: Profile, own: str | None) -> dict[str, int]:
    """A Link Intersect's compared sites other than your own, with their referring domains."""
    return {name: n for name, n in profile.compared_counts().items() if compared_domain(name) != own}


def intersect_blocks(profile: Profile, own: str | None = None) -> tuple[Any, ...]:
    """What an import says about a Link Intersect export: the compared sites and shared prospects."""
    counts, rivals = profile.compared_counts(), rivals_of(profile, own)
    several, prospects = profile.shared_prospects(own)
    lines = [
        text("import.compared", counts=counts),
        text("import.shared", several=several, compared_mine=len(rivals) < len(counts)),
    ]
    if prospects:
        lines.append(text("import.prospects", domains=", ".join(prospects)))
    return (
        Heading(text("import.intersect_heading", sites=", ".join(rivals), format=profile.format)),
        Bullets(None, tuple(lines)),
        Paragraph(text("import.rows", rows=profile.rows, skipped=profile.skipped)),
        Paragraph(text("import.compared_caveat")),
    )


class Imports:
    def __init__(self, *, store: Store, knowledge: Knowledge, max_bytes: int, formats: Sequence[Format] = ()):
        self.store = store
        self.knowledge = knowledge
        self.max_bytes = max_bytes
        self.formats = tuple(formats) or export_formats.default()  # the exports it reads

    def plugs(self) -> Plugs:
        # An import fills months of progress.
        changes = frozenset({"import"})
        return Plugs(commands={"import": self.handle}, forms={"import": self.submitted}, changes=changes)

    async def submitted(self, request: Request, values: Mapping[str, str]) -> list[Reply]:
        """The import form: a file, and whose export it is."""
        argument = "competitor" if "competitor" in values.get("import_whose", "") else ""
        return await self.handle(replace(request, argument=argument, file=values.get("import_file") or None))

    async def handle(self, request: Request) -> list[Reply]:
        if request.file is None:
            if request.conversational:
                return [views.info("import.usage")]
            form = self.knowledge.import_form  # a platform with forms: a file input
            return [Reply("form", form=Form(tuple(q.id for q in form.questions), {}, name="import"), private=True)]
        competitor = "competitor" in request.argument.lower().split()
        plan = await self.store.current_plan(request.channel)
        session = await self.store.load_session(request.channel, request.user)
        draft = Draft.from_json(session.draft, session.version) if session.draft is not None else Draft()
        # What is known so far: the last plan, then the import's suggestions, then the user's answers.
        known = {**(plan.answers if plan else {}), **draft.suggested, **draft.answers}
        site = None if competitor else known.get("site")
        try:
            # Reading a big export is CPU work: off the event loop, so the bot keeps answering.
            profile = await asyncio.to_thread(
                read_profile, Path(request.file), self.formats, max_bytes=self.max_bytes, site=site
            )
        except ExportError as error:
            return [views.info("import.refused", reason=error.reason)]
        if profile.compared:  # a Link Intersect: the competitors, not this site's own profile
            return [await self._intersect(request, profile, draft, known)]
        this_month = month_key(self.store.clock(), "UTC")
        summary = profile.summary(this_month)
        own = registrable_domain(known["site"]) if known.get("site") else None
        if competitor and own and summary["target_domain"] == own:
            return [views.info("import.own_as_competitor", site=own)]
        filled = self._answers(summary, known, competitor)
        draft, errors = suggest(self.knowledge.questionnaire, draft, filled)
        progress: dict[str, list[str]] = {}
        nofollow: set[str] = set()
        spam = 0
        if not competitor and plan is not None:
            since = month_key(plan.created_at, "UTC")
            for domain, entry in profile.domains.items():
                if not entry.first_seen or f"{entry.first_seen:%Y-%m}" < since or entry.lost or domain == own:
                    continue
                if entry.spam:  # flagged by the tool: never progress
                    spam += 1
                    continue
                progress.setdefault(f"{entry.first_seen:%Y-%m}", []).append(domain)
                if entry.nofollow:
                    nofollow.add(domain)
        counted = await ProgressStore.on(self.store).save_import(
            request.channel, request.user, draft.to_json() if filled else None, draft.version, progress, nofollow
        )
        reply = self._reply(profile, summary, filled, errors, counted, competitor)
        if spam:
            reply = views.with_note(reply, text("import.spam_not_counted", spam=spam))
        return [reply]

    async def _intersect(self, request: Request, profile: Profile, draft: Draft, known: dict[str, Any]) -> Reply:
        own = registrable_domain(known["site"]) if known.get("site") else None
        rivals = rivals_of(profile, own)
        # An intersect can only undercount a competitor: a larger count already known for it stays.
        found = {name.split("/", 1)[0]: n for name, n in rivals.items()}
        filled = {"competitors": merge_competitors(known.get("competitors") or [], found, keep_larger=True)}
        draft, errors = suggest(self.knowledge.questionnaire, draft, filled)
        await ProgressStore.on(self.store).save_import(
            request.channel, request.user, draft.to_json(), draft.version, {}
        )
        blocks = list(intersect_blocks(profile, own))
        if not errors:
            blocks.append(Paragraph(text("import.filled", answers=filled, competitor=True)))
        for name, reason in errors.items():
            blocks.append(Paragraph(text("plan.inline_invalid", name=self._label(name), reason=reason)))
        blocks.append(Buttons((Button("replan", text("button.plan_with_these")),)))
        return Reply("info", tuple(blocks))

    def _name(self, question_id: str) -> str:
        return self.knowledge.questionnaire.question(question_id).name

    def _label(self, question_id: str) -> str:
        return self.knowledge.questionnaire.question(question_id).label

    @staticmethod
    def _answers(summary: dict[str, Any], known: dict[str, Any], competitor: bool) -> dict[str, str]:
        if competitor:
            # A competitor's own pace (from first-seen dates) tells the plan how fast it moves.
            domain, pace = summary["target_domain"], summary["recent_monthly_rd"]
            found = {domain: summary["referring_domains"]}
            paces = {domain: pace} if domain and pace is not None else None
            merged = merge_competitors(known.get("competitors") or [], found, keep_larger=False, paces=paces)
            return {"competitors": merged}
        filled = {"referring_domains": str(summary["referring_domains"])}
        if summary["recent_monthly_rd"] is not None:
            filled["recent_monthly_rd"] = str(summary["recent_monthly_rd"])
        if summary["lost_domains"]:  # an export that marks lost links: what reclaiming can win back
            filled["lost_referring_domains"] = str(summary["lost_domains"])
        if summary.get("followed_domain_share") is not None:  # the exporters carry nofollow
            filled["followed_share"] = str(round(100 * summary["followed_domain_share"]))
        if summary["target_domain"] and "site" not in known:
            filled["site"] = summary["target_domain"]
        return filled

    def _reply(self, profile: Profile, summary, filled, errors, counted: dict[str, int], competitor: bool) -> Reply:
        blocks = list(profile_blocks(profile, summary, competitor=competitor))
        if filled and not errors:
            named = {self._name(qid): value for qid, value in filled.items()}  # people's words, not ids
            blocks.append(
                Paragraph(text("import.filled", answers=filled if competitor else named, competitor=competitor))
            )
        for name, reason in errors.items():
            blocks.append(Paragraph(text("plan.inline_invalid", name=self._label(name), reason=reason)))
        if counted:
            blocks.append(Paragraph(text("import.progress", months=counted)))
        blocks.append(Buttons((Button("replan", text("button.plan_with_these")),)))
        return Reply("info", tuple(blocks))
