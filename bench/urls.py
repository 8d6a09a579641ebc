"""The portal's URLs plus three baselines that the same gunicorn serves in the same run:

- /bench/bare/: a bare Django view, "ok" (what the framework and the middleware cost);
- /bench/list/: a bare list of 50 risks with their owner (one `select_related` query) rendered
  by a minimal template (what a register page cannot avoid);
- /bench/layout/: the portal's layout with nothing in it, for the user logged in (session,
  permissions, navigation, notifications: what every page of the portal costs before its own
  content).
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.template import engines
from django.urls import include, path

from risks.models import Risk

LIST_TEMPLATE = engines["django"].from_string(
    "<!doctype html><html><head><title>Risks</title></head><body><table>"
    "<thead><tr><th>Reference</th><th>Title</th><th>Owner</th><th>Level</th></tr></thead><tbody>"
    "{% for risk in risks %}<tr><td><a href='{{ risk.get_absolute_url }}'>{{ risk.reference }}"
    "</a></td><td>{{ risk.title }}</td><td>{{ risk.owner }}</td>"
    "<td>{{ risk.get_inherent_level_display }}</td></tr>{% endfor %}</tbody></table></body></html>"
)

LAYOUT_TEMPLATE = engines["django"].from_string(
    '{% extends "base.html" %}{% block content %}{% endblock %}'
)


def bare(request):
    return HttpResponse("ok")


def bare_list(request):
    risks = Risk.objects.select_related("owner").order_by("reference")[:50]
    return HttpResponse(LIST_TEMPLATE.render({"risks": risks}, request))


@login_required
def layout(request):
    return HttpResponse(LAYOUT_TEMPLATE.render({}, request))


urlpatterns = [
    path("bench/bare/", bare),
    path("bench/list/", bare_list),
    path("bench/layout/", layout),
    path("", include("aims.urls")),
]
