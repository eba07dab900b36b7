"""Property-based tests of the HTML forms (issue 14): every POST route of the pages, with
the WTForms form it validates, gets arbitrary field values (any unicode, control
characters, huge texts, empty, numbers and dates out of range, ids that exist nowhere or
belong to another practice). Whatever the values: never a 5xx, the page is French,
nothing is stored when the input is refused, and a form shown again keeps what was typed.

The forms are found, not listed: each POST route is sent once with only its CSRF token,
by the first of several accounts that gets past the permission check, and the WTForms
forms it validates are recorded (``wtforms.Form.validate``); a route that validates none
(a button, a form read field by field) gets the fields of the form a page offers for
it. Bounded and reproducible: a few examples per route (``derandomize``), no deadline;
``UMPRO_FUZZ_EXAMPLES=200`` for a deeper run."""

import html
import os
import re
from datetime import date
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
import wtforms
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, update
from werkzeug.exceptions import HTTPException
from wtforms import fields as f
from wtforms.csrf.core import CSRFTokenField

from tests import factories, sweep_support
from tests.conftest import Browser

#: Examples per route: a few in CI; more for a deeper run (UMPRO_FUZZ_EXAMPLES=200).
EXAMPLES = int(os.environ.get("UMPRO_FUZZ_EXAMPLES", "6"))

FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

#: Routes that end the signed-in session whatever the input: nothing to fuzz.
SKIP = {"auth.logout"}

#: Values read from the request by views beside their form (radio buttons of searches,
#: checkbox lists built from a protocol).
EXTRA_FIELDS = ("patient_id", "slot", "weekdays", "signs")

#: WTForms' own English messages: a French page never shows them.
ENGLISH = re.compile(
    r"This field is required|Not a valid|Invalid (?:value|email|choice)|Field must be|"
    r"Number must be|is not a valid choice|Invalid CSRF"
)

#: A page that shows a refusal: a field's message, the form's, or an error flashed.
REFUSED = re.compile(r'class="error"|<div class="alert alert-error"|has-error|flash-error')

NASTY = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\x1b[31m",
    "\u202eevil",
    "\ufeff",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "%00",
    "é" * 400,
    "x" * 5000,
    "𝔘𝔐𝔓𝔯𝔬",
    "\r\n\r\n",
    "NaN",
    "-0",
    "１２",
    "٣",
]
NUMBERS = [
    "0",
    "-1",
    "1.5",
    "1e400",
    str(2**31 - 1),
    str(2**31),
    str(2**63),
    str(-(2**63) - 1),
    str(10**40),
    "Infinity",
]
DATES = [
    "0001-01-01",
    "9999-12-31",
    "10000-01-01",
    "2026-02-30",
    "2026-13-01",
    "30/11/2026",
    "31/02/2026",
    "00/00/0000",
    "1899-12-31",
    "2201-01-01",
    "2026-11-30",
    "01/01/1900",
]
TIMES = ["00:00", "23:59", "24:00", "25:61", "12:60", "9", "12:00:00", "-1:00"]

text = st.text(st.characters(exclude_categories=("Cs",)), max_size=60)
nasty = st.sampled_from(NASTY) | text


def _ids(ours: dict, theirs: dict) -> list[str]:
    found = {v for v in [*ours.values(), *theirs.values()] if isinstance(v, int)}
    return sorted(str(v) for v in found | {2**31 - 2})


class Field:
    """What the fuzzer knows of a field: its kind, its offered values, whether it takes
    several values, and whether a page shown again must keep what was typed in it."""

    def __init__(self, kind: str, choices=(), *, multi=False, kept=False):
        self.kind, self.choices, self.multi, self.kept = kind, list(choices), multi, kept


