"""API URLs (namespace "api"), included at /api/.

Each register's endpoints mirror its pages' path under /api/v1/: the risk register's list
page /risks/register/ is /api/v1/risks/register/, an entry /api/v1/risks/register/<pk>/
(the app label keeps apart registers of several apps with the same URL segment, such as the
imports). Names: "api:<app_label>.<model_name>-list" and "-detail".

An app adds its own endpoints (workflow steps) in an optional `api` module whose
`urlpatterns` are mounted under /api/v1/ too.
"""

from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from aims.core.api.docs import ApiDocsView
from aims.core.api.views import register_views
from aims.core.registry import registry

app_name = "api"


def register_patterns():
    patterns = []
    for register in registry:
        list_view, entry_view = register_views(register)
        route = f"v1/{register.app_label}/{register.url_prefix or register.model_name}/"
        patterns += [
            path(route, list_view.as_view(), name=f"{register.label}-list"),
            path(f"{route}<int:pk>/", entry_view.as_view(), name=f"{register.label}-detail"),
        ]
    return patterns


def app_patterns():
    """The `urlpatterns` of every installed app's `api` module, under v1/."""
    patterns = []
    for config in apps.get_app_configs():
        module_name = f"{config.name}.api"
        if config.name == "aims.core" or find_spec(module_name) is None:
            continue
        # Only modules that declare endpoints (django.contrib.messages has an `api` too).
        app_urls = getattr(import_module(module_name), "urlpatterns", None)
        if app_urls is not None:
            patterns.append(path("v1/", include(app_urls)))
    return patterns


urlpatterns = [
    *register_patterns(),
    *app_patterns(),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", ApiDocsView.as_view(), name="docs"),
]
