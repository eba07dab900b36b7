"""Shared agenda: appointment types, availability rules, absences, slots and booking."""
