"""Delegation services, split by sub-domain.

- ``protocols``: the catalogue, the reference protocols;
- ``memberships``: delegates trained and declared for a protocol;
- ``consents``: the patient's consent per protocol, and its withdrawal;
- ``tasks``: the hand-off, the queue, the inbox, a patient's tasks;
- ``transitions``: the state machine (``umpro.delegation.states``) carried out;
- ``sessions``: sessions booked in the agenda, the GP's acknowledgement, follow-up;
- ``overdue``: the overdue job's service;
- ``quality``: adverse events and satisfaction;
- ``indicators``: the ARS indicators per protocol and year;
- ``supervision``: the maître de stage's review of the docteur junior's entries.
"""
