"""Who may do what: the one place that decides.

``can(user, action, obj)`` answers for views, the API and templates alike; nothing
else tests professions to grant access. Actions are dotted names; each maps to a rule
taking the user and the object concerned (or None).
"""

from collections.abc import Callable
from functools import wraps

from flask import abort
from flask_login import current_user

from umpro.team.professions import CLINICIANS, Profession

Rule = Callable[[object, object], bool]
RULES: dict[str, Rule] = {}


def rule(*actions: str):
    def register(fn: Rule) -> Rule:
        for action in actions:
            if action in RULES:
                raise RuntimeError(f"permission {action!r} defined twice")
            RULES[action] = fn
        return fn

    return register


def can(user, action: str, obj=None) -> bool:
    """True when ``user`` may perform ``action`` (on ``obj``). Unknown actions raise."""
    check = RULES[action]
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if obj is not None and getattr(obj, "practice_id", user.practice_id) != user.practice_id:
        return False
    return check(user, obj)


def require(action: str):
    """View decorator: 403 unless ``can(current_user, action)``."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not can(current_user, action):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def is_clinician(user) -> bool:
    return user.profession in CLINICIANS


# --- Foundation -------------------------------------------------------------------


@rule("team.manage", "rooms.manage", "audit.view", "jobs.manage")
def _admin_only(user, obj) -> bool:
    return user.is_admin


@rule("team.list", "profile.edit", "api.me", "nav.agenda", "nav.patients")
def _any_member(user, obj) -> bool:
    return True


@rule("nav.inbox", "nav.patient_list")
def _gps(user, obj) -> bool:
    return user.profession in (Profession.GP, Profession.JUNIOR_DOCTOR)


@rule("nav.task_queue")
def _nurses(user, obj) -> bool:
    return user.profession in (Profession.ASALEE_NURSE, Profession.APN_NURSE, Profession.NURSE)
