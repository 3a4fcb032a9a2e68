"""Hours of operation as Amazon Connect models them, for CheckHoursOfOperation in the local engine.

The file (TOML, ``contact_flows/hours_of_operation.toml`` by default, or ``VCE_HOURS_OF_OPERATION_FILE``) uses
Connect's own field names (DescribeHoursOfOperation: ``Name``, ``TimeZone``, ``Config`` with ``Day``,
``StartTime`` and ``EndTime``) plus the queues that use each one:

    [[HoursOfOperation]]
    Name = "Office hours"
    TimeZone = "Europe/London"
    Queues = ["BasicQueue"]
    Config = [
      { Day = "MONDAY", StartTime = "09:00", EndTime = "17:00" },
    ]

As in Connect, a day's hours are local to the time zone (so daylight saving time moves them with the clock), an
end time at or before the start time runs past midnight into the next day, and 00:00 to 00:00 is the whole day.
A queue without hours is always open, like Connect's default "Basic Hours" (24/7).
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from backend.domain.errors import InvalidInput

DAYS = ('MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY', 'SUNDAY')
_MINUTES_PER_DAY = 24 * 60


@dataclass(frozen=True, slots=True)
class OpenSpan:
    """One Config entry: from ``start`` to ``end`` minutes after the local midnight of ``day`` (0 = Monday)."""

    day: int
    start: int
    end: int

    def covers(self, weekday: int, minute: int) -> bool:
        end = self.end if self.end > self.start else self.end + _MINUTES_PER_DAY
        if weekday == self.day:
            return self.start <= minute < end
        # a span past midnight also covers the early minutes of the next day
        return (self.day + 1) % 7 == weekday and minute + _MINUTES_PER_DAY < end


@dataclass(frozen=True, slots=True)
class HoursOfOperation:
    name: str
    time_zone: ZoneInfo
    spans: tuple[OpenSpan, ...]
    hours_id: str = ''

    def is_open(self, instant: float) -> bool:
        """Whether the hours are open at ``instant`` (a UNIX time), read in the hours' own time zone."""
        local = dt.datetime.fromtimestamp(instant, self.time_zone)
        minute = local.hour * 60 + local.minute
        return any(span.covers(local.weekday(), minute) for span in self.spans)


@dataclass(frozen=True, slots=True)
class HoursCalendar:
    """Every configured hours of operation, found by name or id (or an ARN ending in either), and each queue's."""

    hours: tuple[HoursOfOperation, ...] = ()
    queues: Mapping[str, str] = field(default_factory=dict)

    def find(self, ref: str) -> HoursOfOperation | None:
        key = ref.rstrip('/').rsplit('/', 1)[-1]
        return next((hours for hours in self.hours if key in (hours.name, hours.hours_id)), None)

    def for_queue(self, queue: str) -> HoursOfOperation | None:
        name = self.queues.get(queue.rstrip('/').rsplit('/', 1)[-1])
        return self.find(name) if name else None


def _minutes(value: object, where: str) -> int:
    text = str(value)
    try:
        hours, minutes = (int(part) for part in text.split(':'))
    except ValueError:
        raise InvalidInput(f'{where}: time {text!r} is not HH:MM') from None
    if not (0 <= hours <= 24 and 0 <= minutes < 60) or hours * 60 + minutes > _MINUTES_PER_DAY:
        raise InvalidInput(f'{where}: time {text!r} is not HH:MM within a day')
    return hours * 60 + minutes


def _hours(entry: Mapping[str, Any], index: int) -> tuple[HoursOfOperation, list[str]]:
    where = f'HoursOfOperation[{index}]'
    name = entry.get('Name')
    if not isinstance(name, str) or not name:
        raise InvalidInput(f'{where}: Name is missing')
    try:
        zone = ZoneInfo(str(entry.get('TimeZone', '')))
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(f'{where} ({name}): TimeZone {entry.get("TimeZone")!r} is not an IANA time zone') from None
    spans = []
    for config in entry.get('Config', []):
        day = str(config.get('Day', '')).upper()
        if day not in DAYS:
            raise InvalidInput(f'{where} ({name}): Day {config.get("Day")!r} is not one of {", ".join(DAYS)}')
        start, end = _minutes(config.get('StartTime'), where), _minutes(config.get('EndTime'), where)
        spans.append(OpenSpan(DAYS.index(day), start, end))
    queues = entry.get('Queues', [])
    if not isinstance(queues, list) or not all(isinstance(queue, str) for queue in queues):
        raise InvalidInput(f'{where} ({name}): Queues must be a list of queue names')
    return HoursOfOperation(name, zone, tuple(spans), str(entry.get('Id', ''))), queues


def hours_from_config(entries: Iterable[Mapping[str, Any]]) -> HoursCalendar:
    """The calendar from parsed ``HoursOfOperation`` entries; InvalidInput names the first bad value."""
    hours, queues = [], {}
    for index, entry in enumerate(entries):
        item, names = _hours(entry, index)
        hours.append(item)
        queues.update({queue: item.name for queue in names})
    return HoursCalendar(tuple(hours), queues)


def load_hours(text: str) -> HoursCalendar:
    """Parse the TOML file's text."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise InvalidInput(f'hours of operation: {error}') from None
    return hours_from_config(data.get('HoursOfOperation', []))
