"""The one registry of computed KPIs: each is a function of a period that returns the value the
portal's own data gives for it. Apps declare theirs in their `kpis.py` (autodiscovered when the
objectives app is ready), so a new computed KPI is one decorated function:

    @computed_kpi("controls_implemented", _("Annex A controls implemented"), unit="%")
    def controls_implemented(period_start, period_end):
        return Decimal(...)
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ImproperlyConfigured

_REGISTRY = {}


@dataclass(frozen=True)
class ComputedKPI:
    code: str
    label: str
    unit: str
    higher_is_better: bool
    function: object

    def __call__(self, period_start, period_end):
        return Decimal(self.function(period_start, period_end))


def computed_kpi(code, label, unit="%", higher_is_better=True):
    """Register `fn(period_start, period_end) -> Decimal` as the computed KPI `code`."""

    def register(function):
        if code in _REGISTRY and _REGISTRY[code].function is not function:
            raise ImproperlyConfigured(f"Two computed KPIs have the code {code!r}.")
        _REGISTRY[code] = ComputedKPI(code, label, unit, higher_is_better, function)
        return function

    return register


def computed_kpis():
    """The registered computed KPIs by code."""
    return dict(_REGISTRY)


def computed_kpi_choices():
    return sorted(
        ((code, entry.label) for code, entry in _REGISTRY.items()), key=lambda c: str(c[1])
    )


def share(part, whole):
    """`part` of `whole` in per cent with one decimal; 0 of nothing is 0 %."""
    if not whole:
        return Decimal(0)
    return (Decimal(100) * part / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
