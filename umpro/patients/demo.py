"""Demo patients: ~300 realistic French patients with médecin traitant declarations,
requests and shared-file entries, all created through the services (deterministic)."""

import random
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from umpro.acting import Acting
from umpro.patients import services
from umpro.patients.models import DECLINE_REASONS, Patient
from umpro.team.models import Staff

SEED = 20_260_312
COUNT = 300
GP_KEYS = ("claire.martin", "karim.benali", "sophie.lefevre")

FAMILY_NAMES = [
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy",
    "Moreau", "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "David", "Bertrand", "Roux",
    "Vincent", "Fournier", "Morel", "Girard", "André", "Lefèvre", "Mercier", "Dupont",
    "Lambert", "Bonnet", "François", "Martinez", "Legrand", "Garnier", "Faure", "Rousseau",
    "Blanc", "Guérin", "Muller", "Henry", "Roussel", "Nicolas", "Perrin", "Morin", "Mathieu",
    "Clément", "Gauthier", "Dumont", "Lopez", "Fontaine", "Chevalier", "Robin", "N'Diaye",
    "Diallo", "Traoré", "Nguyen", "Haddad", "Benchekroun", "Da Silva", "Le Gall", "Le Goff",
    "Saint-Martin", "D'Almeida", "Ferreira", "Cohen", "Rivière", "Besnard", "Lacroix-Dumas",
    "Pérez", "Boyer", "Chauvin", "Ménard", "Barbier", "Ollivier", "Kone", "Mbappé", "Hoarau",
]  # fmt: skip
GIVEN_F = [
    "Marie", "Jeanne", "Françoise", "Monique", "Catherine", "Nathalie", "Isabelle", "Sylvie",
    "Sophie", "Céline", "Julie", "Camille", "Léa", "Manon", "Chloé", "Inès", "Zoé", "Emma",
    "Louise", "Anne-Sophie", "Marie-Claire", "Élodie", "Aïcha", "Fatou", "Mélanie", "Agnès",
    "Geneviève", "Noémie", "Maëlle", "Yasmine", "Thi Hoa", "Bérénice",
]  # fmt: skip
GIVEN_M = [
    "Jean", "Pierre", "Michel", "André", "Philippe", "Alain", "Bernard", "Christophe",
    "Nicolas", "Julien", "Thomas", "Lucas", "Hugo", "Théo", "Louis", "Gabriel", "Nathan",
    "Jean-Pierre", "Jean-Luc", "Jean-Marc", "François", "Étienne", "Loïc", "Noël", "Jérôme",
    "Gaël", "Mohamed", "Mamadou", "Karim", "Youssef", "Van Minh", "Raphaël",
]  # fmt: skip
STREETS = [
    "rue Paul Bert", "avenue Félix Faure", "rue de la Villette", "cours Gambetta",
    "rue Garibaldi", "rue Moncey", "place Guichard", "rue Servient", "rue des Tilleuls",
    "avenue Lacassagne", "rue Duguesclin", "rue Vendôme",
]  # fmt: skip
CITIES = [("69003", "Lyon"), ("69003", "Lyon"), ("69007", "Lyon"), ("69100", "Villeurbanne")]
NOTES = [
    ("consultation", "Renouvellement traitement", "TA 132/84, FC 72. Traitement renouvelé."),
    ("consultation", "Consultation pour toux", "Toux sèche depuis 10 j, apyrétique."),
    ("consultation", "Suivi diabète de type 2", "HbA1c 7,4 %. Examen des pieds normal."),
    ("note", "Appel de la pharmacie", "Rupture du générique, substitution validée."),
    ("note", "Contexte social", "Vit seul·e, aide à domicile 2 fois par semaine."),
    ("result", "Bilan biologique", "Créatinine 82 µmol/L, DFG 78. LDL 1,32 g/L."),
    ("result", "ECG", "Rythme sinusal régulier, pas de trouble de repolarisation."),
    ("protocol_session", "Séance Asalée — diabète", "Éducation thérapeutique : alimentation."),
    ("administrative", "Attestation de droits", "Carte Vitale et complémentaire à jour."),
    ("administrative", "Changement d'adresse", "Nouvelle adresse communiquée par téléphone."),
]


