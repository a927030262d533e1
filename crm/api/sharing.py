"""Endpoints for sharing a pairing with partner accounts."""

from __future__ import annotations

from flask import Response, jsonify, url_for

from crm import access
from crm.api import auth
from crm.api.core import ApiError, answer, bp, parse_body, require, visible_partnership
from crm.api.schemas import ShareCreate, ShareOut
from crm.auth.models import User
from crm.db import session
from crm.sharing import services


@bp.get("/partnerships/<id:partnership_id>/shares")
def list_shares(partnership_id: int) -> Response:
    partnership = visible_partnership(partnership_id)
    require(access.can_see_other_users(auth.api_user()))
    shares = [
        ShareOut.of(share).model_dump(mode="json") for share in services.shares_of(partnership)
    ]
    # A pairing is shared with a handful of partners: one page, no cursor.
    return jsonify({"items": shares, "next_cursor": None})


@bp.post("/partnerships/<id:partnership_id>/shares")
def create_share(partnership_id: int) -> Response:
    user = auth.api_user()
    partnership = visible_partnership(partnership_id)
    require(access.can_share(user))
    body = parse_body(ShareCreate)
    partner = session.get(User, body.user_id)
    if partner is None:
        raise ApiError(422, "There is no user with that id.", fields={"user_id": ["unknown"]})
    share = services.share(partnership, partner, by=user)
    session.commit()
    return answer(ShareOut.of(share), 201, url_for(".list_shares", partnership_id=partnership.id))


@bp.delete("/partnerships/<id:partnership_id>/shares/<id:user_id>")
def delete_share(partnership_id: int, user_id: int) -> Response:
    user = auth.api_user()
    partnership = visible_partnership(partnership_id)
    require(access.can_share(user))
    partner = session.get(User, user_id)
    if partner is None or not any(s.user_id == partner.id for s in services.shares_of(partnership)):
        raise ApiError(404, "This pairing is not shared with that user.")
    services.unshare(partnership, partner)
    session.commit()
    return Response(status=204)
