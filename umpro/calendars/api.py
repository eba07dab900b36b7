"""Feed endpoints of /api/v1/: list one's feeds, create one (its URL shown once), revoke."""

from flask import jsonify
from flask_login import current_user

from umpro.api import bp, openapi
from umpro.api import input as read
from umpro.auth.permissions import require
from umpro.calendars import services
from umpro.calendars.models import DETAILS, FULL, SCOPES, FeedToken
from umpro.calendars.views import feed_url
from umpro.extensions import db
from umpro.web import acting


def feed_json(feed: FeedToken, *, target_name: str = "") -> dict:
    return {
        "id": feed.id,
        "scope": feed.scope,
        "target_id": feed.target_id,
        "target_name": target_name,
        "detail": feed.detail,
        "label": feed.label,
        "owner_id": feed.owner_id,
        "created_at": feed.created_at.isoformat(),
        "last_used_at": feed.last_used_at.isoformat() if feed.last_used_at else None,
    }


@bp.get("/feeds")
@require("calendars.feeds")
@openapi.describe("listFeeds", openapi.many("Feed"))
def feed_list():
    """Mes calendriers (flux iCal) actifs"""
    feeds = services.list_feeds(db.session, owner=current_user)
    names = services.target_names(db.session, feeds)
    return jsonify({"items": [feed_json(f, target_name=names.get(f.id, "")) for f in feeds]})


@bp.post("/feeds")
@require("calendars.feeds")
@openapi.describe("createFeed", openapi.created("NewFeed"), body="FeedInput")
def feed_create():
    """Créer un flux iCal ; son adresse secrète n'est donnée qu'ici"""
    data = read.body()
    feed, secret = services.create_feed(
        db.session,
        acting=acting(),
        owner=current_user,
        data=services.FeedInput(
            scope=read.text(data, "scope", default="staff"),
            target_id=read.identifier(data, "target_id"),
            detail=read.text(data, "detail", default="busy"),
            label=read.text(data, "label"),
        ),
    )
    body = feed_json(feed, target_name=services.target_names(db.session, [feed]).get(feed.id, ""))
    body["url"] = feed_url(secret)
    if feed.detail == FULL:
        body["warning"] = services.FULL_DETAIL_WARNING
    return jsonify(body), 201


@bp.delete("/feeds/<int:feed_id>")
@require("calendars.feeds")
@openapi.describe("revokeFeed", {"204": {"description": "Révoqué"}})
def feed_delete(feed_id: int):
    """Révoquer un flux iCal (titulaire ou administrateur)"""
    services.revoke_feed(db.session, acting=acting(), feed_id=feed_id)
    return "", 204


_FEED = openapi.obj(
    {
        "id": "integer",
        "scope": openapi.prop("string", enum=list(SCOPES)),
        "target_id": {"type": ["integer", "null"]},
        "target_name": "string",
        "detail": openapi.prop("string", enum=list(DETAILS)),
        "label": "string",
        "owner_id": "integer",
        "created_at": "date-time",
        "last_used_at": {"type": ["string", "null"], "format": "date-time"},
    },
    required=["id", "scope", "detail", "owner_id", "created_at"],
)
openapi.schemas(
    {
        "Feed": _FEED,
        "NewFeed": {
            **_FEED,
            "required": [*_FEED["required"], "url"],
            "properties": {
                **_FEED["properties"],
                "url": openapi.prop(
                    "string", "Adresse secrète du flux iCal, affichée une seule fois", format="uri"
                ),
                "warning": openapi.prop(
                    "string", "Avertissement (hébergement de données de santé) au niveau full"
                ),
            },
        },
        "FeedInput": openapi.obj(
            {
                "scope": openapi.prop("string", enum=list(SCOPES), default="staff"),
                "target_id": openapi.prop(
                    {"type": ["integer", "null"]},
                    "Membre de l'équipe (staff) ou salle (room) ; absent : votre propre agenda",
                ),
                "detail": openapi.prop("string", enum=list(DETAILS), default="busy"),
                "label": openapi.prop("string", maxLength=100),
            }
        ),
    }
)
