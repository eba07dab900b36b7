"""Import every model so the metadata (and Alembic) sees the whole schema."""

from umpro import domain_modules
from umpro.auth.models import AccessLog, ApiKey, AuthSession, LoginAttempt
from umpro.team.models import Practice, Room, Staff, StaffChange, assisted_gp
from umpro.versioning import PracticeDataVersion

DOMAIN_MODELS = list(domain_modules("models"))

__all__ = [
    "AccessLog",
    "ApiKey",
    "AuthSession",
    "LoginAttempt",
    "Practice",
    "PracticeDataVersion",
    "Room",
    "Staff",
    "StaffChange",
    "assisted_gp",
]
