"""EU AI Act risk classification of an AI system from a short questionnaire.

Pure Python: no database access and no models. The inventory stores the questionnaire answers as
JSON (`Answers.to_dict()` / `Answers.from_dict()`), runs `classify()` to get a `Result` (tier,
transparency/GPAI flags, the route that led there and a human-readable trail), and filters the
obligation catalogue (`data/ai_act_obligations.json`, loaded elsewhere) with
`applicable_obligations()`.

The rules, in order:

1. Any Art. 5 practice makes the system prohibited; nothing else is evaluated. (The practice
   added by the Digital Omnibus, generating non-consensual intimate imagery or child sexual abuse
   material, has its own condition because it applies from a later date.)
2. A product (or safety component) under Annex I legislation is high-risk (Art. 6(1)); nothing
   later downgrades it: an Art. 6(3) exemption only concerns the Annex III route.
3. An Annex III area makes the system high-risk (Art. 6(2)) unless the system falls under an
   exclusion written into the area itself (1:1 biometric verification, point 1(a); detecting
   financial fraud, point 5(b)) or an Art. 6(3) exemption applies; profiling of natural persons
   always overrides the exemption. The area chosen by the user is kept; an emotion-recognition or
   biometric-categorisation answer only supplies the biometrics area when no area applies.
4. Art. 50 transparency duties and GPAI obligations are flags beside the tier, not tiers. The
   systemic-risk flag needs a general-purpose AI model in the first place.
5. Everything else is minimal risk.

Art. 27 (fundamental rights impact assessment) follows from the same answers: `Result.
fria_required`; for a stored classification `Classification.fria_required` and for a system
`AISystem.fria_required` (also checking that we deploy it).

Labels are short summaries in our own words, not the wording of the Regulation. Application dates
are data (the JSON catalogue), never code, because they change by law.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

# --- Choice lists: (code, lazy label) -------------------------------------------------------------

PROHIBITED_PRACTICES = (
    ("manipulation", _("Manipulative or deceptive techniques causing significant harm")),
    ("exploiting_vulnerabilities", _("Exploiting vulnerabilities of age, disability or situation")),
    ("social_scoring", _("Social scoring leading to unfair treatment")),
    ("criminal_risk_profiling", _("Predicting criminal risk solely from profiling or traits")),
    ("facial_scraping", _("Untargeted scraping of facial images to build recognition databases")),
    (
        "emotion_recognition_work_education",
        _("Emotion recognition at work or in education (except medical or safety reasons)"),
    ),
    (
        "biometric_categorisation_sensitive",
        _("Biometric categorisation inferring sensitive characteristics"),
    ),
    (
        "realtime_remote_biometric_id",
        _("Real-time remote biometric identification in public spaces for law enforcement"),
    ),
    (
        "intimate_imagery_csam",
        _(
            "Generating non-consensual intimate images or child sexual abuse material "
            "(added by the Digital Omnibus)"
        ),
    ),
)

# The obligation condition each practice triggers. The practice added by the Digital Omnibus
# applies from its own date, so its obligation is a separate catalogue entry.
PROHIBITION_CONDITIONS = {code: "prohibited" for code, _label in PROHIBITED_PRACTICES}
PROHIBITION_CONDITIONS["intimate_imagery_csam"] = "prohibited_intimate_imagery"

ANNEX_III_AREAS = (
    ("biometrics", _("Biometrics")),
    ("critical_infrastructure", _("Critical infrastructure")),
    ("education", _("Education and vocational training")),
    ("employment", _("Employment and workers management")),
    (
        "essential_services",
        _(
            "Essential private and public services (public benefits, credit scoring except "
            "fraud detection, life and health insurance, emergency triage)"
        ),
    ),
    ("law_enforcement", _("Law enforcement")),
    ("migration", _("Migration, asylum and border control")),
    ("justice", _("Administration of justice and democratic processes")),
)

# Short names used inside the summary, e.g. "High-risk (Annex III, employment)".
ANNEX_III_SHORT_NAMES = {
    "biometrics": _("biometrics"),
    "critical_infrastructure": _("critical infrastructure"),
    "education": _("education"),
    "employment": _("employment"),
    "essential_services": _("essential services"),
    "law_enforcement": _("law enforcement"),
    "migration": _("migration and border control"),
    "justice": _("justice and democracy"),
}

EXEMPTIONS_6_3 = (
    ("narrow_procedural", _("Performs only a narrow procedural task")),
    ("improves_human_activity", _("Improves the result of a previously completed human activity")),
    (
        "detects_patterns",
        _("Detects decision patterns or deviations without replacing human review"),
    ),
    ("preparatory", _("Performs only a preparatory task for an assessment")),
)

TIERS = (
    ("prohibited", _("Prohibited")),
    ("high_risk", _("High-risk")),
    ("minimal", _("Minimal risk")),
)

FLAGS = (
    ("transparency_interaction", _("Disclose interaction with an AI system (Art. 50(1))")),
    ("transparency_synthetic", _("Mark synthetic content as AI-generated (Art. 50(2))")),
    (
        "transparency_emotion_biometric",
        _("Inform people exposed to emotion recognition or biometric categorisation (Art. 50(3))"),
    ),
    (
        "transparency_deepfake",
        _("Disclose deepfakes and AI-generated public-interest text (Art. 50(4))"),
    ),
    ("gpai", _("General-purpose AI model (Art. 53)")),
    ("gpai_systemic", _("General-purpose AI model with systemic risk (Art. 55)")),
)

ROUTES = (
    ("article_5", _("Prohibited practice (Art. 5)")),
    ("annex_i", _("Annex I product (Art. 6(1))")),
    ("annex_iii", _("Annex III area (Art. 6(2))")),
    ("exempt_6_3", _("Annex III area, exempted (Art. 6(3))")),
)

# Triggers an obligation in the catalogue can depend on.
CONDITIONS = (
    ("all", _("Any AI system")),
    ("prohibited", _("Prohibited practice")),
    (
        "prohibited_intimate_imagery",
        _("Prohibited practice: non-consensual intimate images or child sexual abuse material"),
    ),
    ("high_risk", _("High-risk system (any route)")),
    ("high_risk_annex_i", _("High-risk system under Annex I")),
    ("high_risk_annex_iii", _("High-risk system under Annex III")),
    (
        "high_risk_annex_iii_art_86",
        _("High-risk system under Annex III, except critical infrastructure (Art. 86)"),
    ),
    ("fria", _("Fundamental rights impact assessment required")),
    ("exempt_6_3", _("Annex III system exempted under Art. 6(3)")),
    *FLAGS,
)

ROLES = (
    ("provider", _("Provider")),
    ("deployer", _("Deployer")),
    ("importer", _("Importer")),
    ("distributor", _("Distributor")),
    ("product_manufacturer", _("Product manufacturer")),
    ("authorised_representative", _("Authorised representative")),
)

_PROHIBITED_CODES = frozenset(code for code, _label in PROHIBITED_PRACTICES)
_AREA_CODES = frozenset(code for code, _label in ANNEX_III_AREAS)
_EXEMPTION_CODES = frozenset(code for code, _label in EXEMPTIONS_6_3)


def label_for(choices: Iterable[tuple[str, Any]], code: str) -> str:
    """The label of `code` in a choice list, in the active language (the code if unknown)."""
    for choice_code, label in choices:
        if choice_code == code:
            return str(label)
    return code


# --- Answers --------------------------------------------------------------------------------------


def _codes(name: str, value: Any, allowed: frozenset[str]) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise ValueError(f"{name} must be a list of codes, got {value!r}")
    codes = tuple(dict.fromkeys(value))  # drop duplicates, keep order
    unknown = [code for code in codes if code not in allowed]
    if unknown:
        raise ValueError(f"Unknown {name} code(s): {', '.join(map(repr, unknown))}")
    return codes


@dataclass(frozen=True)
class Answers:
    """The questionnaire answers for one AI system. Codes are validated on construction."""

    prohibited: tuple[str, ...] = ()
    annex_i_product: bool = False
    annex_iii_area: str = ""
    exemptions: tuple[str, ...] = ()
    biometric_verification_only: bool = False
    financial_fraud_only: bool = False
    profiling: bool = False
    public_body: bool = False
    credit_or_insurance: bool = False
    becomes_provider: bool = False
    interacts_with_people: bool = False
    synthetic_content: bool = False
    emotion_or_biometric: bool = False
    deepfake_or_public_text: bool = False
    gpai: bool = False
    gpai_systemic: bool = False

    def __post_init__(self):
        object.__setattr__(
            self, "prohibited", _codes("prohibited", self.prohibited, _PROHIBITED_CODES)
        )
        object.__setattr__(
            self, "exemptions", _codes("exemptions", self.exemptions, _EXEMPTION_CODES)
        )
        area = self.annex_iii_area or ""
        if area not in _AREA_CODES and area != "":
            raise ValueError(f"Unknown annex_iii_area code: {area!r}")
        object.__setattr__(self, "annex_iii_area", area)
        for field in fields(self):
            if field.type == "bool" and not isinstance(getattr(self, field.name), bool):
                raise ValueError(f"{field.name} must be true or false")

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> Answers:
        """Build answers from stored JSON; unknown keys are ignored, null means the default."""
        known = {field.name for field in fields(cls)}
        kwargs = {
            key: value for key, value in (data or {}).items() if key in known and value is not None
        }
        return cls(**kwargs)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable dict (tuples become lists)."""
        return {
            field.name: (
                list(value) if isinstance(value := getattr(self, field.name), tuple) else value
            )
            for field in fields(self)
        }


