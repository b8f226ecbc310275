"""Fuzzing (schemathesis): every operation of /api/v1/openapi.json, generated from the Marshmallow schemas, called as
every role (anonymous included) must never answer with a server error. FUZZ_EXAMPLES sets the examples per operation
and mode (small in `make test`, large in `make fuzz`). Each operation is its own test item.

schemathesis's own pytest plugin does not support pytest 9 yet, so its Hypothesis strategies are driven directly.
"""

import collections
import os
import shutil
import tempfile

import pytest
import schemathesis
from flask import g
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app import create_app
from app.core.enums import Role
from tests.conftest import bearer
from tests.journeys import MOV, MP4

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "4"))

# Recording uploads (C2.9) take raw video bodies: generate both valid MP4/QuickTime headers and arbitrary bytes.
_VIDEO = st.one_of(st.sampled_from([MP4, MOV]), st.binary(max_size=256))
schemathesis.openapi.media_type("video/mp4", _VIDEO)
schemathesis.openapi.media_type("video/quicktime", _VIDEO)
schemathesis.openapi.media_type("application/pdf", st.one_of(st.just(b"%PDF-1.4\n%%EOF"), st.binary(max_size=256)))
_CSV = b"channel_number,month,new_issuance,cumulative_issuance,monthly_active_users\nC1,2026-01,1,1,1\n"
schemathesis.openapi.media_type("text/csv", st.one_of(st.just(_CSV), st.binary(max_size=256)))
_ZIP = b"PK\x05\x06" + b"\x00" * 18  # an empty archive: refused for its missing channels.csv
schemathesis.openapi.media_type("application/zip", st.one_of(st.just(_ZIP), st.binary(max_size=256)))


def _operation_labels() -> list[str]:
    """The operations, read from a throw-away app's OpenAPI document at collection time."""
    scratch = tempfile.mkdtemp(prefix="essc-openapi-")
    app = create_app("testing", SQLALCHEMY_DATABASE_URI="sqlite://", KEYS_DIR=scratch, UPLOAD_FOLDER=scratch)
    document = app.test_client().get("/api/v1/openapi.json").json
    shutil.rmtree(scratch)
    return [f"{method.upper()} {path}" for path, ops in document["paths"].items() for method in ops]


@pytest.fixture
def role_headers(world):
    """One bearer token per role, and no token at all."""
    users = {
        Role.company: world.company_a,
        Role.municipal_reviewer: world.jinan,
        Role.provincial_reviewer: world.shandong,
        Role.national_reviewer: world.national,
        Role.operator: world.operator,
        Role.admin: world.admin,
        Role.auditor: world.auditor,
    }
    return {"anonymous": {}} | {role.value: bearer(user) for role, user in users.items()}


@pytest.mark.parametrize("label", _operation_labels())
def test_no_operation_answers_with_a_server_error(app, role_headers, label):
    api = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operation = api.find_operation_by_label(label)
    failures, calls = [], []

    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck)
    )
    def run(case):
        generated = {k: v for k, v in (case.headers or {}).items() if k.lower() != "authorization"}
        for role, headers in role_headers.items():
            case.headers = generated | headers
            g.pop("_login_user", None)  # the test holds the app context open: authenticate each call afresh
            response = case.call()
            calls.append(response.status_code)
            if response.status_code >= 500:
                failures.append((role, case.method, case.formatted_path, case.body, response.text[:300]))

    run()
    assert failures == []
    assert len(calls) >= len(role_headers)  # the operation really was exercised
    print("STATUS", label, sorted(collections.Counter(calls).items()))