def _describe(field) -> Field:
    """A WTForms field as the fuzzer sees it."""
    choices = []
    if isinstance(field, f.SelectFieldBase) and field.choices:
        for choice in field.choices:
            value = choice[0] if isinstance(choice, tuple | list) else choice
            choices.append("" if value is None else str(value))
    multi = isinstance(field, f.SelectMultipleField)
    if isinstance(field, f.DateField | f.DateTimeField) or "date" in type(field).__name__.lower():
        return Field("date")
    if isinstance(field, f.TimeField):
        return Field("time")
    if isinstance(field, f.IntegerField | f.DecimalField | f.FloatField):
        return Field("number")
    if isinstance(field, f.BooleanField):
        return Field("boolean")
    if choices:
        return Field("choice", choices, multi=multi)
    if field.name.endswith(("_id", "_ids")):
        return Field("number", multi=multi)
    kept = isinstance(field, f.StringField) and not isinstance(
        field, f.PasswordField | f.HiddenField
    )
    return Field("long" if isinstance(field, f.TextAreaField) else "text", kept=kept)


def _field_values(field: Field, ids: list[str]):
    """What may be typed (or forged) in a field: values of its kind, out of range, of
    another kind, or none."""
    ints = st.sampled_from(NUMBERS + ids) | st.integers(-(2**70), 2**70).map(str)
    kinds = {
        "date": st.sampled_from(DATES) | st.dates(date(1, 1, 1), date(9999, 12, 31)).map(str),
        "time": st.sampled_from(TIMES),
        "number": ints,
        "boolean": st.sampled_from(["y", "on", "1", "", "false", "0"]),
        "choice": (st.sampled_from(field.choices) if field.choices else nasty) | ints,
        "long": nasty | st.text(max_size=3000),
    }
    one = kinds.get(field.kind, nasty) | nasty
    if field.multi:
        return st.lists(one, max_size=4)
    return st.none() | one  # None: the field is not sent at all


INSTANTS = [
    "0001-01-01T00:00",
    "9999-12-31T23:59:59",
    "9999-12-31T23:59:59-14:00",
    "0001-01-01T00:00+14:00",
    "2026-11-30T10:00",
    "2026-11-30T10:00:00+01:00",
    "2026-03-29T02:30",
    "2026-11-30",
    "demain",
]


def _extra_values(name: str, ids: list[str]):
    plain = st.sampled_from(ids + NASTY[:6] + NUMBERS[:6])
    if name == "slot":  # "staff id|start|type id", as the offered slots are written
        parts = st.tuples(st.sampled_from(ids), st.sampled_from(INSTANTS), st.sampled_from(ids))
        return st.none() | plain | parts.map("|".join)
    if name in ("weekdays", "signs"):
        return st.none() | st.lists(plain | st.sampled_from(["0", "6", "7", "-1"]), max_size=3)
    return st.none() | plain


def _strategy(fields: dict, ids: list[str]):
    values = {name: _field_values(field, ids) for name, field in fields.items()}
    values |= {name: _extra_values(name, ids) for name in EXTRA_FIELDS if name not in fields}
    return st.fixed_dictionaries(values)


class Recorder:
    """The WTForms forms validated during a request: ``{field name: field}``."""

    def __init__(self, monkeypatch):
        self.fields: dict = {}
        self.forms: list[str] = []
        original = wtforms.Form.validate
        recorder = self

        def validate(form, extra_validators=None):
            recorder.forms.append(type(form).__name__)
            for field in form:
                if not isinstance(field, CSRFTokenField | f.SubmitField):
                    recorder.fields.setdefault(field.name, _describe(field))
            return original(form, extra_validators)

        monkeypatch.setattr(wtforms.Form, "validate", validate)

    def start(self):
        self.fields, self.forms = {}, []


@pytest.fixture
def world(frozen_now, app, session, practice, monkeypatch):
    from umpro.team.models import Staff

    ours = sweep_support.populate(session, practice, name="Fuzz")
    other = factories.make_practice(session, name="MSP Voisine")
    theirs = sweep_support.populate(session, other, name="Voisin")
    admin = factories.make_staff(session, practice, profession="gp", is_admin=True)
    session.commit()
    staff = session.scalars(
        select(Staff).where(Staff.practice_id == practice.id).order_by(Staff.id)
    ).all()
    people = [admin]
    for profession in ("secretary", "nurse", "coordinator", "gp", "junior_doctor"):
        people += [s for s in staff if s.profession == profession and s not in people][:1]
    callers = []
    for person in people:
        b = Browser(app.test_client())
        assert b.login(person.email).status_code == 302
        callers.append(b)
    callers.append(Browser(app.test_client()))  # signed out: the sign-in form
    return {
        "ours": ours,
        "theirs": theirs,
        "callers": callers,
        "recorder": Recorder(monkeypatch),
        "practice_id": practice.id,
    }