# --- Result ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Result:
    """The outcome of `classify()`. `trail` is already translated into the active language."""

    tier: str
    flags: tuple[str, ...]
    route: str
    annex_iii_area: str
    conditions: frozenset[str]
    trail: tuple[str, ...]
    # Roles the organization takes on through the answers (Art. 25: becoming the provider).
    added_roles: tuple[str, ...] = ()

    def roles(self, recorded: Iterable[str]) -> list[str]:
        """The recorded AI Act roles together with those the answers add."""
        return list(dict.fromkeys([*recorded, *self.added_roles]))

    @property
    def fria_required(self) -> bool:
        """Art. 27: deployers of this system must assess its impact on fundamental rights
        (public bodies and providers of public services, credit scoring, life and health
        insurance). Whether we deploy it is the caller's question (`AISystem.fria_required`)."""
        return "fria" in self.conditions

    @property
    def summary(self) -> str:
        """One line such as "High-risk (Annex III, employment)", in the active language."""
        area = str(ANNEX_III_SHORT_NAMES.get(self.annex_iii_area, self.annex_iii_area))
        if self.route == "article_5":
            return gettext("Prohibited (Art. 5)")
        if self.route == "annex_i":
            return gettext("High-risk (Annex I product)")
        if self.route == "annex_iii":
            return gettext("High-risk (Annex III, %(area)s)") % {"area": area}
        if self.route == "exempt_6_3":
            return gettext("Minimal risk (Annex III, %(area)s, exempted under Art. 6(3))") % {
                "area": area
            }
        return label_for(TIERS, self.tier)


