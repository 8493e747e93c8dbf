"""What a running bot counts, for Prometheus (served at /metrics by bot/status/pages.py).

Each process counts its own: a web and a worker process are two scrape targets (README, Deploying:
Metrics). The counters are bumped at a few central points (the engine's router, the intake, the
plan store, the check-in sender, the lookups, the chart); the gauges of shared state (the inbox,
the deployment key's budget) are read from the database when /metrics is asked for (bot/status/).

prometheus-client is a core dependency: pure Python, no dependencies of its own, about 8 ms to
import after the engine; so the counting is the same in the terminal as in `serve` with no
"is it installed" branches.
"""

from __future__ import annotations

from prometheus_client import Counter, Histogram

REQUESTS = Counter(
    "backlinks_requests",
    "Events the engine handled (commands, answers, forms, buttons), by platform and command.",
    ["platform", "command"],
)
REQUEST_SECONDS = Histogram(
    "backlinks_request_seconds", "Time the engine took to answer an event, by platform.", ["platform"]
)
SUBMISSIONS = Counter(
    "backlinks_submissions",
    "Form submissions taken in before their ack (accepted) or answered 'busy, try again' (refused).",
    ["platform", "outcome"],
)
PLANS_STORED = Counter("backlinks_plans_stored", "Plans stored (a finished questionnaire or form).")
CHECKINS = Counter(
    "backlinks_checkins",
    "Monthly check-ins the reminder loop handled, by platform and outcome (sent, failed, retry, paused, no_plan).",
    ["platform", "outcome"],
)
LOOKUPS = Counter(
    "backlinks_lookups",
    "Domains looked up at a backlink data provider, by provider and outcome (answered, failed).",
    ["provider", "outcome"],
)
CHART_SECONDS = Histogram(
    "backlinks_chart_seconds",
    "Time from asking for a progress chart to having its PNG (queueing in the drawing processes included).",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
)
