"""The reports demo: past consultations, a target, month-end snapshots; once only."""

from datetime import date

from sqlalchemy import func, select

from tests import factories as f
from umpro.reports import demo
from umpro.reports.models import PatientListSnapshot, PatientListTarget
from umpro.scheduling.models import Appointment


def test_demo_history_is_loaded_once(frozen_now, session, practice):
    gp = f.make_staff(session, practice, profession="gp")
    f.make_appointment_type(session, practice, label="Consultation")
    for n in range(6):
        patient = f.make_patient(session, practice)
        f.make_declaration_period(session, patient, gp, start_on=date(2020 + n % 3, 3, 1))
    members = {"claire.martin": gp}
    demo.load(session, practice=practice, members=members, now=frozen_now)
    session.commit()
    visits = session.scalar(select(func.count()).select_from(Appointment))
    assert visits >= 6 * 5  # every three to six months over three years
    target = session.scalars(select(PatientListTarget)).one()
    assert (target.baseline_value, target.with_assistant) == (6, True)
    snaps = session.scalar(select(func.count()).select_from(PatientListSnapshot))
    assert snaps == 37  # 36 month ends and the current month's yesterday
    demo.load(session, practice=practice, members=members, now=frozen_now)
    assert session.scalar(select(func.count()).select_from(Appointment)) == visits
