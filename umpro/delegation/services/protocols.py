"""The protocol catalogue: create, edit, list, install the reference protocols.

Editing is for admins (``protocol.manage``); everyone in the team reads the catalogue.
"""

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from umpro.acting import Acting
from umpro.auth.permissions import can
from umpro.delegation.models import PROTOCOL_KINDS, Protocol
from umpro.delegation.protocols import text_format
from umpro.delegation.protocols.reference_set import REFERENCE_PROTOCOLS
from umpro.delegation.services._common import authorize, clean_text, same_practice
from umpro.errors import Conflict, Invalid
from umpro.patients.models import SEXES
from umpro.team.professions import Profession

_CODE_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789-_")


@dataclass
class ProtocolInput:
    """A protocol as the admin types it; the structured parts in the text format of
    ``umpro.delegation.protocols.text_format``."""

    code: str
    title: str
    kind: str
    delegating_professions: list[str]
    delegate_professions: list[str]
    summary: str = ""
    acts: str = ""
    min_age: int | None = None
    max_age: int | None = None
    sexes: list[str] = field(default_factory=list)
    inclusion: str = ""
    exclusion: str = ""
    consent_required: bool = True
    fields: str = ""
    red_flags: str = ""
    default_due_days: int = 30
    is_active: bool = True


def input_of(protocol: Protocol) -> ProtocolInput:
    """The text form of a stored protocol, for its edit page."""
    return ProtocolInput(
        code=protocol.code,
        title=protocol.title,
        kind=protocol.kind,
        delegating_professions=list(protocol.delegating_professions),
        delegate_professions=list(protocol.delegate_professions),
        summary=protocol.summary,
        acts="\n".join(protocol.acts or []),
        min_age=protocol.min_age,
        max_age=protocol.max_age,
        sexes=list(protocol.sexes or []),
        inclusion=text_format.criteria_text(protocol.inclusion_criteria),
        exclusion=text_format.criteria_text(protocol.exclusion_criteria),
        consent_required=protocol.consent_required,
        fields=text_format.fields_text(protocol.result_fields),
        red_flags=text_format.red_flags_text(protocol.red_flags),
        default_due_days=protocol.default_due_days,
        is_active=protocol.is_active,
    )


def _professions(values: list[str], *, field: str, what: str) -> list[str]:
    known = {p.value for p in Profession}
    if not values or not set(values) <= known:
        raise Invalid(f"Choisissez au moins une profession {what}.", field=field)
    return sorted(set(values))


def _clean(data: ProtocolInput) -> dict:
    code = (data.code or "").strip().lower()
    if not code or len(code) > 40 or not set(code) <= _CODE_CHARS:
        raise Invalid(
            "Le code est obligatoire : minuscules sans accent, chiffres, « - » ou « _ », "
            "40 caractères au plus.",
            field="code",
        )
    title = clean_text(data.title, limit=200)
    if not title:
        raise Invalid("Le titre est obligatoire.", field="title")
    if data.kind not in PROTOCOL_KINDS:
        raise Invalid("Type de protocole inconnu.", field="kind")
    for name, value in (("min_age", data.min_age), ("max_age", data.max_age)):
        if value is not None and not 0 <= value <= 120:
            raise Invalid("Un âge se compte de 0 à 120 ans.", field=name)
    if data.min_age is not None and data.max_age is not None and data.min_age > data.max_age:
        raise Invalid("L'âge minimum dépasse l'âge maximum.", field="max_age")
    if not set(data.sexes or []) <= set(SEXES):
        raise Invalid("Sexe inconnu.", field="sexes")
    if not 0 <= data.default_due_days <= 365:
        raise Invalid("Le délai d'échéance se compte de 0 à 365 jours.", field="default_due_days")
    fields = text_format.parse_fields(data.fields)
    if not fields:
        raise Invalid(
            "Décrivez au moins un champ de résultat : le délégué doit rapporter ce qu'il a fait.",
            field="fields",
        )
    acts = [line.strip()[:300] for line in (data.acts or "").splitlines() if line.strip()]
    return {
        "code": code,
        "title": title,
        "kind": data.kind,
        "summary": clean_text(data.summary, limit=2000),
        "delegating_professions": _professions(
            data.delegating_professions, field="delegating_professions", what="déléguante"
        ),
        "delegate_professions": _professions(
            data.delegate_professions, field="delegate_professions", what="déléguée"
        ),
        "acts": acts,
        "min_age": data.min_age,
        "max_age": data.max_age,
        "sexes": sorted(set(data.sexes or [])),
        "inclusion_criteria": [
            c.to_json() for c in text_format.parse_criteria(data.inclusion, field="inclusion")
        ],
        "exclusion_criteria": [
            c.to_json() for c in text_format.parse_criteria(data.exclusion, field="exclusion")
        ],
        "consent_required": bool(data.consent_required),
        "result_fields": [f.to_json() for f in fields],
        "red_flags": [r.to_json() for r in text_format.parse_red_flags(data.red_flags, fields)],
        "default_due_days": data.default_due_days,
        "is_active": bool(data.is_active),
    }


