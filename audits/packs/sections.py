"""The sections of an audit pack: each one a function that collects what the pack's reader may
see and a template that prints it.

Content modules (`audits/packs/contents/*.py`) declare their sections with `@section(...)`; the
pack lists them in `order`. A section whose `model` is not a register of this installation is
not offered, and a section whose function returns None (nothing to show) is left out.
"""

from dataclasses import dataclass, field
from datetime import date
from importlib import import_module
from pkgutil import iter_modules

from django.db.models import QuerySet


@dataclass(frozen=True)
class PackScope:
    """What one pack covers, for whom: every section reads through this."""

    user: object
    # The AI systems chosen; empty: the whole AIMS.
    systems: tuple = ()
    since: date | None = None
    until: date | None = None
    include_evidence: bool = False
    reference: str = ""

    @property
    def whole_aims(self):
        return not self.systems

    def visible(self, model, action="view"):
        """The model's objects the reader may see (the one permission layer)."""
        return model._default_manager.restrict(self.user, action)

    def for_systems(self, queryset: QuerySet, path):
        """`queryset` narrowed to the chosen AI systems along `path` (e.g. "ai_systems",
        "risk__ai_systems"); unchanged for the whole AIMS."""
        if self.whole_aims:
            return queryset
        return queryset.filter(**{f"{path}__in": [system.pk for system in self.systems]}).distinct()

    def in_period(self, queryset: QuerySet, field_name):
        """`queryset` narrowed to the pack's period on a date or date-time field."""
        field = queryset.model._meta.get_field(field_name)
        lookup = (
            f"{field_name}__date" if field.get_internal_type() == "DateTimeField" else field_name
        )
        if self.since:
            queryset = queryset.filter(**{f"{lookup}__gte": self.since})
        if self.until:
            queryset = queryset.filter(**{f"{lookup}__lte": self.until})
        return queryset


@dataclass(frozen=True)
class Section:
    key: str  # also the anchor and the template's name: audits/pack/<key>.html
    title: object  # lazy translated
    build: object  # build(scope) -> dict for the template, or None: nothing to show
    order: int
    model: type | None = None  # offered only where this model is a register
    template: str = field(default="")

    @property
    def template_name(self):
        return self.template or f"audits/pack/{self.key}.html"

    @property
    def available(self):
        from aims.core.registry import registry

        return self.model is None or any(r.model is self.model for r in registry)


_sections = {}


def section(key, title, *, order, model=None, template=""):
    """Decorator: declare `build(scope)` as the pack section `key`."""

    def declare(build):
        _sections[key] = Section(
            key=key, title=title, build=build, order=order, model=model, template=template
        )
        return build

    return declare


def all_sections():
    """The sections of this installation, in pack order."""
    load_contents()
    return sorted((s for s in _sections.values() if s.available), key=lambda s: s.order)


def load_contents():
    from audits.packs import contents

    for module in iter_modules(contents.__path__):
        import_module(f"{contents.__name__}.{module.name}")
