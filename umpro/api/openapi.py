"""The OpenAPI 3.1 description of /api/v1/, assembled from what each domain registers."""

from copy import deepcopy

_PATHS: dict[str, dict] = {}
_SCHEMAS: dict[str, dict] = {
    "Error": {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message"],
                "properties": {
                    "code": {"type": "string"},
                    "message": {"type": "string", "description": "Phrase en français"},
                    "field": {"type": "string"},
                },
            }
        },
    },
    "Staff": {
        "type": "object",
        "required": ["id", "email", "display_name", "profession"],
        "properties": {
            "id": {"type": "integer"},
            "email": {"type": "string", "format": "email"},
            "display_name": {"type": "string"},
            "profession": {"type": "string"},
            "is_admin": {"type": "boolean"},
        },
    },
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
    return {
        "type": "object",
        "required": ["items"],
        "properties": {"items": {"type": "array", "items": ref(name)}},
    }


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
