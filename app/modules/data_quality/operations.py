"""S6, S5: the data-quality report read on the page and through the API, and its export (its own permission, logged
before the first line leaves)."""

import csv
import io
from collections.abc import Iterator

from app.core import audit
from app.core.errors import Forbidden
from app.core.permissions import P, may
from app.extensions import db
from app.modules.data_quality.measures import DOMAINS, MEASURES, Report, measure

EXPORT_HEADER = ["domain", "measure", "record", "problem", "问题"]


def report_for(user) -> Report:
    if not may(user, P.data_quality_read):
        raise Forbidden("无权查看数据质量", "You may not read the data-quality report")
    return measure()


def export_csv(user) -> Iterator[str]:
    if not may(user, P.data_quality_export):
        raise Forbidden("无权导出数据质量问题清单（S5）", "You may not export the data-quality findings (S5)")
    report = measure()
    audit.record(
        "data_quality.export",
        None,
        object_type="data_quality",
        object_id="csv",
        actor=user,
        after={"rows": len(report.findings)},
    )
    db.session.commit()
    return _lines(report)


def _lines(report: Report) -> Iterator[str]:
    yield "\ufeff" + _csv_line(EXPORT_HEADER)
    for f in report.findings:
        yield _csv_line([DOMAINS[f.domain][1], MEASURES[f.measure][1], f.record, f.detail[1], f.detail[0]])


def _csv_line(values) -> str:
    out = io.StringIO()
    csv.writer(out).writerow(values)
    return out.getvalue()
