"""/api/docs/: the interactive API documentation (Swagger UI, served from static/vendor)."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.views.generic import TemplateView


class ApiDocsView(LoginRequiredMixin, TemplateView):
    template_name = "api/docs.html"