def _ins(rng: random.Random, sex: str, born: date) -> str:
    first = "2" if sex == "F" else "1"
    commune, order = rng.randint(1, 388), rng.randint(1, 999)
    body = f"{first}{born.year % 100:02d}{born.month:02d}69{commune:03d}{order:03d}"
    return f"{body}{97 - int(body) % 97:02d}"


def _phone(rng: random.Random) -> str:
    return rng.choice(["06", "07"]) + "".join(str(rng.randint(0, 9)) for _ in range(8))


def _birth_date(rng: random.Random, today: date) -> date:
    return today - timedelta(days=rng.randint(2 * 365, 95 * 365))


def _identities(rng: random.Random, today: date):
    yield services.PatientInput(
        family_name="Martin",
        given_names="Hélène",
        birth_date=date(1958, 3, 12),
        sex="F",
        birth_name="Rivière",
        phone="06 12 34 56 78",
        email="helene.martin@exemple.fr",
        address="4 rue Paul Bert",
        postal_code="69003",
        city="Lyon",
        has_chronic_condition=True,
    )
    yield services.PatientInput(
        family_name="Dupont-Moreau",
        given_names="Jean-Pierre",
        birth_date=date(1949, 11, 2),
        sex="M",
        phone="04 78 12 34 56",
        address="18 cours Gambetta",
        postal_code="69007",
        city="Lyon",
        has_chronic_condition=True,
    )
    yield services.PatientInput(
        family_name="N'Diaye",
        given_names="Aminata",
        birth_date=date(1987, 6, 21),
        sex="F",
        phone="07 61 22 33 44",
        postal_code="69100",
        city="Villeurbanne",
    )
    while True:
        sex = "F" if rng.random() < 0.52 else "M"
        born = _birth_date(rng, today)
        family = rng.choice(FAMILY_NAMES)
        married = sex == "F" and rng.random() < 0.2 and today.year - born.year > 25
        postal_code, city = rng.choice(CITIES)
        yield services.PatientInput(
            family_name=rng.choice(FAMILY_NAMES) if married else family,
            birth_name=family if married else "",
            given_names=rng.choice(GIVEN_F if sex == "F" else GIVEN_M),
            birth_date=born,
            sex=sex,
            ins=_ins(rng, sex, born) if rng.random() < 0.5 else "",
            phone=_phone(rng) if rng.random() < 0.9 else "",
            email=f"patient{rng.randint(100, 99999)}@exemple.fr" if rng.random() < 0.4 else "",
            address=f"{rng.randint(1, 120)} {rng.choice(STREETS)}",
            postal_code=postal_code,
            city=city,
            has_chronic_condition=rng.random() < 0.18,
        )


def _at(now: datetime, rng: random.Random, max_days: int) -> datetime:
    return now - timedelta(days=rng.randint(1, max_days), minutes=rng.randint(0, 600))


def load(session: Session, *, practice, members: dict[str, Staff], now: datetime) -> None:
    """Create the demo patients once: nothing happens if the practice has patients."""
    if session.scalar(select(Patient.id).where(Patient.practice_id == practice.id).limit(1)):
        return
    rng = random.Random(SEED)
    today = now.date()
    gps = [members[k] for k in GP_KEYS if k in members]
    desk = members.get("marie.dubois")
    clinicians = [
        m for m in members.values() if m.profession in ("gp", "asalee_nurse", "apn_nurse")
    ]
    identities = _identities(rng, today)
    patients = []
    while len(patients) < COUNT:
        data = next(identities)
        if data.ins and session.scalar(select(Patient.id).where(Patient.ins == data.ins)):
            data.ins = ""
        patients.append(
            services.create_patient(
                session,
                acting=Acting(desk, now),
                practice=practice,
                data=data,
                confirm_duplicate=True,
            )
        )
    for patient in patients:
        _declarations(session, rng, patient, gps, desk, now, today)
    _requests(session, rng, patients, gps, desk, members, now, today)
    for patient in patients:
        _entries(session, rng, patient, clinicians, desk, now)
    _objections_and_letters(session, rng, patients, gps, desk, now, today)


