"""The OpenAPI 3.1 description of /api/v1/, assembled from what each domain registers, and
the few builders the domains write it with (``obj``, ``prop``)."""

from collections.abc import Sequence
from copy import deepcopy

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


_PATHS: dict[str, dict] = {}
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


def paths(new: dict[str, dict]) -> None:
    """Register path items (called at import by each domain's api module)."""
    for path, item in new.items():
        _PATHS.setdefault(path, {}).update(item)


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


def operation(operation_id: str, summary: str, answer: dict, **details) -> dict:
    """An operation that answers ``answer`` (``ok(…)``, or another response by status)
    or an error of ``ERRORS``; ``details`` (``parameters``, ``requestBody``…) as they are."""
    return {
        "summary": summary,
        "operationId": operation_id,
        **details,
        "responses": {**answer, **ERRORS},
    }


def body(name: str) -> dict:
    """A required JSON request body, of the schema ``name``."""
    return {"required": True, "content": {"application/json": {"schema": ref(name)}}}


def path_id(name: str) -> dict:
    """The integer parameter ``name`` of a path (``/feeds/{feed_id}``)."""
    return {"name": name, "in": "path", "required": True, "schema": {"type": "integer"}}


def document() -> dict:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "UMPro API",
            "version": "1",
            "description": "API de l'équipe de soins. Messages d'erreur en français.",
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}, {"session": []}],
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "session": {"type": "apiKey", "in": "cookie", "name": "umpro_session"},
            },
            "schemas": deepcopy(_SCHEMAS),
        },
        "paths": deepcopy(_PATHS),
    }
