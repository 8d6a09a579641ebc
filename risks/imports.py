"""The risk register's spreadsheet import: an existing register (typically an ISMS risk register
in Excel) with its German or English headers, scores written as numbers or words ("3 (3)",
"hoch") and the AI systems named by reference or name.

The wizard and its services are the core's (aims/core/imports/); labels and choices come from
`Risk`.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aims.core.imports.parsing import parse_scale, split_multi
from aims.core.imports.proposals import keyword_pairs, propose_value
from aims.core.imports.services import ImportSpec, entries_named
from aims.inventory.models import AISystem
from controls.models import Control
from risks.models import Risk, RiskCriteria, RiskImport

SCORES = ("inherent_likelihood", "inherent_impact", "residual_likelihood", "residual_impact")

# fmt: off
ALIASES = {
    "reference": ["reference", "ref", "id", "risk id", "risk no", "risiko id", "risiko nr",
                  "risikonummer", "kennung"],
    "title": ["title", "risk", "risk title", "risk name", "name", "threat", "risiko",
              "risikotitel", "titel", "bezeichnung", "risikobezeichnung", "bedrohung",
              "gefaehrdung"],
    "description": ["description", "risk description", "details", "scenario",
                    "beschreibung", "risikobeschreibung", "szenario", "erlaeuterung"],
    "category": ["category", "risk category", "type", "risk type", "kategorie",
                 "risikokategorie", "risikoart", "art", "domain", "risk domain"],
    "risk_source": ["risk source", "source", "cause", "risikoquelle", "quelle", "ursache"],
    "ai_systems": ["ai system", "ai systems", "system", "systems", "asset", "assets",
                   "affected systems", "ki system", "ki systeme", "systeme", "betroffene systeme",
                   "anwendung", "wert", "schutzobjekt"],
    "owner": ["owner", "risk owner", "responsible", "verantwortlich", "risikoeigner",
              "risikoverantwortlicher", "risikoverantwortliche", "verantwortliche person",
              "eigentuemer"],
    "owner_email": ["owner email", "owner e mail", "risk owner email", "email", "e mail",
                    "e mail address", "email address"],
    "inherent_likelihood": ["likelihood", "probability", "inherent likelihood",
                            "gross likelihood", "eintrittswahrscheinlichkeit",
                            "wahrscheinlichkeit", "brutto eintrittswahrscheinlichkeit",
                            "ew", "ew brutto"],
    "inherent_impact": ["impact", "severity", "consequence", "inherent impact", "gross impact",
                        "auswirkung", "schadensausmass", "schadenshoehe", "tragweite",
                        "brutto schadensausmass", "sa", "sa brutto"],
    "imported_score": ["risk rating", "rating", "risk score", "score", "risikowert",
                       "risikobewertung", "risikopunktzahl"],
    "imported_level": ["risk level", "level", "inherent risk level", "risikoniveau",
                       "risikostufe", "risikoklasse"],
    "existing_controls": ["existing controls", "current controls", "controls in place",
                          "existing measures", "current measures", "bestehende massnahmen",
                          "vorhandene massnahmen", "bestehende kontrollen"],
    "treatment_option": ["treatment", "treatment option", "risk treatment", "response",
                         "risikobehandlung", "behandlung", "behandlungsoption", "strategie",
                         "risikostrategie"],
    "residual_likelihood": ["residual likelihood", "residual probability", "net likelihood",
                            "restwahrscheinlichkeit", "netto eintrittswahrscheinlichkeit",
                            "eintrittswahrscheinlichkeit netto", "ew netto"],
    "residual_impact": ["residual impact", "residual severity", "net impact",
                        "restschaden", "netto schadensausmass", "schadensausmass netto",
                        "restauswirkung", "sa netto"],
    "controls": ["controls", "annex a controls", "measures", "controls applied", "massnahmen",
                 "kontrollen", "controls anhang a", "anhang a"],
    "status": ["status", "risk status", "state", "risikostatus", "bearbeitungsstatus"],
    "next_review": ["next review", "review date", "review", "naechste ueberpruefung",
                    "wiedervorlage", "pruefdatum", "naechste pruefung"],
}
KEYWORDS = {
    "category": {
        "bias_fairness": ["bias", "fairness", "discrimination", "diskriminierung",
                          "voreingenommenheit", "fairness und bias"],
        "data_quality": ["data quality", "data", "datenqualitaet", "daten"],
        "model_drift": ["drift", "model drift", "modelldrift", "concept drift"],
        "robustness": ["robustness", "reliability", "accuracy", "robustheit", "zuverlaessigkeit",
                       "genauigkeit", "halluzination", "hallucination"],
        "transparency": ["transparency", "explainability", "transparenz", "erklaerbarkeit",
                         "nachvollziehbarkeit"],
        "privacy": ["privacy", "data protection", "gdpr", "datenschutz", "dsgvo"],
        "security": ["ai security", "ki sicherheit", "prompt injection", "data poisoning",
                     "adversarial", "angriff", "cyber"],
        "safety": ["safety", "betriebssicherheit", "gesundheit", "health and safety",
                   "arbeitssicherheit"],
        "misuse": ["misuse", "abuse", "missbrauch", "fehlanwendung"],
        "third_party": ["third party", "supplier", "vendor", "supply chain", "lieferant",
                        "dienstleister", "drittanbieter", "lieferkette", "outsourcing"],
        "legal": ["legal", "regulatory", "compliance", "recht", "rechtlich", "regulatorisch",
                  "ai act", "ki verordnung"],
        "information_security": ["information security", "it security", "isms", "security",
                                 "informationssicherheit", "it sicherheit", "sicherheit",
                                 "vertraulichkeit", "integritaet", "verfuegbarkeit"],
    },
    "treatment_option": {
        "modify": ["modify", "mitigate", "reduce", "treat", "mindern", "reduzieren", "minimieren",
                   "behandeln", "massnahmen", "verringern"],
        "avoid": ["avoid", "terminate", "vermeiden", "beenden", "einstellen"],
        "share": ["share", "transfer", "insure", "teilen", "uebertragen", "transferieren",
                  "versichern", "auslagern"],
        "retain": ["retain", "accept", "tolerate", "akzeptieren", "tragen", "selbst tragen",
                   "hinnehmen", "beibehalten"],
    },
    "status": {
        "identified": ["identified", "new", "open", "identifiziert", "neu", "offen", "erfasst"],
        "assessed": ["assessed", "analysed", "analyzed", "bewertet", "analysiert"],
        "in_treatment": ["in treatment", "in progress", "treatment", "in behandlung",
                         "in bearbeitung", "massnahmen laufen", "in umsetzung"],
        "review": ["review", "under review", "in review", "ueberpruefung", "in ueberpruefung",
                   "wiedervorlage", "accepted", "akzeptiert"],
        "closed": ["closed", "done", "resolved", "geschlossen", "erledigt", "abgeschlossen"],
    },
}
# fmt: on

# Level words of a scale by its size, lowest first, in English and German.
LEVEL_WORDS = {
    3: [("low", "niedrig", "gering"), ("medium", "mittel"), ("high", "hoch")],
    4: [
        ("low", "niedrig", "gering"),
        ("medium", "mittel"),
        ("high", "hoch"),
        ("very high", "sehr hoch"),
    ],
    5: [
        ("very low", "sehr niedrig", "sehr gering"),
        ("low", "niedrig", "gering"),
        ("medium", "mittel"),
        ("high", "hoch"),
        ("very high", "sehr hoch"),
    ],
    6: [
        ("very low", "sehr niedrig", "sehr gering"),
        ("low", "niedrig", "gering"),
        ("medium", "mittel"),
        ("high", "hoch"),
        ("very high", "sehr hoch"),
        ("extreme", "extrem", "kritisch", "critical"),
    ],
}


def scale_labels(scale):
    """Each level's names: its label in the criteria and the usual level words."""
    words = LEVEL_WORDS[len(scale)]
    return [(entry["label"], *words[position]) for position, entry in enumerate(scale)]


