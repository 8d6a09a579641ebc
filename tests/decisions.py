"""Deciding through the one decide page, as a browser posts it."""

from django.urls import reverse

from aims.core.approvals import approvals, content_sha256


def decide_url(key, obj):
    return reverse("core:decide", args=[key, obj.pk])


def decision_payload(key, obj, **data):
    """What the decide page posts: the content hash it showed and the first outcome."""
    approval = approvals[key]
    obj.refresh_from_db()
    return {"seen": content_sha256(approval, obj), "outcome": approval.outcomes[0][0], **data}


def post_decision(client, key, obj, **data):
    return client.post(decide_url(key, obj), decision_payload(key, obj, **data))
