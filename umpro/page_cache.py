"""Pages answered again while their data has not changed (issue 11).

A secretary's team day view is asked for again and again while nothing in the practice
changes. ``@cached_page`` keeps the HTML a view rendered and gives it back to the same
person, in the same browser session, while all of these stay the same:

- the practice's data version (``umpro.versioning``: the database raises it at any
  change of a row a page may show, whoever writes it);
- the minute (what depends on the clock, such as the line marking "now", is at most a
  minute old, like a page left open);
- the user, their browser session (the page carries its CSRF token) and the URL.

So no one ever sees another user's page, nor a page older than the data. Each answer
still writes its access-log row: the rows the view recorded are recorded again, at the
time and from the address of this request. A page that flashed a message, or a request
that has one to show, is not kept.

A part of a page that reads what is not versioned (the patient page's "who saw this
file", read from the access log) is a *live part*: ``cached_page(live=(name, render))``
asks the view to leave ``LIVE`` in its place (``live_part(name)`` is then true), and
``render(**view_args)`` fills it at every answer, kept or not.

The store is each process's own, bounded in bytes (``UMPRO_PAGE_CACHE_BYTES``; 0 turns it
off), the oldest used page leaving first.
"""

import threading
from collections import OrderedDict
from dataclasses import dataclass
from functools import wraps

from flask import current_app, g, get_flashed_messages, make_response, request, session
from flask_login import current_user

from umpro.auth import audit
from umpro.db import utcnow
from umpro.extensions import db
from umpro.versioning import practice_version
from umpro.web import client_ip


@dataclass(frozen=True)
class _Page:
    body: bytes
    headers: tuple[tuple[str, str], ...]
    accesses: tuple[dict, ...]


class PageStore:
    """A byte-bounded LRU of pages, shared by the threads of one process."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self.size = 0
        self.hits = self.misses = 0
        self._pages: OrderedDict[tuple, _Page] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple) -> _Page | None:
        with self._lock:
            page = self._pages.get(key)
            if page is None:
                self.misses += 1
                return None
            self._pages.move_to_end(key)
            self.hits += 1
            return page

    def put(self, key: tuple, page: _Page) -> None:
        if len(page.body) > self.max_bytes:
            return
        with self._lock:
            old = self._pages.pop(key, None)
            if old is not None:
                self.size -= len(old.body)
            self._pages[key] = page
            self.size += len(page.body)
            while self.size > self.max_bytes:
                _, evicted = self._pages.popitem(last=False)
                self.size -= len(evicted.body)


def store() -> PageStore | None:
    """This process's store for the current app (None when turned off)."""
    app = current_app._get_current_object()
    max_bytes = app.config["UMPRO_PAGE_CACHE_BYTES"]
    if max_bytes <= 0:
        return None
    found = app.extensions.get("umpro_page_cache")
    if found is None or found.max_bytes != max_bytes:
        found = app.extensions["umpro_page_cache"] = PageStore(max_bytes)
    return found


#: Headers a kept page is answered with (the others are each request's own).
_KEPT_HEADERS = ("Content-Type",)


def _key() -> tuple | None:
    token = session.get("csrf_token")
    if token is None or session.get("_flashes"):
        return None
    return (
        request.endpoint,
        request.host_url,
        request.full_path,
        current_user.id,
        current_user.practice_id,
        token,
        utcnow().replace(second=0, microsecond=0),
        practice_version(db.session, current_user.practice_id),
    )


#: Where a live part goes in a kept page.
LIVE = "<!--umpro:live-part-->"


def live_part(name: str) -> bool:
    """Inside a view kept by ``cached_page(live=(name, …))``: render ``LIVE`` in place of
    the part ``name``, which the decorator fills at each answer."""
    return g.get("umpro_live_part") == name


def cached_page(view=None, *, live=None):
    """Answer ``view`` (a GET page of HTML) from the store while its key holds; with
    ``live=(name, render)``, fill the page's live part at every answer."""
    if view is None:
        return lambda view: cached_page(view, live=live)

    def fill(body: bytes, kwargs) -> bytes:
        if live is None:
            return body
        return body.replace(LIVE.encode(), live[1](**kwargs).encode(), 1)

    @wraps(view)
    def answer(*args, **kwargs):
        pages = store()
        key = _key() if pages is not None else None
        if key is None:
            return view(*args, **kwargs)
        buffer = db.session.info.get(audit.BUFFER)
        kept = pages.get(key)
        if kept is not None:
            if buffer is not None:
                now, ip = utcnow(), client_ip()
                buffer.extend({**entry, "at": now, "ip": ip} for entry in kept.accesses)
            body = fill(kept.body, kwargs)
            return current_app.response_class(body, headers=list(kept.headers))
        recorded = len(buffer) if buffer is not None else 0
        if live is not None:
            g.umpro_live_part = live[0]
        response = make_response(view(*args, **kwargs))
        g.pop("umpro_live_part", None)
        if response.mimetype != "text/html":
            return response
        body = response.get_data()
        if (
            response.status_code == 200
            and not get_flashed_messages()  # the page shows a message of its own
            and not session.get("_flashes")
        ):
            accesses = tuple(dict(entry) for entry in (buffer or [])[recorded:])
            headers = tuple(
                (h, response.headers[h]) for h in _KEPT_HEADERS if h in response.headers
            )
            pages.put(key, _Page(body, headers, accesses))
        response.set_data(fill(body, kwargs))
        return response

    return answer
