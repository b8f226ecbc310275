"""Region API: the GB/T 2260 provinces and prefecture-level cities."""

from marshmallow import Schema, fields

from app.core.http.api import api_bp, doc
from app.modules.regions.operations import all_regions


class RegionSchema(Schema):
    code = fields.String()
    level = fields.String()
    parent_code = fields.String(allow_none=True)
    name_zh = fields.String()
    name_en = fields.String()


class RegionListSchema(Schema):
    items = fields.List(fields.Nested(RegionSchema))


@api_bp.get("/regions")
@doc("GB/T 2260 provinces and prefecture-level cities", response_schema=RegionListSchema, tag="regions")
def list_regions():
    return {"items": RegionSchema(many=True).dump(all_regions())}
