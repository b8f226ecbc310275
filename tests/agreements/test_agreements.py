"""The cooperation agreement (C2.8, C4.11, C4.12): versions, the owner's signature bound to the exact text, the
operator's countersignature and term, the two-month notice of a new version, and who has not signed."""

from datetime import date, timedelta

import pytest

from app.core.errors import Conflict, Forbidden, RuleViolation
from app.core.timeutil import freeze, today
from app.modules.agreements import operations as agreements
from app.modules.agreements.rules import add_months, is_outdated, term_from, text_digest
from app.modules.production import operations as production
from tests.journeys import AGREEMENT_TEXT, channel_in_testing, live_channel, published_agreement, signed_agreement


def test_c4_11_a_term_is_one_year_by_default():
    assert term_from(date(2026, 12, 1), 12) == (date(2026, 12, 1), date(2027, 11, 30))
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2027, 11, 30), 2) == date(2028, 1, 30)


def test_c2_8_the_owner_signs_who_when_and_the_digest_of_the_exact_text(world):
    channel = channel_in_testing(world)
    version = published_agreement(world)
    assert version.sha256 == text_digest(AGREEMENT_TEXT)
    agreement = agreements.sign(world.company_a, channel, version.id, version.sha256, True)
    assert agreement.signed_by_id == world.company_a.id and agreement.signed_at is not None
    assert agreement.text_sha256 == version.sha256 and not agreement.countersigned


def test_c2_8_signing_needs_the_explicit_confirmation_and_the_same_text(world):
    channel = channel_in_testing(world)
    version = published_agreement(world)
    with pytest.raises(RuleViolation):
        agreements.sign(world.company_a, channel, version.id, version.sha256, False)
    with pytest.raises(Conflict) as exc:
        agreements.sign(world.company_a, channel, version.id, text_digest(AGREEMENT_TEXT + " "), True)
    assert exc.value.code == "text_mismatch"


def test_only_the_owner_signs_and_only_once(world):
    channel = channel_in_testing(world)
    version = published_agreement(world)
    with pytest.raises(Forbidden):
        agreements.sign(world.company_b, channel, version.id, version.sha256, True)
    agreements.sign(world.company_a, channel, version.id, version.sha256, True)
    with pytest.raises(Conflict) as exc:
        agreements.sign(world.company_a, channel, version.id, version.sha256, True)
    assert exc.value.code == "already_signed"


def test_c2_8_hrss_and_government_channels_do_not_sign(world):
    channel = channel_in_testing(world, category="government", social=None)
    version = published_agreement(world)
    with pytest.raises(Conflict) as exc:
        agreements.sign(world.company_a, channel, version.id, version.sha256, True)
    assert exc.value.code == "C2.8"
    assert agreements.agreement_complete(channel)


def test_c4_11_countersignature_starts_the_term(world):
    channel = channel_in_testing(world)
    agreement = signed_agreement(world, channel)
    assert agreement.countersigned and agreement.countersigner_name == world.operator.display_name
    assert (agreement.term_start, agreement.term_end) == term_from(today(), 12)
    assert agreements.agreement_complete(channel)
    with pytest.raises(Conflict):
        agreements.countersign(world.operator, agreement.id)


def test_only_the_operator_countersigns(world):
    channel = channel_in_testing(world)
    version = published_agreement(world)
    agreement = agreements.sign(world.company_a, channel, version.id, version.sha256, True)
    with pytest.raises(Forbidden):
        agreements.countersign(world.national, agreement.id)


def test_c4_12_a_new_version_is_announced_two_months_ahead(world):
    published_agreement(world)
    with pytest.raises(RuleViolation) as exc:
        agreements.publish_version(world.operator, "2027.1", "", AGREEMENT_TEXT + "\n第二条", add_months(today(), 1))
    assert exc.value.code == "C4.12"
    version = agreements.publish_version(
        world.operator, "2027.1", "", AGREEMENT_TEXT + "\n第二条", add_months(today(), 2)
    )
    assert version.announced_at is not None


def test_c4_12_every_live_channel_must_sign_the_new_version_and_the_operator_sees_who_has_not(world):
    channel, _issued = live_channel(world)
    new = agreements.publish_version(world.operator, "2027.1", "", AGREEMENT_TEXT + "\n第二条", add_months(today(), 2))
    states = {s.channel.id: s.state for s in agreements.signing_states(new)}
    assert states == {channel.id: "unsigned"}
    agreement = agreements.sign(world.company_a, channel, new.id, new.sha256, True)
    assert {s.channel.id: s.state for s in agreements.signing_states(new)} == {channel.id: "signed"}
    agreement = agreements.countersign(world.operator, agreement.id)
    assert {s.channel.id: s.state for s in agreements.signing_states(new)} == {channel.id: "countersigned"}
    first = agreements.agreements_of(channel)[-1]
    assert (agreement.term_start, agreement.term_end) == (first.term_start, first.term_end)


def test_c4_12_the_owner_is_told_of_a_new_version(world):
    from app.extensions import db
    from app.modules.messaging.operations import inbox_query

    live_channel(world)
    agreements.publish_version(world.operator, "2027.1", "", AGREEMENT_TEXT + "\n第二条", add_months(today(), 2))
    subjects = [m.subject for m in db.session.scalars(inbox_query(world.company_a))]
    assert any("2027.1" in s for s in subjects)


def test_c4_12_signing_an_outdated_version_is_refused(world):
    channel = channel_in_testing(world)
    old = published_agreement(world)
    new = agreements.publish_version(world.operator, "2027.1", "", AGREEMENT_TEXT + "\n第二条", add_months(today(), 2))
    freeze(date_time(add_months(today(), 2)))
    try:
        assert is_outdated(old, agreements.all_versions(), today())
        with pytest.raises(Conflict) as exc:
            agreements.sign(world.company_a, channel, old.id, old.sha256, True)
        assert exc.value.code == "outdated_version"
        agreements.sign(world.company_a, channel, new.id, new.sha256, True)
    finally:
        freeze(None)


def test_c2_8_after_a_new_version_applies_the_old_signature_no_longer_completes_go_live(world):
    channel = channel_in_testing(world)
    signed_agreement(world, channel)
    agreements.publish_version(world.operator, "2027.1", "", AGREEMENT_TEXT + "\n第二条", add_months(today(), 2))
    assert agreements.agreement_complete(channel)
    later = add_months(today(), 2) + timedelta(days=1)
    assert not agreements.agreement_complete(channel, later)


def test_versions_are_unique_and_ordered(world):
    published_agreement(world)
    with pytest.raises(Conflict):
        published_agreement(world)
    with pytest.raises(RuleViolation):
        agreements.publish_version(world.operator, "2025.9", "", "旧文本", today() - timedelta(days=10))


def test_the_production_check_uses_the_agreement(world):
    channel = channel_in_testing(world)
    assert not agreements.agreement_complete(channel)
    signed_agreement(world, channel)
    assert agreements.agreement_complete(channel)
    assert production.creation_refusal(world.company_a, channel) is None


def date_time(day: date):
    from datetime import datetime

    return datetime(day.year, day.month, day.day, 4, 0)