# --- Classification -------------------------------------------------------------------------------

# The answer that raises each flag, in the order of FLAGS.
_FLAG_ANSWERS = (
    ("interacts_with_people", "transparency_interaction"),
    ("synthetic_content", "transparency_synthetic"),
    ("emotion_or_biometric", "transparency_emotion_biometric"),
    ("deepfake_or_public_text", "transparency_deepfake"),
    ("gpai", "gpai"),
    ("gpai_systemic", "gpai_systemic"),
)


def _flag_trail(answer: str, flag: str) -> str:
    messages = {
        "interacts_with_people": gettext(
            "The system interacts directly with people: flag “%(flag)s”."
        ),
        "synthetic_content": gettext("The system generates synthetic content: flag “%(flag)s”."),
        "emotion_or_biometric": gettext(
            "The system recognises emotions or categorises people biometrically: flag “%(flag)s”."
        ),
        "deepfake_or_public_text": gettext(
            "The system produces deepfakes or public-interest text: flag “%(flag)s”."
        ),
        "gpai": gettext("The system is or contains a general-purpose AI model: flag “%(flag)s”."),
        "gpai_systemic": gettext(
            "The general-purpose AI model has systemic risk: flag “%(flag)s”."
        ),
    }
    return messages[answer] % {"flag": label_for(FLAGS, flag)}


