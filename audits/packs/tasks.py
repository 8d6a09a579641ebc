"""The worker's task for audit packs: thin, the service does the work."""

from celery import shared_task

from audits.models import AuditPack
from audits.packs.services import pack_render

__all__ = ["render_audit_pack"]


@shared_task
def render_audit_pack(pack_id):
    pack = AuditPack.objects.filter(pk=pack_id).first()
    if pack is None:
        return None
    return pack_render(pack=pack)
