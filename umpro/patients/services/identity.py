"""Patients' identity and contacts: create, edit, open. Duplicates are warned about."""

import re
from dataclasses import dataclass, replace
from datetime import date
from difflib import SequenceMatcher

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from umpro.acting import Acting
from umpro.auth.audit import record_access_to
from umpro.errors import Conflict, Invalid, NotFound
from umpro.patients.models import SEXES, Patient, PatientNameToken, TreatingDeclaration
from umpro.patients.names import INS_BODY, fold, name_tokens, sort_key
from umpro.patients.services._common import authorize, today_for

OLDEST_BIRTH_DATE = date(1900, 1, 1)
_NIR_BODY = re.compile(rf"^{INS_BODY}$")
_PHONE_FR = re.compile(r"^0[1-9]\d{8}$")
_PHONE_INTL = re.compile(r"^\+[1-9]\d{7,14}$")
_POSTAL_CODE = re.compile(r"^\d{5}$")


@dataclass
class PatientInput:
    family_name: str
    given_names: str
    birth_date: date | None
    sex: str
    birth_name: str = ""
    ins: str = ""
    phone: str = ""
    email: str = ""
    address: str = ""
    postal_code: str = ""
    city: str = ""
    has_chronic_condition: bool = False


def clean_ins(value: str | None) -> str | None:
    """The INS (NIR or NIA) without spaces, its key checked; None when empty.

    Key = 97 − (the 13 first characters as a number mod 97), Corsica's 2A and 2B
    counting as 19 and 18.
    """
    raw = re.sub(r"\s", "", value or "").upper()
    if not raw:
        return None
    if len(raw) != 15:
        raise Invalid("L'INS comporte 15 caractères (13 chiffres et une clé de 2).", field="ins")
    body, key = raw[:13], raw[13:]
    if not _NIR_BODY.match(body) or not key.isdigit():
        raise Invalid(
            "L'INS ne contient que des chiffres (2A ou 2B pour un département corse).",
            field="ins",
        )
    number = int(body.replace("2A", "19").replace("2B", "18"))
    if 97 - number % 97 != int(key):
        raise Invalid("La clé de l'INS ne correspond pas : vérifiez le numéro.", field="ins")
    return raw


def clean_phone(value: str | None) -> str:
    """``06 12 34 56 78`` for French numbers (``+33`` accepted), ``+…`` kept otherwise."""
    raw = re.sub(r"[\s.\-()/]", "", value or "")
    if not raw:
        return ""
    if raw.startswith("0033"):
        raw = "+" + raw[2:]
    if raw.startswith("+33") and len(raw) == 12:
        raw = "0" + raw[3:]
    if _PHONE_FR.match(raw):
        return " ".join(raw[i : i + 2] for i in range(0, 10, 2))
    if _PHONE_INTL.match(raw):
        return raw
    raise Invalid(
        "Numéro de téléphone invalide : 10 chiffres (06 12 34 56 78) "
        "ou format international (+32 …).",
        field="phone",
    )


def clean_email(value: str | None) -> str:
    value = (value or "").strip()
    if not value:
        return ""
    try:
        return validate_email(value, check_deliverability=False).normalized
    except EmailNotValidError as error:
        raise Invalid("Adresse e-mail invalide.", field="email") from error


def _name(value: str | None, *, field: str, label: str, required: bool, max_length: int) -> str:
    value = " ".join((value or "").split())
    if not value:
        if required:
            raise Invalid(f"{label} est obligatoire.", field=field)
        return ""
    if not re.search(r"[^\W\d_]", value):
        raise Invalid(f"{label} doit contenir des lettres.", field=field)
    if len(value) > max_length:
        raise Invalid(f"{label} dépasse {max_length} caractères.", field=field)
    return value


def clean(data: PatientInput, *, today: date) -> PatientInput:
    """The input checked and normalised, or Invalid naming the field at fault."""
    family = _name(
        data.family_name, field="family_name", label="Le nom", required=True, max_length=100
    )
    given = _name(
        data.given_names, field="given_names", label="Le prénom", required=True, max_length=150
    )
    birth_name = _name(
        data.birth_name,
        field="birth_name",
        label="Le nom de naissance",
        required=False,
        max_length=100,
    )
    if data.birth_date is None:
        raise Invalid("La date de naissance est obligatoire.", field="birth_date")
    if data.birth_date > today:
        raise Invalid("La date de naissance ne peut pas être dans le futur.", field="birth_date")
    if data.birth_date < OLDEST_BIRTH_DATE:
        raise Invalid("Date de naissance invalide : avant 1900.", field="birth_date")
    if data.sex not in SEXES:
        raise Invalid("Choisissez le sexe.", field="sex")
    postal_code = (data.postal_code or "").strip()
    if postal_code and not _POSTAL_CODE.match(postal_code):
        raise Invalid("Le code postal comporte 5 chiffres.", field="postal_code")
    return replace(
        data,
        family_name=family,
        given_names=given,
        birth_name="" if fold(birth_name) == fold(family) else birth_name,
        ins=clean_ins(data.ins) or "",
        phone=clean_phone(data.phone),
        email=clean_email(data.email),
        address=" ".join((data.address or "").split())[:200],
        postal_code=postal_code,
        city=" ".join((data.city or "").split())[:100],
    )