def classify(answers: Answers) -> Result:
    """Classify an AI system under the EU AI Act from its questionnaire answers."""
    trail: list[str] = []
    conditions = {"all"}

    # 1. Art. 5: prohibited practices end the evaluation.
    if answers.prohibited:
        practices = "; ".join(label_for(PROHIBITED_PRACTICES, code) for code in answers.prohibited)
        trail.append(
            gettext("Prohibited practice selected (Art. 5): %(practices)s.")
            % {"practices": practices}
        )
        trail.append(
            gettext(
                "The system must not be placed on the market, put into service or used; "
                "no further classification is done."
            )
        )
        return Result(
            tier="prohibited",
            flags=(),
            route="article_5",
            annex_iii_area="",
            conditions=frozenset(
                {"all", *(PROHIBITION_CONDITIONS[code] for code in answers.prohibited)}
            ),
            trail=tuple(trail),
        )
    trail.append(gettext("No prohibited practice selected (Art. 5)."))

    tier = "minimal"
    route = ""
    area = answers.annex_iii_area
    excluded = False
    if area == "biometrics" and answers.biometric_verification_only:
        if answers.emotion_or_biometric:
            trail.append(
                gettext(
                    "Biometric verification alone would be excluded from Annex III, point 1(a), "
                    "but the system also recognises emotions or categorises people: it stays in "
                    "the biometrics area."
                )
            )
        else:
            area, excluded = "", True
            trail.append(
                gettext(
                    "Biometric verification whose only purpose is to confirm that a person is who "
                    "they claim to be is excluded from Annex III, point 1(a): not in the "
                    "biometrics area."
                )
            )
    elif area == "essential_services" and answers.financial_fraud_only:
        area, excluded = "", True
        trail.append(
            gettext(
                "Detecting financial fraud is excluded from Annex III, point 5(b): not in the "
                "area of essential services."
            )
        )
    # The emotion/biometric answer supplies an area only when none applies: it never replaces
    # the area the user chose.
    if not area and answers.emotion_or_biometric:
        area = "biometrics"
        trail.append(
            gettext(
                "Emotion recognition and biometric categorisation are Annex III, point 1 "
                "(biometrics)."
            )
        )
    area_name = label_for(ANNEX_III_AREAS, area)

    # 2. Annex I products (Art. 6(1)).
    if answers.annex_i_product:
        tier, route = "high_risk", "annex_i"
        conditions |= {"high_risk", "high_risk_annex_i"}
        trail.append(
            gettext(
                "The system is a product or safety component under Annex I legislation: "
                "high-risk (Art. 6(1))."
            )
        )

    # 3. Annex III areas (Art. 6(2)) and the Art. 6(3) exemption; assessed for Annex I
    # products too, whose Annex III duties (Art. 26(11), 27, 86) come on top.
    if area:
        trail.append(gettext("Annex III area selected: %(area)s.") % {"area": area_name})
        exemptions = "; ".join(label_for(EXEMPTIONS_6_3, code) for code in answers.exemptions)
        if answers.exemptions and not answers.profiling and answers.annex_i_product:
            # Art. 6(3) derogates from Art. 6(2) only: the Annex I route stands, and so does its
            # high-risk tier; the provider still documents the Annex III assessment (Art. 6(4)).
            conditions.add("exempt_6_3")
            trail.append(
                gettext(
                    "Exemption claimed (Art. 6(3)): %(exemptions)s; it applies to the Annex III "
                    "route only and does not change the Annex I classification."
                )
                % {"exemptions": exemptions}
            )
        elif answers.exemptions and not answers.profiling:
            route = route or "exempt_6_3"
            conditions.add("exempt_6_3")
            trail.append(
                gettext("Exemption claimed (Art. 6(3)): %(exemptions)s; not high-risk.")
                % {"exemptions": exemptions}
            )
            trail.append(
                gettext(
                    "The provider must document this assessment before placing the system on "
                    "the market (Art. 6(4)) and register the system (Art. 49(2))."
                )
            )
        else:
            tier, route = "high_risk", route or "annex_iii"
            conditions |= {"high_risk", "high_risk_annex_iii"}
            if area != "critical_infrastructure":
                # Art. 86(1): the right to an explanation excludes Annex III, point 2.
                conditions.add("high_risk_annex_iii_art_86")
            if answers.exemptions:
                trail.append(
                    gettext(
                        "Exemption claimed (%(exemptions)s), but the system profiles natural "
                        "persons: profiling overrides the exemption (Art. 6(3), last "
                        "subparagraph)."
                    )
                    % {"exemptions": exemptions}
                )
            else:
                trail.append(gettext("No Art. 6(3) exemption applies."))
            trail.append(gettext("The system is high-risk (Art. 6(2), Annex III)."))
            if area == "essential_services" and answers.credit_or_insurance:
                conditions.add("fria")
                trail.append(
                    gettext(
                        "Creditworthiness or life and health insurance: deployers must carry out "
                        "a fundamental rights impact assessment (Art. 27)."
                    )
                )
            elif answers.public_body and area != "critical_infrastructure":
                conditions.add("fria")
                trail.append(
                    gettext(
                        "Deployed by a public body or a provider of public services: deployers "
                        "must carry out a fundamental rights impact assessment (Art. 27)."
                    )
                )
    elif not answers.annex_i_product:
        if not excluded:
            trail.append(gettext("Not an Annex I product and no Annex III area selected."))
        if answers.exemptions:
            trail.append(
                gettext("Art. 6(3) exemptions were ignored because no Annex III area is selected.")
            )

    # 4. Flags beside the tier: Art. 50 transparency and GPAI obligations.
    flags: list[str] = []
    for answer, flag in _FLAG_ANSWERS:
        if not getattr(answers, answer):
            continue
        if answer == "gpai_systemic" and not answers.gpai:
            # Systemic risk is a property of a general-purpose AI model (Art. 51): without one,
            # the compute answer means nothing.
            trail.append(
                gettext(
                    "The training-compute answer was ignored: the system is not a "
                    "general-purpose AI model."
                )
            )
            continue
        flags.append(flag)
        trail.append(_flag_trail(answer, flag))
    conditions.update(flags)

    # 5. Art. 25: rebranding, substantially modifying or re-purposing a high-risk system makes
    # the organization its provider.
    added_roles = ()
    if answers.becomes_provider and tier == "high_risk":
        added_roles = ("provider",)
        trail.append(
            gettext(
                "We put our name on, substantially modify or re-purpose a high-risk system: we "
                "take on the provider's obligations (Art. 25(1))."
            )
        )

    # 6. Whatever is left is minimal risk.
    trail.append(gettext("Result: %(tier)s.") % {"tier": label_for(TIERS, tier)})

    return Result(
        tier=tier,
        flags=tuple(flags),
        route=route,
        annex_iii_area=area,
        conditions=frozenset(conditions),
        trail=tuple(trail),
        added_roles=added_roles,
    )