def save_protocol(
    session: Session,
    *,
    acting: Acting,
    practice_id: int,
    data: ProtocolInput,
    protocol: Protocol | None = None,
) -> Protocol:
    """Create or edit a protocol. Admins only (``acting.actor`` None: installation by the system).
    Refuses a bad or already used code, an empty title, unknown professions, an age
    window upside down, and any badly written criterion, result field or red flag (the
    line at fault is named). Tasks already completed keep the results they recorded."""
    authorize(
        acting.actor, "protocol.manage", protocol, "Seul un administrateur modifie les protocoles."
    )
    values = _clean(data)
    clash = session.scalar(
        select(Protocol.id).where(
            Protocol.practice_id == practice_id, func.lower(Protocol.code) == values["code"]
        )
    )
    if clash is not None and (protocol is None or clash != protocol.id):
        raise Conflict("Un protocole porte déjà ce code.", field="code")
    if protocol is None:
        protocol = Protocol(practice_id=practice_id, created_at=acting.now)
        session.add(protocol)
    else:
        protocol.updated_at = acting.now
    for name, value in values.items():
        setattr(protocol, name, value)
    session.flush()
    return protocol


def list_protocols(
    session: Session, *, practice_id: int, active_only: bool = False
) -> list[Protocol]:
    query = select(Protocol).where(Protocol.practice_id == practice_id)
    if active_only:
        query = query.where(Protocol.is_active.is_(True))
    return list(session.scalars(query.order_by(Protocol.kind, Protocol.title)))


def hand_off_protocols(session: Session, *, actor) -> list[Protocol]:
    """The practice's active protocols ``actor`` may hand tasks off under (the
    ``protocol.hand_off`` rule: the protocol names the délégants' professions)."""
    return [
        p
        for p in list_protocols(session, practice_id=actor.practice_id, active_only=True)
        if can(actor, "protocol.hand_off", p)
    ]


def get_protocol(session: Session, *, practice_id: int, protocol_id: int) -> Protocol:
    return same_practice(session.get(Protocol, protocol_id), practice_id, "Protocole introuvable.")


def protocol_by_code(
    session: Session, *, practice_id: int, code, field: str = "protocol_code"
) -> Protocol:
    """The active protocol ``code`` of the practice; Invalid (422) when unknown."""
    protocol = None
    if isinstance(code, str) and code.strip():
        protocol = session.scalar(
            select(Protocol).where(
                Protocol.practice_id == practice_id, Protocol.code == code.strip().lower()
            )
        )
    if protocol is None:
        raise Invalid(f"Protocole inconnu : « {code} ».", field=field)
    if not protocol.is_active:
        raise Invalid(f"Le protocole « {protocol.title} » n'est plus en vigueur.", field=field)
    return protocol


def install_reference_protocols(
    session: Session, *, acting: Acting, practice_id: int
) -> list[Protocol]:
    """Installer les protocoles de référence: add those whose code the practice lacks.
    Idempotent; a protocol the practice already has (maybe edited) is left as it is.
    Admins only (``acting.actor`` None: the demo loader)."""
    authorize(
        acting.actor, "protocol.manage", None, "Seul un administrateur installe les protocoles."
    )
    existing = set(
        session.scalars(select(Protocol.code).where(Protocol.practice_id == practice_id))
    )
    created = []
    for item in REFERENCE_PROTOCOLS:
        if item["code"] in existing:
            continue
        data = ProtocolInput(**item)
        created.append(
            save_protocol(
                session, acting=Acting(None, acting.now), practice_id=practice_id, data=data
            )
        )
    return created
