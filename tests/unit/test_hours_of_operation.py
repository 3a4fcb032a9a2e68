"""Hours of operation read in their own time zone, across days, midnight and daylight saving time (fake instants)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from backend.domain.errors import InvalidInput
from backend.domain.hours_of_operation import load_hours

CONFIG = '''
[[HoursOfOperation]]
Name = "London office"
Id = "11111111-2222-3333-4444-555555555555"
TimeZone = "Europe/London"
Queues = ["BasicQueue"]
Config = [
  { Day = "MONDAY", StartTime = "09:00", EndTime = "17:00" },
  { Day = "TUESDAY", StartTime = "09:00", EndTime = "17:00" },
  { Day = "SATURDAY", StartTime = "00:00", EndTime = "00:00" },
]

[[HoursOfOperation]]
Name = "Night desk"
TimeZone = "America/New_York"
Config = [ { Day = "FRIDAY", StartTime = "22:00", EndTime = "06:00" } ]
'''
CALENDAR = load_hours(CONFIG)


def at(zone: str, *fields: int) -> float:
    return dt.datetime(*fields, tzinfo=ZoneInfo(zone)).timestamp()  # type: ignore[misc]


@pytest.mark.parametrize(
    ('when', 'is_open'),
    [
        (at('Europe/London', 2026, 1, 5, 9, 0), True),      # Monday 09:00 GMT
        (at('Europe/London', 2026, 1, 5, 8, 59), False),
        (at('Europe/London', 2026, 1, 5, 17, 0), False),    # the end time is not open
        (at('Europe/London', 2026, 1, 7, 12, 0), False),    # Wednesday: no hours
        (at('Europe/London', 2026, 1, 10, 23, 59), True),   # Saturday 00:00-00:00: the whole day
    ],
)
def test_office_hours_in_winter(when: float, is_open: bool) -> None:
    hours = CALENDAR.find('London office')
    assert hours is not None and hours.is_open(when) is is_open


def test_hours_are_read_in_their_own_time_zone() -> None:
    hours = CALENDAR.find('London office')
    assert hours is not None
    assert hours.is_open(at('Asia/Tokyo', 2026, 1, 5, 17, 30)) is False  # 08:30 in London
    assert hours.is_open(at('Asia/Tokyo', 2026, 1, 5, 18, 30)) is True   # 09:30 in London


def test_summer_time_moves_the_hours_with_the_local_clock() -> None:
    hours = CALENDAR.find('London office')
    assert hours is not None
    # 29 March 2026 is the first day of British Summer Time; the Monday after, 09:00 BST is 08:00 UTC
    assert hours.is_open(at('UTC', 2026, 3, 30, 8, 0)) is True
    assert hours.is_open(at('UTC', 2026, 3, 30, 7, 59)) is False
    # in winter 09:00 is 09:00 UTC
    assert hours.is_open(at('UTC', 2026, 3, 23, 8, 0)) is False


@pytest.mark.parametrize(
    ('when', 'is_open'),
    [
        (at('America/New_York', 2026, 3, 6, 21, 59), False),   # Friday before the night shift
        (at('America/New_York', 2026, 3, 6, 22, 0), True),
        (at('America/New_York', 2026, 3, 7, 5, 59), True),     # past midnight: Saturday morning
        (at('America/New_York', 2026, 3, 7, 6, 0), False),
        (at('America/New_York', 2026, 3, 8, 1, 0), False),     # the next night has no shift
    ],
)
def test_hours_past_midnight_run_into_the_next_day(when: float, is_open: bool) -> None:
    hours = CALENDAR.find('arn:aws:connect:us-east-1:1:instance/i/operating-hours/Night desk')
    assert hours is not None and hours.is_open(when) is is_open


def test_found_by_name_id_arn_and_queue() -> None:
    assert CALENDAR.find('11111111-2222-3333-4444-555555555555') is CALENDAR.find('London office')
    assert CALENDAR.for_queue('arn:aws:connect:r:1:instance/i/queue/BasicQueue') is CALENDAR.find('London office')
    assert CALENDAR.for_queue('OtherQueue') is None
    assert CALENDAR.find('Nope') is None


@pytest.mark.parametrize(
    ('text', 'problem'),
    [
        ('[[HoursOfOperation]]\nName = "x"\nTimeZone = "Mars/Olympus"', "TimeZone 'Mars/Olympus' is not an IANA"),
        ('[[HoursOfOperation]]\nName = "x"\nTimeZone = "UTC"\nConfig = [{Day = "FUNDAY", StartTime = "09:00", '
         'EndTime = "10:00"}]', "Day 'FUNDAY' is not one of"),
        ('[[HoursOfOperation]]\nName = "x"\nTimeZone = "UTC"\nConfig = [{Day = "MONDAY", StartTime = "9am", '
         'EndTime = "10:00"}]', "time '9am' is not HH:MM"),
        ('[[HoursOfOperation]\n', 'hours of operation:'),
    ],
)
def test_bad_files_say_what_is_wrong(text: str, problem: str) -> None:
    with pytest.raises(InvalidInput, match=problem):
        load_hours(text)
