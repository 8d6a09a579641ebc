from aims.core.registry import registry
from audits.incidents.urls import urlpatterns as incident_urls
from audits.internal.urls import urlpatterns as internal_audit_urls
from audits.nonconformities.urls import urlpatterns as nonconformity_urls
from audits.packs.urls import urlpatterns as pack_urls
from audits.review.urls import urlpatterns as review_urls

app_name = "audits"
urlpatterns = [
    *registry.urlpatterns("audits"),
    *internal_audit_urls,
    *nonconformity_urls,
    *incident_urls,
    *review_urls,
    *pack_urls,
]
