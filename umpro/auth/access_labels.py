"""What each access-log action means, in French: the one table the journal pages read.

The log stores short codes (``agenda.read``); people read "Consultation de l'agenda".
``tests/test_access_labels.py`` collects every code the code base records and fails on
one without a label here. A code missing all the same (an old row) shows as itself.
"""

ACTION_LABELS: dict[str, str] = {
    # Patients: identity, file, declarations, requests, letters
    "patient.view": "Consultation du dossier",
    "patient.search": "Recherche de patients",
    "patient.create": "Création du dossier",
    "patient.update": "Modification de l'identité ou des coordonnées",
    "patient.print_sheet": "Impression de la fiche patient",
    "patient.access_history": "Consultation de l'historique des accès au dossier",
    "file_entry.create": "Ajout d'une entrée au dossier",
    "file_entry.correct": "Correction d'une entrée du dossier",
    "file_entry.mark_error": "Entrée du dossier marquée « saisie par erreur »",
    "sharing_objection.record": "Enregistrement d'une opposition au partage",
    "sharing_objection.lift": "Levée d'une opposition au partage",
    "declaration.create": "Déclaration de médecin traitant",
    "declaration.transfer": "Changement de médecin traitant",
    "declaration.end": "Fin de la déclaration de médecin traitant",
    "registration_request.create": "Demande de médecin traitant enregistrée",
    "registration_request.list": "Consultation des demandes de médecin traitant",
    "registration_request.print": "Impression d'une demande de médecin traitant",
    "registration_request.accept": "Demande de médecin traitant acceptée",
    "registration_request.decline": "Demande de médecin traitant refusée",
    "registration_request.withdraw": "Demande de médecin traitant retirée",
    "referral_letter.create": "Rédaction d'un courrier d'adressage",
    "referral_letter.print": "Impression d'un courrier d'adressage",
    "referral_letter.reply": "Réponse à un courrier d'adressage",
    # Agenda and appointments
    "agenda.read": "Consultation de l'agenda",
    "agenda.print": "Impression de l'agenda",
    "appointment.read": "Consultation d'un rendez-vous",
    "appointment.create": "Prise de rendez-vous",
    "appointment.move": "Déplacement d'un rendez-vous",
    "appointment.update": "Modification d'un rendez-vous",
    "appointment.cancel": "Annulation d'un rendez-vous",
    "appointment.status": "Changement de statut d'un rendez-vous",
    "slots.search": "Recherche de créneaux",
    "sameday.propose": "Proposition de soins non programmés",
    "calendars.feed": "Lecture d'un abonnement d'agenda",
    "calendars.appointment_ics": "Téléchargement d'un rendez-vous au format iCalendar",
    "reminders.view": "Consultation des rappels du patient",
    "reminders.opt_out": "Refus ou reprise des rappels",
    "reminder.email.sent": "Rappel de rendez-vous envoyé par courriel",
    "reminder.email.logged": "Rappel de rendez-vous par courriel (journalisé)",
    "reminder.email.skipped": "Rappel de rendez-vous par courriel non envoyé",
    "reminder.sms.sent": "Rappel de rendez-vous envoyé par SMS",
    "reminder.sms.logged": "Rappel de rendez-vous par SMS (journalisé)",
    "reminder.sms.skipped": "Rappel de rendez-vous par SMS non envoyé",
    "home.today": "Consultation de la page d'accueil",
    # Delegation: protocols, consents, care tasks, supervision
    "protocol_consent.give": "Recueil du consentement à un protocole",
    "protocol_consent.withdraw": "Retrait du consentement à un protocole",
    "care_task.create": "Délégation d'une tâche de soins",
    "care_task.view": "Consultation d'une tâche de soins",
    "care_task.list_available": "Consultation de la file des tâches",
    "care_task.list_mine": "Consultation de mes tâches",
    "care_task.list_inbox": "Consultation de la boîte de réception",
    "care_task.list_requested": "Consultation des tâches demandées",
    "care_task.list_patient": "Consultation des tâches du patient",
    "care_task.accept": "Tâche de soins acceptée",
    "care_task.reject": "Tâche de soins refusée",
    "care_task.cancel": "Tâche de soins annulée",
    "care_task.start": "Prise en charge d'une tâche commencée",
    "care_task.release": "Tâche de soins remise dans la file",
    "care_task.hold": "Tâche de soins mise en attente",
    "care_task.resume": "Prise en charge d'une tâche reprise",
    "care_task.complete": "Tâche de soins terminée",
    "care_task.fail": "Échec d'une tâche de soins déclaré",
    "care_task.error": "Tâche de soins marquée « saisie par erreur »",
    "care_task.acknowledge": "Retour d'une tâche de soins pris en compte",
    "care_task.due_changed": "Échéance d'une tâche de soins modifiée",
    "care_task.overdue": "Tâche de soins en retard signalée",
    "adverse_event.report": "Déclaration d'un événement indésirable",
    "satisfaction.record": "Enregistrement de la satisfaction du patient",
    "supervision.queue": "Consultation de la file de supervision",
    "supervision.review": "Relecture d'une consultation supervisée",
    "supervision.own": "Consultation de ses propres relectures (docteur junior)",
    "reports.worklists": "Consultation des listes de travail",
    # Security events on accounts (issue 14)
    "security.profession": "Changement de profession d'un compte",
    "security.rpps": "Changement de RPPS d'un compte",
    "security.supervisor_id": "Changement de maître de stage d'un compte",
    "security.is_admin": "Changement des droits d'administration d'un compte",
    "security.password_reset": "Réinitialisation du mot de passe d'un compte",
    "security.created": "Compte créé",
    "security.deactivated": "Compte désactivé",
    "security.reactivated": "Compte réactivé",
    "security.access_grant_requested": "Accès clinique demandé (à confirmer)",
    "security.access_grant_unconfirmed": "Accès clinique accordé sans second administrateur",
    "security.access_grant_confirmed": "Accès clinique confirmé",
    "security.access_grant_refused": "Accès clinique refusé",
    "security.access_grant_acknowledged": "Accès clinique accordé : pris connaissance",
    "api_key.use": "Utilisation d'une clé d'API",
    "api_key.revoke": "Révocation d'une clé d'API",
    # The journal itself
    "access_log.read": "Consultation du journal des accès",
    "access_log.export": "Export du journal des accès (CSV)",
}


def action_label(code: str) -> str:
    """The French label of an action code; the code itself when it has none."""
    return ACTION_LABELS.get(code, code)


def action_choices() -> list[tuple[str, str]]:
    """(code, label) of every action, by label: the journal's action filter."""
    return sorted(ACTION_LABELS.items(), key=lambda item: item[1].casefold())
