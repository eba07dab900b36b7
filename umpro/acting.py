"""Who acts, when, and from where: what a service acting for someone takes.

A page or an API endpoint builds it once per request (``umpro.web.acting``): the signed-in
staff member, the time of the request in UTC and the client's address. A service passes
it on whole to the services it calls and to the access log, so no caller can forget the
address or take another clock. Jobs, the command line and the demo build one with no
address (``ip=""``): nobody is connected to them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from umpro.team.models import Staff


@dataclass(frozen=True, slots=True)
class Acting:
    #: The staff member acting; ``None`` for the rare rows no one signs (a failed sign-in).
    actor: Staff | None
    #: The time of the action, in UTC (the request's, the job's or the test's).
    now: datetime
    #: The client's address for the access log; empty where there is none.
    ip: str = ""
