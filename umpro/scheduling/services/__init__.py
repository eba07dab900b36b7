"""Scheduling services, split by sub-domain.

- ``catalogue``: appointment types;
- ``templates``: weekly availability rules and absences (the agenda templates);
- ``openings``: when an agenda is open, from rules, absences and public holidays;
- ``slots``: the next free slots of a type;
- ``booking``: book, move, cancel, mark arrived/fulfilled/no-show, with the history;
- ``junior``: the docteur junior's supervision rule and monthly count of acts.
"""
