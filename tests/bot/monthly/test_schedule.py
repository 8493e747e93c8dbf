"""Due dates: month ends, leap years, DST in Europe/Berlin and America/New_York, skipping."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.monthly.schedule import (
    LAST,
    ReminderSettings,
    add_months,
    due_in_month,
    month_key,
    next_due,
    parse_day,
    parse_time,
    parse_timezone,
    skip_next,
)

UTC = dt.UTC


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("day", "month", "expected_day"),
    [
        (31, "2026-04", 30),  # the 31st in a 30-day month
        (31, "2026-05", 31),
        (30, "2027-02", 28),
        (29, "2027-02", 28),  # 29 February in a common year
        (29, "2028-02", 29),  # … and in a leap year
        (31, "2028-02", 29),
        (LAST, "2026-11", 30),
        (LAST, "2028-02", 29),
        (1, "2026-02", 1),
    ],
)
def test_days_29_to_31_fall_back_to_the_months_last_day(day, month, expected_day):
    due = due_in_month(ReminderSettings(day=day), month)
    assert (due.day, due.hour, due.minute) == (expected_day, 9, 0)


def test_the_local_clock_time_holds_across_dst_in_berlin():
    settings = ReminderSettings(day=1, time=dt.time(9, 0), timezone="Europe/Berlin")
    assert due_in_month(settings, "2026-03") == at(2026, 3, 1, 8, 0)  # CET, UTC+1
    assert due_in_month(settings, "2026-04") == at(2026, 4, 1, 7, 0)  # CEST, UTC+2
    assert due_in_month(settings, "2026-11") == at(2026, 11, 1, 8, 0)  # back to CET


def test_the_local_clock_time_holds_across_dst_in_new_york():
    settings = ReminderSettings(day=15, time=dt.time(9, 0), timezone="America/New_York")
    assert due_in_month(settings, "2026-02") == at(2026, 2, 15, 14, 0)  # EST, UTC-5
    assert due_in_month(settings, "2026-03") == at(2026, 3, 15, 13, 0)  # EDT from 8 March, UTC-4


def test_a_time_skipped_by_the_spring_change_happens_an_hour_later_on_the_clock():
    # 8 March 2026, New York: 02:00 jumps to 03:00, so 02:30 does not exist locally.
    settings = ReminderSettings(day=8, time=dt.time(2, 30), timezone="America/New_York")
    due = due_in_month(settings, "2026-03")
    assert due == at(2026, 3, 8, 7, 30)
    assert due.astimezone(dt.timezone(dt.timedelta(hours=-4))).hour == 3  # 03:30 EDT


def test_a_time_repeated_by_the_autumn_change_is_taken_the_first_time():
    # 25 October 2026, Berlin: 03:00 goes back to 02:00, so 02:30 happens twice.
    settings = ReminderSettings(day=25, time=dt.time(2, 30), timezone="Europe/Berlin")
    assert due_in_month(settings, "2026-10") == at(2026, 10, 25, 0, 30)  # the CEST one, UTC+2


def test_next_due_is_strictly_after_and_rolls_into_the_next_month():
    settings = ReminderSettings(day=1, time=dt.time(9, 0))
    assert next_due(settings, at(2026, 11, 23)) == at(2026, 12, 1, 9, 0)
    assert next_due(settings, at(2026, 12, 1, 9, 0)) == at(2027, 1, 1, 9, 0)  # not the same moment again
    assert next_due(settings, at(2026, 12, 1, 8, 59)) == at(2026, 12, 1, 9, 0)
    assert next_due(ReminderSettings(enabled=False), at(2026, 11, 23)) is None


def test_the_month_is_the_channels_own():
    # 1 December 00:30 in Berlin is still 30 November in UTC.
    moment = at(2026, 11, 30, 23, 30)
    assert month_key(moment, "Europe/Berlin") == "2026-12"
    assert month_key(moment, "UTC") == "2026-11"
    assert add_months("2026-12", 1) == "2027-01" and add_months("2027-01", -1) == "2026-12"


def test_skip_leaves_out_exactly_the_next_month():
    settings = ReminderSettings(day=1)
    skipped = skip_next(settings, at(2026, 11, 23))
    assert skipped.skip == "2026-12"
    assert next_due(skipped, at(2026, 11, 23)) == at(2027, 1, 1, 9, 0)
    assert next_due(skipped, at(2027, 1, 1, 9, 0)) == at(2027, 2, 1, 9, 0)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1", 1), ("31st", 31), ("2nd", 2), ("last", LAST), ("0", None), ("32", None), ("x", None)],
)
def test_parse_day(text, expected):
    assert parse_day(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("9:30", dt.time(9, 30)),
        ("18:05", dt.time(18, 5)),
        ("6pm", dt.time(18, 0)),
        ("12am", dt.time(0, 0)),
        ("9", dt.time(9, 0)),
        ("25:00", None),
        ("13pm", None),
        ("noon", None),
    ],
)
def test_parse_time(text, expected):
    assert parse_time(text) == expected


def test_parse_timezone_is_iana_and_forgiving_about_case():
    assert parse_timezone("Europe/Berlin") == "Europe/Berlin"
    assert parse_timezone("america/new_york") == "America/New_York"
    assert parse_timezone("Mars/Olympus") is None
    assert parse_timezone("../etc/passwd") is None


def test_settings_round_trip_through_json():
    settings = ReminderSettings(enabled=False, day=LAST, time=dt.time(18, 30), timezone="Asia/Tokyo", skip="2027-01")
    assert ReminderSettings.from_json(settings.to_json()) == settings