def _similar(data: PatientInput, patient: Patient) -> bool:
    """Same person, probably: a shared family/birth name or close spellings."""
    theirs = {fold(patient.family_name), fold(patient.birth_name)} - {""}
    ours = {fold(data.family_name), fold(data.birth_name)} - {""}
    first_given = fold(data.given_names).split()[:1]
    their_given = fold(patient.given_names).split()[:1]
    same_first = first_given == their_given
    if theirs & ours and (same_first or not first_given):
        return True
    ratio = SequenceMatcher(
        None,
        f"{fold(data.family_name)} {fold(data.given_names)}",
        f"{fold(patient.family_name)} {fold(patient.given_names)}",
    ).ratio()
    return ratio >= 0.8


def likely_duplicates(
    session: Session, *, practice_id: int, data: PatientInput, exclude_id: int | None = None
) -> list[Patient]:
    """Patients of the practice born the same day with similar names."""
    if data.birth_date is None:
        return []
    candidates = session.scalars(
        select(Patient)
        .where(Patient.practice_id == practice_id, Patient.birth_date == data.birth_date)
        .order_by(Patient.sort_key)
    ).all()
    return [p for p in candidates if p.id != exclude_id and _similar(data, p)]


def _index_names(patient: Patient) -> None:
    """Keep the folded sort key and search tokens in step with the names."""
    patient.sort_key = sort_key(patient.family_name, patient.given_names)
    wanted = name_tokens(patient.family_name, patient.birth_name, patient.given_names)
    kept = [t for t in patient.name_tokens if t.token in wanted]
    have = {t.token for t in kept}
    patient.name_tokens = kept + [
        PatientNameToken(token=token, practice_id=patient.practice_id)
        for token in sorted(wanted - have)
    ]


def _check_ins_free(session: Session, practice_id: int, ins: str, patient_id: int | None):
    if not ins:
        return
    clash = session.scalar(
        select(Patient.id).where(Patient.practice_id == practice_id, Patient.ins == ins)
    )
    if clash is not None and clash != patient_id:
        raise Conflict("Cet INS est déjà attribué à un autre patient.", field="ins")


def _apply(patient: Patient, data: PatientInput) -> None:
    for name in (
        "family_name",
        "birth_name",
        "given_names",
        "birth_date",
        "sex",
        "phone",
        "email",
        "address",
        "postal_code",
        "city",
        "has_chronic_condition",
    ):
        setattr(patient, name, getattr(data, name))
    patient.ins = data.ins or None
    _index_names(patient)


DUPLICATE_MESSAGE = (
    "Un patient semblable existe déjà (même date de naissance, nom proche) : vérifiez qu'il "
    "ne s'agit pas de la même personne, puis confirmez la création."
)


def create_patient(
    session: Session,
    *,
    acting: Acting,
    practice,
    data: PatientInput,
    confirm_duplicate: bool = False,
) -> Patient:
    """Register a patient. Callers hold ``patient.edit`` (``actor=None``: demo, imports).

    Refuses invalid data (French message naming the field), an INS already used in the
    practice, and a likely duplicate (Conflict ``likely_duplicate``) unless confirmed.
    """
    authorize(acting.actor, "patient.edit", None, "Vous ne pouvez pas enregistrer de patient.")
    data = clean(data, today=today_for(session, practice.id, acting.now))
    _check_ins_free(session, practice.id, data.ins, None)
    if not confirm_duplicate and likely_duplicates(session, practice_id=practice.id, data=data):
        raise Conflict(DUPLICATE_MESSAGE, field="confirm_duplicate", code="likely_duplicate")
    patient = Patient(practice_id=practice.id, created_at=acting.now)
    _apply(patient, data)
    session.add(patient)
    session.flush()
    record_access_to(session, acting, "patient.create", patient)
    return patient


def update_patient(
    session: Session, *, acting: Acting, patient: Patient, data: PatientInput
) -> Patient:
    """Edit identity and contacts. Callers hold ``patient.edit``; same checks as creation
    (no duplicate warning: the person already exists)."""
    authorize(acting.actor, "patient.edit", patient, "Vous ne pouvez pas modifier ce patient.")
    data = clean(data, today=today_for(session, patient.practice_id, acting.now))
    _check_ins_free(session, patient.practice_id, data.ins, patient.id)
    _apply(patient, data)
    patient.updated_at = acting.now
    session.flush()
    record_access_to(session, acting, "patient.update", patient)
    return patient


def get_patient(session: Session, *, actor, patient_id: int, eager: bool = False) -> Patient:
    """The patient if ``actor`` may see it: another practice's answers NotFound (404), a
    patient a student has no appointment with answers Forbidden. Logs nothing."""
    query = select(Patient).where(Patient.id == patient_id)
    if eager:
        query = query.options(
            joinedload(Patient.current_declaration).joinedload(TreatingDeclaration.gp),
            joinedload(Patient.active_objection),
        )
    patient = session.scalar(query)
    if patient is None or patient.practice_id != actor.practice_id:
        raise NotFound("Patient introuvable.")
    authorize(actor, "patient.view_admin", patient, "Vous n'avez pas accès à ce patient.")
    return patient


def open_patient(
    session: Session, *, acting: Acting, patient_id: int, via: str = "page"
) -> Patient:
    """Read a patient's record (page or API): ``get_patient`` and one access-log row."""
    patient = get_patient(session, actor=acting.actor, patient_id=patient_id, eager=True)
    via = "" if via == "page" else via
    record_access_to(session, acting, "patient.view", patient, via=via)
    return patient


def list_query():
    """``SELECT patient`` with the médecin traitant and objection (two more queries)."""
    return select(Patient).options(
        selectinload(Patient.current_declaration).joinedload(TreatingDeclaration.gp),
        selectinload(Patient.active_objection),
    )