def keep_text(text):
    """Scores wait as text until the row is finished: their scale is the active criteria's."""
    return str(text).strip() or None


def named_systems(text):
    """The AI systems a cell names by reference or name, separated by commas or lines."""
    return entries_named(
        AISystem.objects.all(),
        text,
        fields=("reference", "name"),
        unknown=_("“%(value)s” names no single AI system. Use its reference, e.g. AIS-001."),
    )


def named_controls(text):
    """The controls a cell names by ID ("A.6.2.4, 8.16"), each optionally followed by its
    title."""
    items = split_multi(text)
    if not items:
        return None
    choices = Risk._meta.get_field("controls").get_limit_choices_to()
    controls = []
    for item in items:
        code = item.split()[0]
        control = Control.objects.filter(code__iexact=code, **choices).first()
        if control is None:
            raise ValueError(
                _("“%(value)s” is not the ID of a control, e.g. A.6.2.4 or 8.16.") % {"value": code}
            )
        controls.append(control)
    return controls


# A level as registers write it → the portal's `RiskLevel`, English and German.
LEVEL_KEYWORDS = keyword_pairs(
    {
        "low": ["low", "very low", "niedrig", "gering", "sehr gering", "sehr niedrig", "minor"],
        "medium": ["medium", "moderate", "mittel", "mittelhoch"],
        "high": ["high", "hoch", "major", "significant", "erheblich"],
        "critical": ["critical", "very high", "extreme", "severe", "kritisch", "sehr hoch",
                     "extrem"],
    }
)  # fmt: skip


