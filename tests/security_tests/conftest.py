"""Shared by the security-testing tests: a fully qualified institution (C5.4) and a channel in integration testing."""

from datetime import date

import pytest

from app.modules.key_issuance.operations import complete_test_intake
from app.modules.security_tests import operations as ops
from app.modules.security_tests.models import QUALIFICATIONS
from tests.key_issuance.test_issue import approved_application


@pytest.fixture
def institution(world):
    inst = ops.create_institution(world.operator, "国家信息安全测评中心")
    for kind in QUALIFICATIONS:
        ops.set_qualification(world.operator, inst, kind, f"{kind.upper()}-001", date(2024, 1, 1), date(2028, 12, 31))
    return inst


@pytest.fixture
def channel(world):
    return complete_test_intake(world.operator, approved_application(world).id)[0].channel
