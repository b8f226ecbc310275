"""GB/T 2260 provinces and prefecture-level cities (C2.3), loaded by migration from migrations/data."""

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db


class Region(db.Model):
    __tablename__ = "region"
    __table_args__ = (
        sa.CheckConstraint("level IN ('province', 'city')", name="level"),
        {"comment": "GB/T 2260 administrative divisions: provinces and prefecture-level cities."},
    )

    code: Mapped[str] = mapped_column(sa.String(6), primary_key=True, comment="GB/T 2260 code")
    level: Mapped[str] = mapped_column(sa.String(8))
    parent_code: Mapped[str | None] = mapped_column(sa.ForeignKey("region.code"), index=True)
    name_zh: Mapped[str] = mapped_column(sa.String(64))
    name_en: Mapped[str] = mapped_column(sa.String(64))

    @property
    def is_province(self) -> bool:
        return self.level == "province"

    @property
    def province_code(self) -> str:
        return self.code if self.is_province else self.parent_code

    def name(self, locale: str = "zh") -> str:
        return self.name_en if locale == "en" else self.name_zh
