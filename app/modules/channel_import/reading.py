"""Reading an import archive (issue 16): a ZIP of UTF-8 CSV files, one per kind of record. Every problem is collected as
(file, line, field, reason) — nothing is written from a file that has any.

    organisations.csv    uscc, name, category, registered_address, registration_date
    channels.csv         channel_number, legacy_number, name, owner_uscc, category, form, access_mode, level,
                         parent_number, same_subject, regions, services, status, live_since,
                         contact_name, contact_phone, contact_email, committed_annual_issuance, committed_mau
    agreements.csv       channel_number, version, signer_name, signed_on, countersigner_name, countersigned_on,
                         term_start, term_end
    security_reports.csv channel_number, institution, test_date, version_tested, covers_spec, result, findings
    figures.csv          channel_number, month, new_issuance, cumulative_issuance, monthly_active_users

Only channels.csv is required. Lists (regions, services) are separated by `;`; yes/no columns take yes/no, 是/否,
true/false or 1/0; dates are YYYY-MM-DD, months YYYY-MM.
"""

import csv
import io
import zipfile
import zlib
from dataclasses import dataclass
from datetime import date

SHEETS = {
    "organisations.csv": ("uscc", "name", "category"),
    "channels.csv": (
        "channel_number",
        "name",
        "owner_uscc",
        "form",
        "access_mode",
        "level",
        "regions",
        "services",
        "status",
    ),
    "agreements.csv": ("channel_number", "version", "signer_name", "signed_on", "countersigned_on", "term_end"),
    "security_reports.csv": ("channel_number", "institution", "test_date", "result"),
    "figures.csv": ("channel_number", "month", "new_issuance", "cumulative_issuance", "monthly_active_users"),
}
MAX_ARCHIVE_MEMBERS = len(SHEETS)
MAX_SHEET_BYTES = 64 * 1024 * 1024  # a file inside the archive, unpacked (a ZIP bomb is refused before reading)
MAX_ROWS = 200_000
YES = {"yes", "是", "true", "1", "y"}
NO = {"no", "否", "false", "0", "n", ""}


@dataclass(frozen=True)
class Problem:
    sheet: str
    line: int
    field: str
    en: str
    zh: str

    def as_dict(self) -> dict:
        return {"file": self.sheet, "line": self.line, "field": self.field, "reason": self.en, "zh": self.zh}


class Rows(list):
    """The rows of one file: (line, {column: stripped text})."""


def _problem(field: str, en: str, zh: str, sheet: str = "", line: int = 1) -> Problem:
    return Problem(sheet or "file", line, field, en, zh)


def read_archive(data: bytes) -> tuple[dict[str, Rows], list[Problem]]:
    """{file name: rows} of the archive, and the problems of its form (not a ZIP, unknown or missing files, columns)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = [m for m in archive.infolist() if not m.is_dir()]
    except (zipfile.BadZipFile, ValueError):
        return {}, [_problem("file", "not a ZIP archive of CSV files", "文件须为包含 CSV 文件的 ZIP 压缩包")]
    problems = [
        _problem("file", f"unknown file {m.filename}", f"压缩包中有未知文件 {m.filename}")
        for m in members
        if m.filename.rsplit("/", 1)[-1] not in SHEETS
    ]
    sheets = {}
    for member in members:
        name = member.filename.rsplit("/", 1)[-1]
        if name not in SHEETS or len(members) > MAX_ARCHIVE_MEMBERS:
            continue
        if member.file_size > MAX_SHEET_BYTES:
            problems.append(_problem("file", "too large once unpacked", "解压后过大", name))
            continue
        try:
            raw = archive.read(member)
        except (zipfile.BadZipFile, RuntimeError, NotImplementedError, zlib.error, EOFError):
            problems.append(
                _problem(
                    "file",
                    "cannot be unpacked (damaged, encrypted or unsupported)",
                    "无法解压（文件损坏、加密或压缩方式不支持）",
                    name,
                )
            )
            continue
        rows, found = _read_sheet(name, raw)
        sheets[name] = rows
        problems += found
    if "channels.csv" not in sheets and not problems:
        problems.append(_problem("file", "channels.csv is missing", "缺少 channels.csv"))
    return sheets, problems


def _read_sheet(name: str, raw: bytes) -> tuple[Rows, list[Problem]]:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return Rows(), [_problem("file", "not UTF-8 text", "须为 UTF-8 编码", name)]
    if "\x00" in text:
        return Rows(), [_problem("file", "contains a NUL character", "含有空字符（U+0000）", name)]
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in SHEETS[name] if c not in (reader.fieldnames or [])]
    if missing:
        return Rows(), [_problem(c, "missing column", "缺少此列", name) for c in missing]
    rows = Rows()
    try:
        for raw_row in reader:
            rows.append((reader.line_num, {k: (v or "").strip() for k, v in raw_row.items() if k}))
            if len(rows) > MAX_ROWS:
                return Rows(), [_problem("file", f"more than {MAX_ROWS} rows", "行数过多", name)]
    except csv.Error as exc:
        return Rows(), [_problem("file", f"not a CSV file: {exc}", "不是有效的 CSV 文件", name, reader.line_num)]
    return rows, []


def parse_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        return None


def parse_bool(text: str) -> bool | None:
    lowered = text.lower()
    return True if lowered in YES else False if lowered in NO else None


def parse_count(text: str) -> int | None:
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 15 else None


def split_list(text: str) -> list[str]:
    return [part.strip() for part in text.replace("；", ";").split(";") if part.strip()]
