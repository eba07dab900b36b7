"""Patient search: accents, case, hyphens and apostrophes ignored; any part of the names
(birth name included), a birth date typed the French way, or an INS.

Each word typed must start some word of the patient's names: ``helene mar`` finds
Hélène Martin, ``jean-pierre`` and ``jean pierre`` find Jean-Pierre, ``ndiaye`` and
``n'diaye`` find N'Diaye. The query is one SQL statement over the indexed token table,
whatever the number of patients, then two to load the médecin traitant and objection.
"""

from sqlalchemy import extract, select
from sqlalchemy.orm import Session

from umpro.acting import Acting
from umpro.auth.audit import record_patients_shown
from umpro.patients import relations
from umpro.patients.models import Patient, PatientNameToken
from umpro.patients.names import parse_query, successor
from umpro.patients.services._common import today_for
from umpro.patients.services.identity import list_query

MAX_LIMIT = 50


def _token_match(practice_id: int, prefix: str):
    upper = successor(prefix)
    query = select(PatientNameToken.patient_id).where(
        PatientNameToken.practice_id == practice_id, PatientNameToken.token >= prefix
    )
    if upper is not None:
        query = query.where(PatientNameToken.token < upper)
    return Patient.id.in_(query)


def search_patients(
    session: Session, *, acting: Acting, query: str, limit: int = 20
) -> list[Patient]:
    """The actor's practice's patients matching ``query``, by name order, at most ``limit``
    (capped at 50). Any member may search; a student finds only the patients they have an
    appointment with. An empty query finds nothing. Logs one access row per patient listed
    (``patient.search``), or one row without patient when none is.
    """
    terms = parse_query(query or "", today=today_for(session, acting.actor.practice_id, acting.now))
    if terms.is_empty:
        return []
    patients: list[Patient] = []
    if not terms.impossible:
        conditions = [Patient.practice_id == acting.actor.practice_id]
        conditions += [_token_match(acting.actor.practice_id, token) for token in terms.tokens]
        if terms.birth_date:
            conditions.append(Patient.birth_date == terms.birth_date)
        if terms.birth_year:
            conditions.append(extract("year", Patient.birth_date) == terms.birth_year)
        if terms.ins:
            conditions.append(Patient.ins == terms.ins)
        if (reach := relations.reach_condition(acting.actor, Patient.id)) is not None:
            conditions.append(reach)
        patients = list(
            session.scalars(
                list_query()
                .where(*conditions)
                .order_by(Patient.sort_key, Patient.birth_date, Patient.id)
                .limit(max(1, min(limit, MAX_LIMIT)))
            )
        )
    record_patients_shown(session, acting, "patient.search", [p.id for p in patients], "search")
    return patients
