"""The OpenAPI 3.1 description of /api/v1/, and the few builders the domains write it with.

Each domain registers its schemas (``schemas``) and describes each endpoint on its route
(``describe``): the path and its parameters are read from the route itself, so a path is
written once and the description cannot drift from it."""

import inspect
import re
from collections.abc import Callable, Sequence
from copy import deepcopy

from flask import Flask

#: Property types by short name: what ``prop`` and ``obj`` read.
_TYPES = {
    "array": {"type": "array"},
    "boolean": {"type": "boolean"},
    "integer": {"type": "integer"},
    "number": {"type": "number"},
    "object": {"type": "object"},
    "string": {"type": "string"},
    "date": {"type": "string", "format": "date"},
    "date-time": {"type": "string", "format": "date-time"},
    "email": {"type": "string", "format": "email"},
}


def prop(kind: str | dict, description: str | None = None, **details) -> dict:
    """A property's schema: a type by its short name (``"integer"``, ``"date"``…, see
    ``_TYPES``) with its ``description`` and other ``details`` (``enum``, ``default``…), or
    a schema as it is."""
    schema = dict(_TYPES[kind]) if isinstance(kind, str) else kind
    if details or description:
        schema = {**schema, **details}
        if description:
            schema["description"] = description
    return schema


def obj(properties: dict[str, str | dict], *, required: Sequence[str] = ()) -> dict:
    """An object schema; each property a short type name or a schema (see ``prop``)."""
    schema: dict = {"type": "object"}
    if required:
        schema["required"] = list(required)
    schema["properties"] = {name: prop(kind) for name, kind in properties.items()}
    return schema


_SCHEMAS: dict[str, dict] = {
    "Error": obj(
        {
            "error": obj(
                {
                    "code": "string",
                    "message": prop("string", "Phrase en français"),
                    "field": "string",
                },
                required=["code", "message"],
            )
        },
        required=["error"],
    ),
}


def schemas(new: dict[str, dict]) -> None:
    _SCHEMAS.update(new)


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def list_of(name: str) -> dict:
    return obj({"items": prop("array", items=ref(name))}, required=["items"])


def ok(schema: dict, description: str = "OK", status: str = "200") -> dict:
    return {
        status: {"description": description, "content": {"application/json": {"schema": schema}}}
    }


def one(name: str) -> dict:
    """The answer of an operation that returns one ``name``."""
    return ok(ref(name))


def many(name: str) -> dict:
    """The answer of an operation that returns ``{"items": [name, …]}``."""
    return ok(list_of(name))


def created(name: str, description: str = "Créé") -> dict:
    """The answer of an operation that creates one ``name`` (201)."""
    return ok(ref(name), description, "201")


ERRORS = {
    str(code): {"description": text, "content": {"application/json": {"schema": ref("Error")}}}
    for code, text in [
        (400, "Requête mal formée"),
        (401, "Non authentifié"),
        (403, "Interdit"),
        (404, "Introuvable"),
        (409, "Conflit"),
        (422, "Refusé par une règle"),
    ]
}


def request_body(name: str, *, required: bool = True) -> dict:
    """A JSON request body of the schema ``name``."""
    return {"required": required, "content": {"application/json": {"schema": ref(name)}}}


def param(
    name: str, description: str = "", *, kind: str = "string", required: bool = False, **details
) -> dict:
    """A query-string parameter; ``kind`` and ``details`` as ``prop`` reads them."""
    parameter: dict = {"name": name, "in": "query", "required": required}
    if description:
        parameter["description"] = description
    parameter["schema"] = prop(kind, **details)
    return parameter


def describe(
    operation_id: str,
    answer: dict,
    *,
    query: Sequence[dict] = (),
    body: str | dict | None = None,
) -> Callable:
    """Describe the API endpoint it decorates: ``answer`` (``one``, ``many``, ``created``,
    or responses by status) or an error of ``ERRORS``, the ``query`` parameters, the
    request ``body`` (a schema name, or ``request_body(…)``). The summary is the view's
    docstring (its first paragraph; the rest, if any, is the description); the path and
    its parameters are the route's (see ``paths``)."""
    description = {
        "operationId": operation_id,
        "query": list(query),
        "requestBody": request_body(body) if isinstance(body, str) else body,
        "responses": {**answer, **ERRORS},
    }

    def decorate(view: Callable) -> Callable:
        view.openapi = description  # type: ignore[attr-defined]
        return view

    return decorate


#: A variable part of a rule: ``<int:task_id>`` or ``<name>``.
_VARIABLE = re.compile(r"<(?:(\w+):)?(\w+)>")
_KINDS = {"int": "integer", "": "string", "string": "string"}


def _path_item(prefix: str, rule, view: Callable) -> tuple[str, dict]:
    """The OpenAPI path of ``rule`` below ``prefix`` and the operation ``view`` describes."""
    described = view.openapi
    path = _VARIABLE.sub(r"{\2}", rule.rule.removeprefix(prefix))
    parameters = [
        {"name": name, "in": "path", "required": True, "schema": {"type": _KINDS[converter]}}
        for converter, name in _VARIABLE.findall(rule.rule)
    ] + described["query"]
    summary, _, more = (inspect.getdoc(view) or "").partition("\n\n")
    operation = {"summary": " ".join(summary.split()), "operationId": described["operationId"]}
    if more:
        operation["description"] = more
    if parameters:
        operation["parameters"] = parameters
    if described["requestBody"] is not None:
        operation["requestBody"] = described["requestBody"]
    operation["responses"] = described["responses"]
    return path, operation


def paths(app: Flask, prefix: str) -> dict[str, dict]:
    """The path items of every described endpoint whose rule starts with ``prefix``."""
    found: dict[str, dict] = {}
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        if not rule.rule.startswith(prefix) or not hasattr(view, "openapi"):
            continue
        path, operation = _path_item(prefix, rule, view)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found.setdefault(path, {})[method.lower()] = deepcopy(operation)
    return found


def document(app: Flask, prefix: str) -> dict:
    """The whole description of the endpoints below ``prefix`` (``/api/v1``)."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "UMPro API",
            "version": "1",
            "description": "API de l'équipe de soins. Messages d'erreur en français.",
        },
        "servers": [{"url": prefix}],
        "security": [{"bearer": []}, {"session": []}],
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "session": {"type": "apiKey", "in": "cookie", "name": "umpro_session"},
            },
            "schemas": deepcopy(_SCHEMAS),
        },
        "paths": paths(app, prefix),
    }