def level_of(text):
    """The `RiskLevel` code a level in a register's words names ("High", "sehr hoch"), or
    None for a number or words that name none."""
    return propose_value(LEVEL_KEYWORDS, text or "")


def rating_notes(risk):
    """A remark for the preview when the register rated the risk otherwise than the portal."""
    if not risk.imported_level_differs:
        return []
    return [
        _(
            "The register rates it “%(level)s”; under the active risk criteria its inherent "
            "level is %(portal)s."
        )
        % {"level": risk.imported_level, "portal": risk.get_inherent_level_display()}
    ]


def score_risk(risk):
    """Read the score cells on the active criteria's scales, then derive the levels; the
    register's own inherent scores are kept as it wrote them."""
    texts = {name: getattr(risk, name) for name in SCORES if getattr(risk, name)}
    if not texts:
        return
    for name in ("inherent_likelihood", "inherent_impact"):
        if name in texts:
            setattr(risk, name.replace("inherent", "imported"), str(texts[name])[:50])
    criteria = RiskCriteria.active()
    try:
        if criteria is None:
            raise ValueError(_("Scores need active risk criteria; define them first."))
        for name, text in texts.items():
            scale = getattr(criteria, f"{name.split('_')[1]}_scale")
            try:
                setattr(risk, name, parse_scale(text, scale_labels(scale)))
            except ValueError as error:
                raise ValidationError({name: str(error)}) from None  # the error of its field
        for stage in ("inherent", "residual"):
            if (getattr(risk, f"{stage}_likelihood") is None) != (
                getattr(risk, f"{stage}_impact") is None
            ):
                raise ValueError(_("Give likelihood and impact together, or neither."))
    except (ValueError, ValidationError):
        for name in texts:  # no text left for the model's own check to complain about again
            setattr(risk, name, None)
        raise
    risk.criteria = criteria
    risk.assess()


def link_systems_and_controls(risks, *, record, user):
    for name, target in (("ai_systems", "aisystem_id"), ("controls", "control_id")):
        through = getattr(Risk, name).through
        links = {
            (risk.pk, linked.pk) for risk in risks for linked in risk.import_deferred.get(name, [])
        }
        through.objects.bulk_create(
            through(risk_id=risk_id, **{target: linked_id}) for risk_id, linked_id in links
        )


RISKS = ImportSpec(
    model=Risk,
    record_model=RiskImport,
    fields=list(ALIASES),
    aliases=ALIASES,
    exact_only=("id", "art", "ew", "sa", "wert", "review", "system", "source"),
    keywords=KEYWORDS,
    choices={"status": {c: label for c, label in Risk.Status.choices if c != "accepted"}},
    parsers={
        **{name: keep_text for name in SCORES},
        "ai_systems": named_systems,
        "controls": named_controls,
    },
    finish=score_risk,
    after_create=link_systems_and_controls,
    match_on=["title", "ai_systems"],
    description_fields=["description"],
    named_persons={"owner": ("owner_name", "owner_email")},
    notes=rating_notes,
    title=gettext_lazy("Import a risk register"),
    intro=gettext_lazy(
        "Bring the risk register you keep today, e.g. your ISMS register in Excel: one risk per "
        "row. Title rows above the header and totals below the data are left out. Scores may "
        "be numbers or words such as “hoch”; they are read on the active risk criteria's "
        "scales. Nothing is saved until you confirm the preview."
    ),
    preview_fields=["title", "category", "owner", "inherent_level", "imported_level"],
)
