"""Where the platforms' API specs are for the stand-ins, and what was checked without them.

The stand-ins always check the limits the bot keeps to (adapters/slack/limits.py,
adapters/discord/limits.py). On top of that they validate each request body against the platform's
own spec — Discord's OpenAPI document, Slack's Web API method spec — when the spec is there. A clone
on its own (a user's machine) has none, and its tests must pass all the same: there the whole-spec
validation is skipped, and the end of the run says so (tests/conftest.py, pytest_terminal_summary).

Where a spec is looked for, first match wins:
- ``BACKLINKS_PLATFORM_SPECS=none``: nowhere (how CI runs the suite as a lonely clone would);
- ``BACKLINKS_DISCORD_SPEC`` / ``BACKLINKS_SLACK_SPEC``: that file;
- ``BACKLINKS_PLATFORM_SPECS``: that folder, holding the files under their usual names;
- ``../shared/specs/`` beside the repository (where the team keeps them).
A path that does not exist counts as absent: skipped and said at the end, never an error.
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_FOLDER = ROOT.parent / "shared" / "specs"
FILES = {"discord": "discord-openapi.json", "slack": "slack-web-openapi-v2.json"}
VARIABLES = {"discord": "BACKLINKS_DISCORD_SPEC", "slack": "BACKLINKS_SLACK_SPEC"}
FOLDER_VARIABLE = "BACKLINKS_PLATFORM_SPECS"
HIDDEN = "none"

# Request bodies a stand-in checked against the recorded limits only, its platform's spec being
# absent, by platform. Counted in this process; the workers of a parallel run (pytest-xdist) hand
# theirs to the main process at the end (tests/conftest.py). A stand-in started in another process
# (a benchmark, or a test that runs one in a subprocess) counts there and is not in the summary.
limits_only: Counter[str] = Counter()


def wanted(platform: str) -> Path | None:
    """Where this platform's spec should be; None when hidden on purpose."""
    folder = os.environ.get(FOLDER_VARIABLE, "")
    if folder.strip().lower() == HIDDEN:
        return None
    if explicit := os.environ.get(VARIABLES[platform]):
        return Path(explicit)
    return Path(folder) / FILES[platform] if folder else DEFAULT_FOLDER / FILES[platform]


def spec_path(platform: str) -> Path | None:
    """The spec file to validate against, or None when it is absent (hidden, or not where looked)."""
    path = wanted(platform)
    return path if path is not None and path.is_file() else None


def summary() -> str | None:
    """The line for the end of the run when bodies went unchecked by a spec; None when none did."""
    missing = {p: wanted(p) for p in FILES if spec_path(p) is None}
    counted = sum(limits_only[p] for p in missing)
    if not counted:
        return None
    looked = [str(path) for path in missing.values() if path is not None]
    where = ", ".join(looked) if looked else f"hidden by {FOLDER_VARIABLE}={HIDDEN}"
    names = " and ".join(p.capitalize() for p in missing)
    by_platform = ", ".join(f"{p.capitalize()} {limits_only[p]:,}" for p in missing if limits_only[p])
    specs = "specs" if len(missing) > 1 else "spec"
    hint = f"; {FOLDER_VARIABLE} names the folder that holds them" if looked else ""
    bodies, were = ("request body", "was") if counted == 1 else ("request bodies", "were")
    return (
        f"platform specs not found ({where}): {counted:,} {bodies} ({by_platform}) {were} checked "
        f"against the recorded limits only, not against the full {names} API {specs}{hint}"
    )


def absent(platform: str, why: str = "this test is about what the spec refuses, not the recorded limits") -> str:
    """Why a test that needs this platform's spec is skipped here."""
    return f"{platform.capitalize()}'s API spec is absent ({wanted(platform) or f'{FOLDER_VARIABLE}={HIDDEN}'}): {why}"


def needs(platform: str, why: str = "this test is about what the spec refuses, not the recorded limits"):
    """Marks a test of what only the platform's spec refuses (or states): skipped, saying why, without it."""
    import pytest

    return pytest.mark.skipif(spec_path(platform) is None, reason=absent(platform, why))


# The two ways a stand-in checks: with its platform's spec (as on the team's machines and in CI), and
# with the recorded limits only (as on a clone alone). A limit test runs both ways in one run.
MODES = ("with the spec", "limits only")


def check_mode(mode: str, platform: str, monkeypatch) -> str:
    """Set up one of MODES for a test (a fixture parametrized by MODES calls this)."""
    import pytest

    if mode == "limits only":
        monkeypatch.setenv(FOLDER_VARIABLE, HIDDEN)  # read on every request: the stand-in follows at once
    elif spec_path(platform) is None:
        pytest.skip(absent(platform, "the same test runs with the recorded limits only"))
    return mode
