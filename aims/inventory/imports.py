"""The AI-system inventory's spreadsheet import: which columns a register of AI systems kept in
Excel may have, what its values mean, and how a review cadence is written.

The wizard and its services are the core's (aims/core/imports/); labels and choices come from
`AISystem`.
"""

import re

from django.utils.translation import gettext_lazy as _

from aims.core.imports.parsing import parse_int
from aims.core.imports.proposals import fold, normalize
from aims.core.imports.services import ImportSpec
from aims.inventory.models import AISystem, SystemImport

# Field → the headers it goes by in registers kept in Excel, English and German, written as
# normalize() would (the spec normalizes them anyway). The order is the wizard's.
# fmt: off
ALIASES = {
    "reference": [
        "reference", "ref", "ref no", "reference number", "reference no", "id", "system id",
        "ai system id", "inventory id", "inventory number", "no", "nr", "number", "referenz",
        "referenznummer", "kennung", "lfd nr", "laufende nummer", "nummer", "inventarnummer",
        "system nr", "code", "use case id",
    ],
    "name": [
        "name", "system name", "ai system", "ai system name", "name of the ai system", "system",
        "title", "application", "ai application", "use case", "ai use case", "tool",
        "bezeichnung", "systemname", "name des ki systems", "ki system", "titel", "anwendung",
        "ki anwendung", "anwendungsfall", "ki anwendungsfall", "name des systems",
    ],
    "purpose": [
        "purpose", "intended use", "intended purpose", "purpose and intended use",
        "description", "use case description", "system description", "objective",
        "zweck", "zweckbestimmung", "verwendungszweck", "einsatzzweck", "beschreibung",
        "zielsetzung", "systembeschreibung", "bestimmungsgemaesse verwendung", "summary",
        "summary of use case", "use case summary", "intended purpose and expected benefits",
    ],
    "foreseeable_misuse": [
        "foreseeable misuse", "reasonably foreseeable misuse", "misuse", "potential misuse",
        "vorhersehbare fehlanwendung", "vernuenftigerweise vorhersehbare fehlanwendung",
        "fehlanwendung", "missbrauch", "vorhersehbarer missbrauch", "fehlgebrauch",
    ],
    "business_unit": [
        "business unit", "department", "unit", "division", "team", "organisational unit",
        "organizational unit", "business area", "geschaeftsbereich", "abteilung", "fachbereich",
        "organisationseinheit", "bereich", "einheit", "fachabteilung", "agency",
        "agency name", "bureau", "component", "bureau component", "office", "ministry",
        "organisation", "organization", "behoerde", "ressort",
    ],
    "owner": [
        "owner", "system owner", "responsible", "responsible person", "accountable",
        "accountable person", "contact", "contact person", "owner name", "verantwortlich",
        "verantwortliche person", "verantwortlicher", "verantwortliche", "systemverantwortlicher",
        "systemverantwortliche", "systemverantwortung", "eigentuemer", "systemeigentuemer",
        "ansprechpartner", "ansprechperson", "owner des systems",
    ],
    "owner_email": [
        "owner email", "owner e mail", "contact email", "contact e mail", "email", "e mail",
        "e mail address", "email address", "e mail adresse",
    ],
    "lifecycle_stage": [
        "lifecycle stage", "life cycle stage", "lifecycle", "life cycle", "lifecycle phase",
        "life cycle phase", "stage", "phase", "development stage", "status im lebenszyklus",
        "lebenszyklusphase", "lebenszyklus", "lebenszyklusstatus", "phase im lebenszyklus",
        "projektphase",
    ],
    "ai_act_roles": [
        "ai act role", "ai act roles", "role", "roles", "role under the ai act",
        "eu ai act role", "our role", "our ai act role", "rolle", "rollen", "rolle nach ki vo",
        "rolle ki verordnung", "rolle nach ki verordnung", "rolle gemaess ki vo", "ki vo rolle",
        "rolle nach ai act", "ai act rolle", "unsere rolle",
    ],
    "area_of_use": [
        "area of use", "area of application", "application area", "domain", "use area",
        "field of application", "business process", "einsatzbereich", "anwendungsbereich",
        "anwendungsgebiet", "einsatzgebiet", "verwendungsbereich", "domaene", "geschaeftsprozess",
    ],
    "deployment_environment": [
        "deployment environment", "environment", "hosting", "deployment", "deployment model",
        "platform", "infrastructure", "einsatzumgebung", "betriebsumgebung", "umgebung",
        "bereitstellung", "plattform", "infrastruktur", "betriebsmodell",
    ],
    "geography": [
        "geography", "region", "regions", "country", "countries", "jurisdiction",
        "jurisdictions", "location", "locations", "markets", "geographic scope", "geografie",
        "geographie", "land", "laender", "standort", "standorte", "rechtsraum", "maerkte",
        "geografischer geltungsbereich",
    ],
    "automation_level": [
        "automation level", "level of automation", "degree of automation", "automation",
        "autonomy", "autonomy level", "level of autonomy", "automatisierungsgrad",
        "automatisierungsstufe", "grad der automatisierung", "autonomiegrad", "autonomie",
        "automatisierung",
    ],
    "human_oversight": [
        "human oversight", "oversight", "oversight measures", "human oversight mechanism",
        "human review", "human control", "menschliche aufsicht", "aufsicht",
        "menschliche ueberwachung", "ueberwachung durch menschen", "aufsichtsmassnahmen",
        "menschliche kontrolle",
    ],
    "affected_persons": [
        "affected persons", "affected people", "affected parties", "affected individuals",
        "affected groups", "data subjects", "impacted persons", "betroffene",
        "betroffene personen", "betroffene personengruppen", "betroffenengruppen",
        "betroffene gruppen", "zielgruppe",
    ],
    "vulnerable_groups": [
        "vulnerable groups", "vulnerable persons", "vulnerable people", "vulnerable",
        "vulnerable groups affected", "children", "minors", "schutzbeduerftige gruppen",
        "schutzbeduerftige personen", "vulnerable gruppen", "besonders schutzbeduerftige",
        "besonders schutzbeduerftige gruppen", "schutzbeduerftig", "kinder", "minderjaehrige",
    ],
    "personal_data": [
        "personal data", "processes personal data", "personal data processed", "pii", "gdpr",
        "personenbezogene daten", "verarbeitung personenbezogener daten",
        "verarbeitet personenbezogene daten", "personenbezug", "dsgvo",
    ],
    "special_category_data": [
        "special category data", "special categories", "special category",
        "special categories of personal data", "special category personal data",
        "processes special category data", "sensitive data", "sensitive personal data", "art 9",
        "art 9 data", "art 9 gdpr", "article 9 data", "besondere kategorien",
        "besondere kategorien personenbezogener daten", "art 9 daten", "art 9 dsgvo",
        "sensible daten", "sensible personenbezogene daten",
    ],
    "in_scope": [
        "in scope", "aims scope", "scope", "in aims scope", "within scope", "in scope of aims",
        "im geltungsbereich", "im scope", "geltungsbereich", "im aims scope", "aims relevant",
        "relevant fuer aims", "im anwendungsbereich des aims",
    ],
    "review_cadence_months": [
        "review cadence", "review cadence months", "review cadence in months",
        "review every months", "review every", "review interval", "review frequency",
        "review cycle", "ueberpruefungsintervall", "pruefintervall", "pruefzyklus",
        "ueberpruefungsrhythmus", "ueberpruefungszyklus", "review intervall", "intervall",
        "turnus", "pruefturnus",
    ],
    "next_review": [
        "next review", "next review date", "review date", "review due", "due date",
        "next assessment", "naechste ueberpruefung", "naechste pruefung", "wiedervorlage",
        "naechster review", "naechste ueberpruefung am", "prueftermin", "naechster prueftermin",
        "faellig am", "wiedervorlagedatum",
    ],
    "status": [
        "status", "system status", "operational status", "state", "betriebsstatus", "zustand",
        "systemstatus", "einsatzstatus",
    ],
}
# fmt: on

