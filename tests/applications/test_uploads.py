"""Attachments: size limit, magic bytes against the declared type, no partial state (C7.1 attachments)."""

import io

import pytest
import sqlalchemy as sa

from app.core.errors import Conflict, RuleViolation
from app.extensions import db
from app.modules.applications import operations as ops
from app.modules.applications.models import Attachment
from tests.conftest import PDF, application_data, bearer, file_application, stored_files


@pytest.fixture
def draft(world):
    return ops.create_draft(world.company_a, application_data())


def _files(app):
    return stored_files()


def test_pdf_is_accepted_and_stored_under_a_generated_name(app, world, draft):
    attachment = ops.add_attachment(world.company_a, draft, "test_info_sheet", io.BytesIO(PDF), "../../etc/x.pdf")
    assert attachment.filename == "x.pdf" and attachment.stored_name in _files(app)
    assert len(attachment.sha256) == 64


def test_a_file_that_is_not_what_it_claims_is_refused(app, world, draft):
    with pytest.raises(RuleViolation) as exc:
        ops.add_attachment(world.company_a, draft, "test_info_sheet", io.BytesIO(b"MZ\x90\x00 binary"), "a.pdf")
    assert exc.value.code == "upload_mismatch"
    assert _files(app) == set() and db.session.scalar(sa.select(sa.func.count(Attachment.id))) == 0


def test_a_forbidden_type_is_refused(world, draft):
    with pytest.raises(RuleViolation) as exc:
        ops.add_attachment(world.company_a, draft, "other", io.BytesIO(b"#!/bin/sh"), "run.sh")
    assert exc.value.code == "upload_type"


def test_a_file_that_is_too_large_is_refused(app, world, draft):
    app.config["MAX_UPLOAD_BYTES"] = 1024
    try:
        with pytest.raises(RuleViolation) as exc:
            ops.add_attachment(world.company_a, draft, "other", io.BytesIO(PDF + b"0" * 2048), "big.pdf")
    finally:
        app.config["MAX_UPLOAD_BYTES"] = 10 * 1024 * 1024
    assert exc.value.status == 413 and _files(app) == set()


def test_no_upload_after_submission(app, world):
    submitted = file_application(world.company_a)
    with pytest.raises(Conflict):
        ops.add_attachment(world.company_a, submitted, "other", io.BytesIO(PDF), "late.pdf")
    assert len(_files(app)) == 1


def test_upload_through_the_api_checks_the_type(world, client, draft):
    response = client.post(
        f"/api/v1/applications/{draft.id}/attachments",
        headers=bearer(world.company_a),
        data={"kind": "other", "file": (io.BytesIO(b"not a png"), "a.png")},
    )
    assert response.status_code == 422 and response.json["error"]["code"] == "upload_mismatch"


def test_upload_larger_than_the_request_limit_is_413(app, world, client, draft):
    body = PDF + b"0" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    response = client.post(
        f"/api/v1/applications/{draft.id}/attachments",
        headers=bearer(world.company_a),
        data=body,
        content_type="multipart/form-data; boundary=x",
    )
    assert response.status_code == 413
