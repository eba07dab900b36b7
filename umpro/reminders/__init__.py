"""Appointment reminders: a message (e-mail, SMS) the day before each appointment, once.

- ``models``: the reminder rows and the patients' refusals (opt-outs), per channel;
- ``services``: which reminders are due, claimed, sent, skipped; the figures;
- ``messages``: the words of each message and the appointment's ``.ics``;
- ``optouts``: recording and withdrawing a patient's refusal;
- ``jobs``: the ``reminders`` scheduled job (registered in ``umpro.jobs.registry``);
- ``views``: the patient's reminders page.
"""