def _build(rule, session, world) -> str | None:
    values = {}
    for argument in rule.arguments:
        if isinstance(world["ours"].get(argument), str):
            values[argument] = world["ours"][argument]
        elif argument in ("filename", "section", "name"):
            return None  # static files, placeholders, job names: found on their pages
        else:
            values[argument] = sweep_support.id_for(
                session, argument, world["ours"], world["practice_id"]
            )
    return rule.build(values, append_unknown=False)[1]


def _routes(app, session, world):
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.rule.startswith(("/api/", "/static/")) or rule.endpoint in SKIP:
            continue
        if "POST" in rule.methods:
            yield rule, _build(rule, session, world)


class FormsInPage(HTMLParser):
    """The POST forms of a page: ``[(action, {name: Field})]``."""

    INPUTS = {"number": "number", "date": "date", "time": "time"}
    OFFERED = ("checkbox", "radio", "hidden")

    def __init__(self):
        super().__init__()
        self.forms: list[tuple[str, dict]] = []
        self._fields: dict | None = None
        self._select: Field | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        name = a.get("name")
        if tag == "form":
            self._fields = None
            if (a.get("method") or "get").lower() == "post":
                self._fields = {}
                self.forms.append((a.get("action") or "", self._fields))
        elif self._fields is None or (tag != "option" and (not name or name == "csrf_token")):
            return
        elif tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "reset"):
                return
            field = self._fields.setdefault(
                name,
                Field(
                    "choice" if kind in self.OFFERED else self.INPUTS.get(kind, "text"),
                    multi=kind == "checkbox",
                    kept=kind in ("text", "search", "email", "tel"),
                ),
            )
            if kind in self.OFFERED and a.get("value"):
                field.choices.append(a["value"])
        elif tag == "textarea":
            self._fields.setdefault(name, Field("long", kept=True))
        elif tag == "select":
            self._select = self._fields.setdefault(name, Field("choice", multi="multiple" in a))
        elif tag == "option" and self._select is not None:
            self._select.choices.append(a.get("value") or "")

    def handle_endtag(self, tag):
        if tag == "form":
            self._fields = None
        elif tag == "select":
            self._select = None


def _crawl(app, session, world, wanted: set[str]) -> dict:
    """For the POST endpoints in ``wanted`` that validate no WTForms form (forms read
    field by field, buttons): the form a page offers for them, ``{endpoint: (caller,
    action URL, {name: Field})}``."""
    adapter = app.url_map.bind("localhost")
    found = {}
    pages = [r for r in app.url_map.iter_rules() if "GET" in r.methods]
    for caller in world["callers"]:
        for rule in pages:
            if not wanted - set(found):
                return found
            url = _build(rule, session, world)
            if url is None or rule.rule.startswith(("/api/", "/static/")):
                continue
            response = caller.get(url)
            if response.mimetype != "text/html":
                continue
            parser = FormsInPage()
            parser.feed(response.get_data(as_text=True))
            for action, fields in parser.forms:
                target = urljoin(url, action)
                try:
                    endpoint, _ = adapter.match(urlsplit(target).path, method="POST")
                except HTTPException:
                    continue
                if endpoint in wanted:
                    found.setdefault(endpoint, (caller, target, fields))
    return found


def _discover(session, world, url):
    """The first caller whose POST reaches a form, and that form's fields; else the
    first caller the route lets in (a button, a form read field by field)."""
    recorder = world["recorder"]
    let_in = None
    for caller in world["callers"]:
        recorder.start()
        response = caller.post(url, data={})
        assert response.status_code < 500, f"POST {url} (vide) → {response.status_code}"
        if recorder.fields:
            return caller, dict(recorder.fields), list(recorder.forms)
        refused = response.status_code in (401, 403, 404)
        if let_in is None and not refused and "/login" not in (response.location or ""):
            let_in = caller
    return let_in, {}, []


