"""Region look-ups used by intake routing (C2.3) and jurisdiction scoping (C1.4)."""

import sqlalchemy as sa

from app.core.errors import RuleViolation
from app.extensions import db
from app.modules.regions.models import Region

# Mainland provinces consulted for a national-scope application (C2.3); Taiwan, Hong Kong and Macao are not.
NON_MAINLAND = ("710000", "810000", "820000")


def get_regions(codes: list[str], field: str = "regions") -> list[Region]:
    """The regions for `codes`, or a RuleViolation naming every unknown code (C2.3)."""
    codes = list(dict.fromkeys(codes))
    found = {r.code: r for r in db.session.scalars(sa.select(Region).where(Region.code.in_(codes)))}
    unknown = [c for c in codes if c not in found]
    if unknown:
        listed = ", ".join(unknown)
        raise RuleViolation(
            f"未知的地区代码：{listed}（须为 GB/T 2260 省级或地市级代码）",
            f"Unknown region code(s): {listed} (must be GB/T 2260 province or city codes)",
            code="unknown_region",
            fields={field: [f"unknown: {listed}"]},
        )
    return [found[c] for c in codes]


def mainland_provinces() -> list[Region]:
    query = sa.select(Region).where(Region.level == "province", Region.code.not_in(NON_MAINLAND))
    return list(db.session.scalars(query.order_by(Region.code)))


def all_regions() -> list[Region]:
    return list(db.session.scalars(sa.select(Region).order_by(Region.code)))


def region_choices(locale: str = "zh") -> list[tuple[str, str]]:
    """A jurisdiction picked by name, not typed as a code: every province, each followed by its cities
    ("山东省", "山东省 · 济南市", …), for select fields; the empty choice first."""
    regions = all_regions()
    names = {r.code: r.name(locale) for r in regions}
    choices = [("", "-")]
    for province in (r for r in regions if r.is_province):
        choices.append((province.code, names[province.code]))
        choices += [
            (r.code, f"{names[province.code]} · {r.name(locale)}") for r in regions if r.parent_code == province.code
        ]
    return choices