# Choice field → code → keywords, English and German. The longest keyword found in a value
# decides, so "deployed – in use" is operation although it starts like "deployment".
# fmt: off
VALUE_KEYWORDS = {
    "lifecycle_stage": {
        "idea": ["idea", "idee", "konzept", "concept", "inception", "ideation", "proposal",
                 "vorschlag", "konzeption", "planung", "planning", "planned", "initiated",
                 "initiation", "geplant"],
        "design": ["design", "development", "in development", "under development",
                   "design and development", "entwicklung", "in entwicklung", "build",
                   "building", "prototype", "prototyp", "aufbau", "acquisition",
                   "acquisition and development", "beschaffung"],
        "verification": ["test", "testing", "in test", "validation", "verification",
                         "verification and validation", "validierung", "verifizierung",
                         "pilot", "piloting", "pilotphase", "pilotierung", "poc",
                         "proof of concept", "erprobung", "testphase", "evaluation", "evaluierung"],
        "deployment": ["rollout", "roll out", "deployment", "deploy", "einfuehrung", "go live",
                       "bereitstellung", "inbetriebnahme", "implementation", "implementierung",
                       "launch"],
        "operation": ["deployed", "in use", "operation", "operations", "in operation",
                      "operation and monitoring", "operational", "production", "in production",
                      "produktiv", "produktion", "produktivbetrieb", "betrieb", "im betrieb",
                      "in betrieb", "im einsatz", "live", "monitoring", "active", "aktiv",
                      "running"],
        "retired": ["retired", "retirement", "decommissioned", "abgeschaltet", "stillgelegt",
                    "ausser betrieb", "eingestellt", "abgeloest", "not in use", "no longer used",
                    "nicht im einsatz", "nicht mehr im einsatz", "sunset", "archived",
                    "archiviert", "ausgemustert"],
    },
    "automation_level": {
        "assistive": ["assistive", "assistance", "decision support", "advisory", "recommendation",
                      "recommendations", "entscheidungsunterstuetzung", "assistenz",
                      "assistierend", "unterstuetzend", "empfehlung", "beratend",
                      "assistenzsystem", "a person decides", "mensch entscheidet selbst"],
        "human_in_loop": ["human in the loop", "human in loop", "hitl", "mensch entscheidet",
                          "menschliche freigabe", "freigabe durch menschen", "human approval",
                          "manual approval", "semi automated", "partially automated",
                          "teilautomatisiert", "teilautomatisch", "mensch in der schleife"],
        "human_on_loop": ["human on the loop", "human on loop", "hotl", "ueberwacht",
                          "supervised", "monitored", "human oversight",
                          "menschliche ueberwachung", "mit menschlicher ueberwachung",
                          "mensch ueberwacht"],
        "autonomous": ["fully automated", "autonomous", "fully autonomous", "autonom",
                       "vollautomatisch", "vollautomatisiert", "automatisiert", "automated",
                       "automatic", "automatisch", "human out of the loop",
                       "ohne menschliche beteiligung"],
    },
    "status": {
        "planned": ["planned", "geplant", "in planung", "planning", "proposed", "beantragt",
                    "vorgesehen"],
        "in_use": ["active", "in use", "aktiv", "im einsatz", "in betrieb", "im betrieb",
                   "live", "productive", "produktiv", "in production", "operational", "running"],
        "suspended": ["suspended", "paused", "on hold", "ausgesetzt", "pausiert", "inactive",
                      "inaktiv", "gestoppt", "stopped", "deaktiviert", "disabled"],
        "decommissioned": ["decommissioned", "retired", "abgeschaltet", "ausser betrieb",
                           "stillgelegt", "eingestellt", "discontinued", "abgeloest",
                           "not in use", "nicht im einsatz", "nicht mehr im einsatz",
                           "archived", "archiviert"],
    },
    "ai_act_roles": {
        "provider": ["provider", "anbieter", "hersteller", "developer", "entwickler",
                     "ki anbieter", "ai provider"],
        "deployer": ["deployer", "betreiber", "user", "nutzer", "anwender", "verwender",
                     "betreiberin"],
        "importer": ["importer", "einfuehrer", "importeur"],
        "distributor": ["distributor", "haendler", "vertreiber", "reseller",
                        "wiederverkaeufer"],
        "product_manufacturer": ["product manufacturer", "produkthersteller",
                                 "produkt hersteller", "hersteller des produkts"],
        "authorised_representative": ["authorised representative", "authorized representative",
                                      "bevollmaechtigter", "bevollmaechtigte",
                                      "bevollmaechtigter vertreter", "eu representative",
                                      "representative"],
    },
}
# fmt: on

