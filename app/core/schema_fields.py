"""Marshmallow fields shared by every API schema.

Times (issue 13, ISO 8601): every timestamp in a response carries its offset — China time, `+08:00` — never a bare
local or UTC time. Timestamps sent to the API must carry an offset too (`fields.AwareDateTime`): a time without one
is refused with 422 naming the field, everywhere. Dates (YYYY-MM-DD) are China dates and carry no time.
"""

from marshmallow import fields

from app.core.timeutil import zoned


class ZonedDateTime(fields.DateTime):
    """A stored naive-UTC timestamp, written as ISO 8601 China time with its offset."""

    def _serialize(self, value, attr, obj, **kwargs):
        return super()._serialize(zoned(value), attr, obj, **kwargs)
