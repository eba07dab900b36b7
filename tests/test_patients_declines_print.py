"""The conciliator's record of declined requests (issue 15 §9): the practice's identity,
the issue date from the application's clock (not the machine's), a signature space."""

from datetime import UTC, datetime

from tests import factories
from tests.conftest import page_text


def test_the_record_carries_identity_date_and_signature(frozen_now, sign_in, session, practice):
    practice.address = "12 rue des Tilleuls, 69003 Lyon"
    practice.phone = "04 78 00 00 00"
    patient = factories.make_patient(session, practice)
    b, secretary = sign_in("secretary", family_name="Dubois")
    text = page_text(b.get(f"/patients/{patient.id}/refus"))
    assert f"<strong>{practice.name}</strong>" in text
    assert "12 rue des Tilleuls, 69003 Lyon" in text and "Tél. 04 78 00 00 00" in text
    assert "Édité le 30/11/2026" in text
    assert f"Relevé établi le 30/11/2026 par {secretary.display_name} (secrétaire" in text
    assert "Signature et cachet de la structure" in text
    assert 'class="signature-space"' in text


def test_the_issue_date_is_the_practice_day_of_the_app_clock(
    frozen_now, sign_in, session, practice
):
    from umpro import db as umpro_db

    # 23:30 UTC on 31 December is already 1 January in Paris (the fixture resets the clock).
    umpro_db.frozen_at = datetime(2026, 12, 31, 23, 30, tzinfo=UTC)
    patient = factories.make_patient(session, practice)
    b, _ = sign_in("secretary")
    text = page_text(b.get(f"/patients/{patient.id}/refus"))
    assert "Édité le 01/01/2027" in text
