"""The register machinery: a model declares its table, filter set, form and search fields once
and gets list, detail, create, edit, delete, history and export views, URLs, navigation entries
and role permissions from here.

Apps declare their registers in `registers.py` (autodiscovered by core):

    registry.register(ContextIssue, table=ContextIssueTable, filterset=ContextIssueFilterSet,
                      form=ContextIssueForm, search_fields=("reference", "title"), area="context")
"""

from dataclasses import dataclass, field

from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from aims.core.reversing import cached_reverse, entry_url
from aims.core.roles import DEFAULT_RULES

# Navigation areas in the order of the standard.
AREAS = {
    "context": _("Context"),
    "inventory": _("Inventory"),
    "risks": _("Risks"),
    "controls": _("Controls & SoA"),
    "impact": pgettext_lazy("navigation area", "Impact"),
    "audits": _("Audits & Review"),
}


@dataclass(frozen=True)
class PickerSpec:
    """How pickers (aims/core/pickers.py) search and group a register's entries."""

    # Fields matched by the picker's search: those its labels show (the register's
    # search_fields when empty).
    fields: tuple = ()
    # Optional groups: `group(obj)` names an entry's group; `order_by` keeps each group
    # together, the groups in reading order; `related` for what the group name reads.
    group: object = None
    order_by: tuple = ()
    related: tuple = ()

    def arrange(self, queryset):
        if not self.order_by:
            return queryset
        return queryset.select_related(*self.related).order_by(*self.order_by)


@dataclass(frozen=True)
class Register:
    model: type
    table: type
    filterset: type
    form: type | None  # None: a register of records that no one edits in a form
    area: str
    search_fields: tuple = ()
    roles: dict = field(default_factory=lambda: dict(DEFAULT_RULES))
    # Reverse relations listed on the detail page: (accessor, the child's FK field name).
    related: tuple = ()
    in_menu: bool = True
    # URL segment, e.g. "interested-parties"; the model name when not given.
    url_prefix: str = ""
    # `extra_context(obj, user)` → dict for the detail page (e.g. workflow buttons).
    extra_context: object = lambda obj, user: {}
    # `above_table(request, filtered)` → HTML shown above the list and refreshed with it (a
    # chart of the filtered entries); `filtered(params)` is what the list shows for those
    # query parameters, before paging.
    above_table: object = lambda request, filtered: ""
    # Form fields that may be set on many selected entries at once (bulk edit); none: no bulk
    # edit. Each must be a field of `form` holding one value (no many-to-many).
    bulk_fields: tuple = ()
    # The entry's due dates, one `aims.core.reminders.Due` each: the reminder engine's hourly
    # sweep reminds the people they name (see that module).
    due: tuple = ()
    # How pickers of other forms search and group the entries; None: as the list searches.
    picker: PickerSpec | None = None

    def templates(self, page):
        """The app's own template for a page (`risks/risk_detail.html`) before the generic one."""
        return [f"{self.app_label}/{self.model_name}_{page}.html", f"core/register_{page}.html"]

    @property
    def app_label(self):
        return self.model._meta.app_label

    @property
    def model_name(self):
        return self.model._meta.model_name

    @property
    def label(self):
        """ "risks.risk": names the register in stored data (saved views)."""
        return self.model._meta.label_lower

    @property
    def verbose_name(self):
        return self.model._meta.verbose_name

    @property
    def verbose_name_plural(self):
        return self.model._meta.verbose_name_plural

    def url_name(self, action):
        return f"{self.app_label}:{self.model_name}_{action}"

    def urls(self, obj=None):
        """The register's URLs for templates; with `obj`, its object URLs too."""
        urls = {
            "list": cached_reverse(self.url_name("list")),
            "csv": cached_reverse(self.url_name("export"), args=["csv"]),
            "xlsx": cached_reverse(self.url_name("export"), args=["xlsx"]),
        }
        if self.form is not None:
            urls["add"] = cached_reverse(self.url_name("add"))
        if self.bulk_editable:
            urls["bulk_edit"] = cached_reverse(self.url_name("bulk_edit"))
        if obj is not None:
            for action in self.object_actions:
                urls[action] = entry_url(self.url_name(action), obj.pk)
        return urls

    @property
    def bulk_editable(self):
        return self.form is not None and bool(self.bulk_fields)

    @property
    def object_actions(self):
        """Actions on one entry; without a form an entry is a record: no edit page."""
        return (
            ("detail", "edit", "delete", "history", "pdf")
            if self.form
            else ("detail", "delete", "history", "pdf")
        )

    def urlpatterns(self):
        from aims.core import views

        prefix = self.url_prefix or self.model_name
        routes = {
            "list": (f"{prefix}/", views.RegisterListView),
            "add": (f"{prefix}/add/", views.RegisterCreateView),
            "export": (f"{prefix}/export/<str:fmt>/", views.RegisterExportView),
            "bulk_edit": (f"{prefix}/bulk-edit/", views.RegisterBulkEditView),
            "detail": (f"{prefix}/<int:pk>/", views.RegisterDetailView),
            "edit": (f"{prefix}/<int:pk>/edit/", views.RegisterUpdateView),
            "delete": (f"{prefix}/<int:pk>/delete/", views.RegisterDeleteView),
            "history": (f"{prefix}/<int:pk>/history/", views.RegisterHistoryView),
            "pdf": (f"{prefix}/<int:pk>/pdf/", views.RegisterPdfView),
        }
        if self.form is None:
            del routes["add"], routes["edit"]
        if not self.bulk_editable:
            del routes["bulk_edit"]
        return [
            path(route, view.as_view(register=self), name=f"{self.model_name}_{action}")
            for action, (route, view) in routes.items()
        ]


@dataclass(frozen=True)
class MenuLink:
    """A navigation entry for an app-specific page (a matrix, a questionnaire)."""

    area: str
    label: str
    url_name: str
    permission: str


class Registry:
    def __init__(self):
        self._registers = {}
        self.links = []
        self.attention_providers = []
        self.panels = []

    def register(self, model, **options):
        self._registers[model] = Register(model=model, **options)
        return self._registers[model]

    def add_link(self, area, label, url_name, permission):
        self.links.append(MenuLink(area, label, url_name, permission))

    def attention(self, provider):
        """Decorator: `provider(user)` yields (message, url) pairs for the dashboard."""
        self.attention_providers.append(provider)
        return provider

    def panel(self, provider):
        """Decorator: `provider(request)` returns an HTML fragment for the dashboard, or ""."""
        self.panels.append(provider)
        return provider

    def __iter__(self):
        return iter(self._registers.values())

    def __getitem__(self, model):
        return self._registers[model]

    def get(self, model):
        return self._registers.get(model)

    def for_app(self, app_label):
        return [r for r in self if r.app_label == app_label]

    def urlpatterns(self, app_label):
        return [pattern for r in self.for_app(app_label) for pattern in r.urlpatterns()]


registry = Registry()
