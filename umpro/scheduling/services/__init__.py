"""Scheduling services, split by sub-domain.

- ``catalogue``: appointment types;
- ``templates``: weekly availability rules and absences (the agenda templates);
- ``openings``: when an agenda is open, from rules, absences and public holidays;
- ``slots``: the next free slots of a type;
- ``booking``: book, move, cancel, mark arrived/fulfilled/no-show, with the history;
- ``holds``: time held for same-day care, its release and its end (used/released/lost);
- ``regulation``: SAS hours and the regulator's booking rules; PDSA;
- ``sameday``: the desk screen's proposals and the unscheduled-care figures;
- ``junior``: the docteur junior's supervision rule and monthly count of acts.
"""