# A review cadence in words, in months.
# fmt: off
_CADENCE_WORDS = {
    "monthly": 1, "monatlich": 1,
    "quarterly": 3, "vierteljaehrlich": 3, "quartalsweise": 3,
    "half yearly": 6, "semi annually": 6, "semiannually": 6, "halbjaehrlich": 6,
    "yearly": 12, "annually": 12, "annual": 12, "jaehrlich": 12,
    "every two years": 24, "biennial": 24, "zweijaehrlich": 24, "alle zwei jahre": 24,
}
# fmt: on


_MONTHS = re.compile(
    r"(?:(?:every|alle)\s+)?([+-]?\d+(?:[.,]0+)?)\s*(?:months?|mos?\.?|m|monate?n?|mon\.?)?"
)


def parse_months(text):
    """A review cadence in months: "12", "12.0", "12 months", "alle 6 Monate", "quarterly"."""
    value = fold(str(text)).strip()
    if match := _MONTHS.fullmatch(value):
        return parse_int(match.group(1))
    if (words := normalize(value)) in _CADENCE_WORDS:
        return _CADENCE_WORDS[words]
    return parse_int(text)  # empty, or refused naming the value


AI_SYSTEMS = ImportSpec(
    model=AISystem,
    record_model=SystemImport,
    fields=list(ALIASES),
    aliases=ALIASES,
    keywords=VALUE_KEYWORDS,
    parsers={"review_cadence_months": parse_months},
    match_on=["name"],
    description_fields=["purpose"],
    named_persons={"owner": ("owner_name", "owner_email")},
    intro=_(
        "Bring the register you already keep: a CSV or Excel file with one AI system per row. "
        "Title rows above the header are fine. Nothing is saved until you confirm the preview."
    ),
    preview_fields=["name", "owner", "lifecycle_stage", "next_review"],
)