def _declarations(session, rng, patient, gps, desk, now, today) -> None:
    if not gps or rng.random() > 0.75:
        return
    start = today - timedelta(days=rng.randint(30, 12 * 365))
    start = max(start, patient.birth_date + timedelta(days=1))
    first = rng.choice(gps)
    services.declare(
        session, acting=Acting(desk, now), patient=patient, gp_id=first.id, start_on=start
    )
    if rng.random() < 0.12 and (today - start).days > 60:
        other = rng.choice([g for g in gps if g.id != first.id])
        on = start + timedelta(days=rng.randint(30, (today - start).days - 1))
        services.transfer(session, acting=Acting(desk, now), patient=patient, gp_id=other.id, on=on)
    elif rng.random() < 0.04 and (today - start).days > 60:
        on = start + timedelta(days=rng.randint(30, (today - start).days - 1))
        services.end_declaration(
            session, acting=Acting(desk, now), patient=patient, on=on, reason="moved"
        )


def _requests(session, rng, patients, gps, desk, members, now, today) -> None:
    if not gps:
        return
    without_gp = [p for p in patients if p.current_declaration is None]
    mediator = members.get("amina.diallo", desk)
    for patient in without_gp[:40]:
        gp = rng.choice(gps)
        channel = rng.choice(["phone", "desk", "desk", "conciliator", "mediator"])
        services.create_request(
            session,
            acting=Acting(mediator if channel == "mediator" else desk, now),
            patient=patient,
            gp_id=gp.id,
            channel=channel,
            received_on=today - timedelta(days=rng.randint(0, 60)),
            has_chronic_condition=patient.has_chronic_condition,
        )
    pending = [r for p in without_gp[:40] for r in services.requests_of(session, patient=p)]
    for request in pending[25:]:
        decision = rng.choice(["accept", "decline", "decline", "withdraw"])
        services.decide(
            session,
            acting=Acting(request.gp, now),
            request=request,
            decision=decision,
            reason=rng.choice(list(DECLINE_REASONS)) if decision == "decline" else "",
            oriented_to="CPTS Lyon 3e — cellule médecin traitant" if decision == "decline" else "",
        )


def _entries(session, rng, patient, clinicians, desk, now) -> None:
    for _ in range(rng.randint(0, 5)):
        kind, title, body = rng.choice(NOTES)
        author = desk if kind == "administrative" else rng.choice(clinicians)
        if kind == "protocol_session":
            author = next((c for c in clinicians if c.profession == "asalee_nurse"), author)
        entry = services.add_entry(
            session,
            acting=Acting(author, _at(now, rng, 700)),
            patient=patient,
            kind=kind,
            title=title,
            body=body,
        )
        if rng.random() < 0.05:
            services.correct_entry(
                session,
                acting=Acting(author, entry.created_at + timedelta(hours=2)),
                entry=entry,
                title=title,
                body=body + " (Correction : posologie précisée.)",
            )
        elif rng.random() < 0.02:
            services.mark_entered_in_error(
                session,
                acting=Acting(author, entry.created_at + timedelta(hours=1)),
                entry=entry,
                reason="Saisie dans le mauvais dossier",
            )


def _objections_and_letters(session, rng, patients, gps, desk, now, today) -> None:
    for patient in patients[10:14]:
        services.record_objection(
            session, acting=Acting(desk, now), patient=patient, note="Souhait exprimé à l'accueil"
        )
    helene = patients[0]
    if not gps:
        return
    gp = gps[0]
    letter = services.create_letter(
        session,
        acting=Acting(gp, now - timedelta(days=20)),
        patient=helene,
        recipient="Dr Durand, cardiologue, Hôpital Édouard-Herriot",
        reason="Dyspnée d'effort récente chez une patiente hypertendue. Merci de votre avis.",
        entry_ids=[],
    )
    services.record_reply(
        session,
        acting=Acting(gp, now - timedelta(days=5)),
        letter=letter,
        received_on=today - timedelta(days=5),
        body="Échographie cardiaque normale. Pas de cardiopathie. Poursuite du traitement.",
    )