def article_sort_key(article: str) -> tuple:
    """Sort key for article references in numeric order: "Art. 9" before "Art. 73", "Art. 26(2)"
    before "Art. 26(11)", "Art. 53(1)(a)-(b)" after "Art. 53"."""
    return tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part)
        for part in re.findall(r"\d+|[a-z]+", article.lower())
    )


def applicable_obligations(result: Result, roles: Iterable[str] | str, obligations: Iterable):
    """The obligations that apply to a classified system for the given AI Act roles, each once,
    in article order.

    `obligations` is any iterable of objects with `code`, `article`, `condition` (a CONDITIONS
    code), `roles` (a list of ROLES codes; empty means every role) and `application_date`.
    When two routes bring the same duty (an Annex I product in an Annex III area gets Art. 9 from
    both), it is listed once, with the earlier date: from then on it applies.
    """
    wanted = {roles} if isinstance(roles, str) else set(roles)
    selected = {}
    for obligation in obligations:
        if obligation.condition not in result.conditions:
            continue
        if obligation.roles and not wanted.intersection(obligation.roles):
            continue
        key = (obligation.article, frozenset(obligation.roles))
        kept = selected.get(key)
        if kept is None or obligation.application_date < kept.application_date:
            selected[key] = obligation
    return sorted(
        selected.values(),
        key=lambda obligation: (
            article_sort_key(obligation.article),
            obligation.application_date,
            obligation.code,
        ),
    )
