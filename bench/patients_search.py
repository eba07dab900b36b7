"""Patient search on a practice of 20,000 patients: ``search_patients`` (the service the
search page, the API and the agenda's booking call) for typical queries, and the patient
page of a patient with 300 file entries.

The patients are generated here, in a temporary SQLite database (or the PostgreSQL
database of ``BENCH_DATABASE_URL``), with realistic French names; their search tokens
are computed by the same code as the service's. Figures are medians, in milliseconds,
with the number of SQL statements of one run (the access log included).
"""

import os
import random
import statistics
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from umpro.acting import Acting

PATIENTS = int(os.environ.get("BENCH_PATIENTS", 20_000))
RUNS = 15
SEED = 11
FAMILY = [
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy",
    "Moreau", "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "David", "Bertrand", "Roux",
    "Vincent", "Fournier", "Morel", "Girard", "André", "Lefèvre", "Mercier", "Dupont",
    "Lambert", "Bonnet", "François", "Martinez", "N'Diaye", "Diallo", "Traoré", "Nguyen",
    "Da Silva", "Le Gall", "Saint-Martin", "D'Almeida", "Rivière", "Ménard", "Dupont-Moreau",
]  # fmt: skip
GIVEN = [
    "Marie", "Jeanne", "Françoise", "Hélène", "Catherine", "Léa", "Chloé", "Inès", "Zoé",
    "Anne-Sophie", "Jean", "Pierre", "Michel", "Jean-Pierre", "Lucas", "Hugo", "Théo",
    "François", "Étienne", "Loïc", "Mamadou", "Aminata", "Youssef",
]  # fmt: skip
QUERIES = ["helene mar", "martin", "jean-pierre", "n'diaye", "12/03/1958", "lef zo", "zzz"]


def _generate(session) -> tuple:
    from sqlalchemy import insert, select, text

    from umpro.patients.models import Patient, PatientNameToken
    from umpro.patients.names import name_tokens, sort_key
    from umpro.team.models import Practice, Staff

    rng = random.Random(SEED)
    practice = Practice(name="MSP du Banc d'essai", slug="bench-patients")
    session.add(practice)
    session.flush()
    staff = {
        profession: Staff(
            practice_id=practice.id,
            email=f"{profession}@bench.invalid",
            password_hash="-",  # noqa: S106 - never signs in
            given_name="Camille",
            family_name="Essai",
            profession=profession,
        )
        for profession in ("secretary", "gp")
    }
    session.add_all(staff.values())
    session.flush()
    rows = []
    for _ in range(PATIENTS):
        family, given = rng.choice(FAMILY), rng.choice(GIVEN)
        rows.append(
            {
                "practice_id": practice.id,
                "family_name": family,
                "birth_name": rng.choice(FAMILY) if rng.random() < 0.1 else "",
                "given_names": given,
                "birth_date": date(1930, 1, 1) + timedelta(days=rng.randint(0, 33_000)),
                "sex": rng.choice("FM"),
                "sort_key": sort_key(family, given),
                "created_at": _now(),
            }
        )
    rows[0] |= {"family_name": "Martin", "given_names": "Hélène", "birth_date": date(1958, 3, 12)}
    rows[0]["sort_key"] = sort_key("Martin", "Hélène")
    session.execute(insert(Patient), rows)
    patients = session.execute(
        select(Patient.id, Patient.family_name, Patient.birth_name, Patient.given_names)
    ).all()
    tokens = [
        {"patient_id": p.id, "token": t, "practice_id": practice.id}
        for p in patients
        for t in name_tokens(p.family_name, p.birth_name, p.given_names)
    ]
    session.execute(insert(PatientNameToken), tokens)
    session.commit()
    # Fresh statistics, as autovacuum would have them after a bulk load (else PostgreSQL
    # plans the token lookups for empty tables).
    session.execute(text("ANALYZE"))
    session.commit()
    return practice.id, staff["secretary"].id, staff["gp"].id, patients[0].id


def _now():
    from umpro.db import utcnow

    return utcnow()


def _median_ms(fn) -> float:
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return round(statistics.median(times) * 1000, 2)


def run() -> dict:
    os.environ.setdefault("UMPRO_INSTANCE_PATH", tempfile.mkdtemp(prefix="umpro-bench-inst-"))
    from sqlalchemy import event

    from tests import factories
    from umpro import create_app
    from umpro.db import Base
    from umpro.extensions import db
    from umpro.patients import services
    from umpro.team.models import Staff

    workdir = Path(tempfile.mkdtemp(prefix="umpro-bench-patients-"))
    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{workdir / 'bench.sqlite3'}"
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        Base.metadata.create_all(db.engine)
        started = time.perf_counter()
        _, secretary_id, gp_id, helene_id = _generate(db.session)
        generated = time.perf_counter() - started
        session = db.session
        secretary, gp = session.get(Staff, secretary_id), session.get(Staff, gp_id)
        helene = services.get_patient(session, actor=gp, patient_id=helene_id)
        for n in range(300):
            factories.make_entry(session, helene, gp, title=f"Consultation {n}")
        session.commit()
        statements = {"n": 0}
        event.listen(
            db.engine,
            "before_cursor_execute",
            lambda *args: statements.__setitem__("n", statements["n"] + 1),
        )
        figures = {"patients": PATIENTS, "database": db.engine.dialect.name, "search": {}}
        for query in QUERIES:

            def search(query=query):
                found = services.search_patients(
                    session, acting=Acting(secretary, _now()), query=query
                )
                session.commit()
                return found

            before = statements["n"]
            found = search()
            count = statements["n"] - before
            figures["search"][query] = {
                "median_ms": _median_ms(search),
                "listed": len(found),
                "statements": count,
            }

        def page():
            patient = services.open_patient(
                session, acting=Acting(gp, _now()), patient_id=helene_id
            )
            services.timeline(session, actor=gp, patient=patient)
            services.history(session, patient=patient)
            services.requests_of(session, patient=patient)
            session.commit()

        before = statements["n"]
        page()
        count = statements["n"] - before
        figures["patient_page_services"] = {
            "entries": 300,
            "median_ms": _median_ms(page),
            "statements": count,
        }
        figures["generation_s"] = round(generated, 1)
        db.session.remove()
        db.engine.dispose()
    return figures