def _form_data(values: dict) -> dict:
    return {name: value for name, value in values.items() if value is not None}


def _shown_again(body: str, fields: dict, sent: dict) -> tuple[int, list[str]]:
    """How many typed texts the page shown again kept, and the fields it lost."""
    page = html.unescape(body)
    kept, lost = 0, []
    for name, value in sent.items():
        field = fields.get(name)
        if field is None or not field.kept or not isinstance(value, str) or not value.strip():
            continue
        if f'name="{name}"' not in body:
            continue  # a page that shows another form
        if value not in page and value.strip() not in page:
            lost.append(name)
        else:
            kept += 1
    return kept, lost


def _check(session, caller, url, fields, data, counts):
    from umpro.team.models import Staff

    # The preferences form may switch an account to English (accepted): back to French.
    session.execute(update(Staff).values(locale="fr"))
    session.commit()
    before = sweep_support.fingerprint(session)
    response = caller.post(url, data=data)
    status = response.status_code
    assert status < 500, (url, data, response.get_data(as_text=True)[:500])
    counts[status // 100] = counts.get(status // 100, 0) + 1
    if response.mimetype != "text/html":
        return
    body = response.get_data(as_text=True)
    if status in (301, 302, 303):
        return  # accepted (or refused with a message on the next page)
    assert '<html lang="fr"' in body, (url, status)
    found = ENGLISH.search(body)
    assert not found, (url, data, found.group(0))
    if status < 400 and not REFUSED.search(body):
        return  # accepted, and the page says so (a new feed address is shown once)
    session.expire_all()
    after = sweep_support.fingerprint(session)
    changed = sorted(t for t in after if after[t] != before.get(t))
    assert not changed, (f"POST {url} refused ({status}), yet stored", changed, data)
    counts["refused"] = counts.get("refused", 0) + 1
    if "<form" in body:
        kept, lost = _shown_again(body, fields, data)
        assert not lost, (url, status, {n: data[n] for n in lost})
        counts["kept"] = counts.get("kept", 0) + kept


def _fuzz(session, caller, url, fields, ids, counts) -> None:
    @FUZZ
    @given(values=_strategy(fields, ids))
    def check(values):
        _check(session, caller, url, fields, _form_data(values), counts)

    check()


def test_every_form_gets_arbitrary_values_without_a_5xx(app, session, world):
    ids = _ids(world["ours"], world["theirs"])
    covered, counts, missing = [], {}, {}
    # Every form found before any is fuzzed: an accepted correction of an entry must not
    # hide the form that marks it entered in error.
    discovered = [
        (rule, url, *(_discover(session, world, url) if url else (None, {}, [])))
        for rule, url in _routes(app, session, world)
    ]
    for rule, url, caller, fields, forms in discovered:
        if forms:
            _fuzz(session, caller, url, fields, ids, counts)
            covered.append((rule.rule, "+".join(sorted(set(forms)))))
        else:
            missing[rule.endpoint] = (rule.rule, caller, url)
    found = _crawl(app, session, world, set(missing))
    for endpoint, (rule, caller, url) in list(missing.items()):
        if endpoint in found:
            caller, url, fields = found[endpoint]
            kind = "HTML"
        elif caller is not None:
            fields, kind = {}, "button"  # no page offered it here: its URL, extra fields
        else:
            continue
        _fuzz(session, caller, url, fields, ids, counts)
        covered.append((rule, kind))
        del missing[endpoint]
    print(f"forms: {len(covered)} POST routes fuzzed, {EXAMPLES} examples each: {counts}")
    print("not reached:", sorted(rule for rule, _, _ in missing.values()))
    assert len(covered) >= 62, (covered, missing)
    assert counts["refused"] >= 100 and counts["kept"] >= 50, counts  # the checks ran
