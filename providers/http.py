"""What the providers' HTTP clients share."""

from __future__ import annotations

import datetime as dt
import email.utils


def retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (RFC 9110: a number of seconds, or an HTTP date)."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - dt.datetime.now(dt.UTC)).total_seconds())
