"""The risk heat map: every cell's count is what its link lists, with and without filters, on
the list and the dashboard; the drawing is plain SVG with escaped labels."""

import re
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from risks import services
from risks.models import RiskCriteria
from tests.factories import AISystemFactory, RiskFactory, UserFactory, active_criteria
from tests.risks.helpers import list_total, scale

LIST = "/risks/register/"

# inherent (likelihood, impact), residual (likelihood, impact) or None, category, system key
SPREAD = [
    ((5, 5), (3, 3), "security", "chatbot"),
    ((5, 5), (2, 3), "security", "chatbot"),
    ((5, 5), (2, 3), "privacy", "scoring"),
    ((4, 4), (2, 3), "security", None),
    ((4, 4), (2, 2), "bias_fairness", "scoring"),
    ((4, 3), (2, 2), "model_drift", "scoring"),
    ((4, 3), None, "security", "chatbot"),
    ((3, 5), (2, 4), "bias_fairness", "both"),
    ((3, 4), (1, 1), "security", "both"),
    ((3, 3), (1, 1), "privacy", None),
    ((3, 3), (1, 2), "privacy", "chatbot"),
    ((2, 5), (1, 5), "safety", "scoring"),
    ((2, 2), (1, 1), "security", None),
    ((2, 1), (2, 1), "legal", "chatbot"),
    ((1, 5), (1, 5), "security", "scoring"),
    ((1, 1), (1, 1), "robustness", None),
    ((1, 1), None, "security", "both"),
]


class HeatCells(HTMLParser):
    """The heat-cell links of a page, per map ("inherent", "residual"), in drawing order."""

    def __init__(self, html):
        super().__init__()
        self.maps, self.stage = {}, None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "figure" and (attrs.get("id") or "").startswith("heat-map-"):
            self.stage = attrs["id"].removeprefix("heat-map-")
            self.maps[self.stage] = []
        elif tag == "a" and "heat-cell" in (attrs.get("class") or "").split():
            self.maps[self.stage].append(
                {
                    "likelihood": int(attrs["data-likelihood"]),
                    "impact": int(attrs["data-impact"]),
                    "count": int(attrs["data-count"]),
                    "href": attrs["href"],
                }
            )


def table_total(client, url):
    """The list's total for a URL, fetched as the list's own table refresh (htmx) to stay fast."""
    response = client.get(url, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="register-table")
    assert response.status_code == 200
    return list_total(response)


def svgs(html):
    return re.findall(r"<svg\b.*?</svg>", html, flags=re.DOTALL)


@pytest.fixture
def spread(compliance_officer):
    """Risks over many cells: three scored under earlier criteria, one never scored, the rest
    under the active version, with several categories and AI systems."""
    v1 = active_criteria()
    for inherent in ((5, 5), (4, 4), (1, 2)):
        RiskFactory(inherent_likelihood=inherent[0], inherent_impact=inherent[1])
    draft = services.risk_criteria_new_version(criteria=v1, user=compliance_officer)
    v2 = services.risk_criteria_activate(criteria=draft, user=compliance_officer)
    systems = {"chatbot": AISystemFactory(name="Chatbot"), "scoring": AISystemFactory()}
    for inherent, residual, category, system in SPREAD:
        risk = RiskFactory(
            criteria=v2,
            category=category,
            inherent_likelihood=inherent[0],
            inherent_impact=inherent[1],
            residual_likelihood=residual[0] if residual else None,
            residual_impact=residual[1] if residual else None,
        )
        if system == "both":
            risk.ai_systems.set(systems.values())
        elif system:
            risk.ai_systems.set([systems[system]])
    RiskFactory(
        criteria=None,
        inherent_likelihood=None,
        inherent_impact=None,
        residual_likelihood=None,
        residual_impact=None,
    )
    return {"v1": v1, "v2": v2, **systems}


def assert_every_cell_matches_its_list(client, url, expected_total=None):
    page = client.get(url)
    assert page.status_code == 200
    cells = HeatCells(page.content.decode()).maps
    assert set(cells) == {"inherent", "residual"}
    for stage, stage_cells in cells.items():
        assert len(stage_cells) == 25
        for cell in stage_cells:
            assert table_total(client, cell["href"]) == cell["count"], (stage, cell)
        if expected_total is not None and stage == "inherent":
            assert sum(cell["count"] for cell in stage_cells) == expected_total
    return cells


def test_every_cell_count_is_what_its_link_lists(client, compliance_officer, spread):
    client.force_login(compliance_officer)
    cells = assert_every_cell_matches_its_list(client, LIST, expected_total=len(SPREAD))
    inherent = {(c["likelihood"], c["impact"]): c["count"] for c in cells["inherent"]}
    residual = {(c["likelihood"], c["impact"]): c["count"] for c in cells["residual"]}
    # Declared from SPREAD; the three risks under the earlier criteria are not drawn.
    assert inherent[(5, 5)] == 3 and inherent[(1, 1)] == 2 and inherent[(4, 4)] == 2
    assert inherent[(1, 2)] == 0
    assert residual[(2, 3)] == 3 and residual[(1, 1)] == 4
    assert sum(residual.values()) == len(SPREAD) - 2  # two have no residual assessment


def test_cell_links_select_the_cell_under_the_active_criteria(client, compliance_officer, spread):
    client.force_login(compliance_officer)
    cells = HeatCells(client.get(LIST).content.decode()).maps["inherent"]
    top = next(c for c in cells if (c["likelihood"], c["impact"]) == (5, 5))
    url = urlsplit(top["href"])
    assert url.path == LIST
    assert parse_qs(url.query) == {
        "criteria": [str(spread["v2"].pk)],
        "inherent_likelihood": ["5"],
        "inherent_impact": ["5"],
    }
    # Highest likelihood on top, as a risk matrix is read.
    assert [(c["likelihood"], c["impact"]) for c in cells[:2]] == [(1, 1), (1, 2)]
    svg = svgs(client.get(LIST).content.decode())[0]
    assert 'data-likelihood="5" data-impact="1"' in svg


@pytest.mark.parametrize(
    "query",
    [
        "category=security",
        "category=privacy&q=Risk",
        "ai_systems={scoring}&category=bias_fairness",
        "residual_level=low",
    ],
)
def test_cells_keep_the_list_filters_and_still_match(client, compliance_officer, spread, query):
    query = query.format(chatbot=spread["chatbot"].pk, scoring=spread["scoring"].pk)
    client.force_login(compliance_officer)
    cells = assert_every_cell_matches_its_list(client, f"{LIST}?{query}")
    kept = parse_qs(query)
    for cell in cells["inherent"] + cells["residual"]:
        params = parse_qs(urlsplit(cell["href"]).query)
        assert {name: params.get(name) for name in kept} == kept


def test_the_category_filter_narrows_the_counts(client, compliance_officer, spread):
    client.force_login(compliance_officer)
    cells = HeatCells(client.get(f"{LIST}?category=security").content.decode()).maps["inherent"]
    assert sum(c["count"] for c in cells) == sum(1 for row in SPREAD if row[2] == "security")


def test_the_heat_map_follows_the_filters_when_the_list_refreshes_in_place(
    client, compliance_officer, spread
):
    client.force_login(compliance_officer)
    response = client.get(
        f"{LIST}?category=security", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="register-table"
    )
    cells = HeatCells(response.content.decode()).maps["inherent"]
    assert sum(c["count"] for c in cells) == sum(1 for row in SPREAD if row[2] == "security")
    assert all("category=security" in cell["href"] for cell in cells)


def test_with_a_cell_chosen_every_cell_still_matches_its_link(client, compliance_officer, spread):
    client.force_login(compliance_officer)
    cells = HeatCells(client.get(LIST).content.decode()).maps
    chosen = next(c for c in cells["inherent"] if (c["likelihood"], c["impact"]) == (5, 5))
    page = client.get(chosen["href"])
    assert list_total(page) == 3
    assert "Show all risks again" in page.content.decode()
    assert_every_cell_matches_its_list(client, chosen["href"], expected_total=len(SPREAD))


def test_a_page_number_or_sort_order_is_not_carried_into_cell_links(
    client, compliance_officer, spread
):
    client.force_login(compliance_officer)
    cells = HeatCells(client.get(f"{LIST}?category=security&sort=title&page=1").content.decode())
    params = parse_qs(urlsplit(cells.maps["residual"][0]["href"]).query)
    assert "page" not in params and "sort" not in params
    assert params["category"] == ["security"]


def test_no_heat_map_without_active_criteria(client, compliance_officer):
    RiskFactory(criteria=None, inherent_likelihood=None, inherent_impact=None)
    client.force_login(compliance_officer)
    response = client.get(LIST)
    assert response.status_code == 200
    page = response.content.decode()
    assert "No risk criteria are active yet" in page
    assert "heat-cell" not in page
    dashboard = client.get(reverse("core:dashboard"))
    assert dashboard.status_code == 200
    assert '<h1 class="h3 mb-1">Dashboard</h1>' in dashboard.content.decode()
    assert "heat-cell" not in dashboard.content.decode()


# The dashboard ---------------------------------------------------------------------------------


def test_the_dashboard_shows_the_heat_map_to_a_compliance_officer(
    client, compliance_officer, spread
):
    client.force_login(compliance_officer)
    page = client.get(reverse("core:dashboard")).content.decode()
    assert "Risk heat map" in page
    cells = HeatCells(page).maps
    assert sum(c["count"] for c in cells["inherent"]) == len(SPREAD)
    for cell in cells["inherent"] + cells["residual"]:
        assert table_total(client, cell["href"]) == cell["count"]


def test_the_dashboard_shows_no_heat_map_to_a_user_without_a_role(client, make_user, spread):
    client.force_login(make_user("no_role"))
    response = client.get(reverse("core:dashboard"))
    assert response.status_code == 200
    page = response.content.decode()
    assert '<h1 class="h3 mb-1">Dashboard</h1>' in page
    assert "Risk heat map" not in page
    assert "heat-cell" not in page


def test_a_user_without_a_role_who_owns_a_risk_sees_only_that_risk_on_the_map(
    client, make_user, spread
):
    user = make_user("no_role")
    RiskFactory(owner=user, criteria=spread["v2"], inherent_likelihood=2, inherent_impact=4)
    client.force_login(user)
    cells = HeatCells(client.get(reverse("core:dashboard")).content.decode()).maps["inherent"]
    assert {(c["likelihood"], c["impact"]): c["count"] for c in cells if c["count"]} == {(2, 4): 1}


# The drawing -----------------------------------------------------------------------------------


def test_the_svg_has_no_script_and_escapes_scale_labels(client, compliance_officer):
    levels = ["<script>x</script>", "Medium", '"><b>High</b>']
    RiskCriteria.objects.create(
        name="Hostile labels",
        likelihood_scale=scale(*levels),
        impact_scale=scale("<script>", "I2", "I3"),
        matrix=[["low", "medium", "high"]] * 3,
        status=RiskCriteria.Status.ACTIVE,
    )
    RiskFactory(inherent_likelihood=1, inherent_impact=1)
    client.force_login(compliance_officer)
    for url in (LIST, reverse("core:dashboard")):
        drawings = svgs(client.get(url).content.decode())
        assert len(drawings) == 2
        for svg in drawings:
            assert "<script" not in svg.lower()
            assert "<b>" not in svg
            assert "&lt;script&gt;x&lt;/script&gt;" in svg
            assert "&quot;&gt;&lt;b&gt;High&lt;/b&gt;" in svg
            assert not re.search(r"\son\w+=", svg)


def test_the_svg_draws_the_active_scales_size(client, compliance_officer):
    RiskCriteria.objects.create(
        name="Three by four",
        likelihood_scale=scale("A", "B", "C"),
        impact_scale=scale("W", "X", "Y", "Z"),
        matrix=[["low", "low", "medium", "high"]] * 3,
        status=RiskCriteria.Status.ACTIVE,
    )
    UserFactory()
    client.force_login(compliance_officer)
    cells = HeatCells(client.get(LIST).content.decode()).maps
    assert len(cells["inherent"]) == len(cells["residual"]) == 12
    assert {c["count"] for c in cells["inherent"]} == {0}


@pytest.mark.parametrize(
    "query, builds",
    [("", 1), ("?category=security", 1), ("?inherent_likelihood=5&inherent_impact=5", 2)],
)
def test_the_list_and_its_heat_maps_share_one_filter_set_unless_a_cell_is_chosen(
    client, compliance_officer, spread, monkeypatch, query, builds
):
    """The heat maps count the list without its chosen cell: the same filters as the list's
    own unless a cell is chosen, and then built once more."""
    from aims.core.registry import registry
    from risks.models import Risk

    filterset = registry.get(Risk).filterset
    built = []
    init = filterset.__init__

    def counted(self, data=None, *args, **kwargs):
        built.append(data)
        init(self, data, *args, **kwargs)

    monkeypatch.setattr(filterset, "__init__", counted)
    client.force_login(compliance_officer)
    response = client.get(f"{LIST}{query}")
    assert response.status_code == 200
    assert len(built) == builds
    assert sum(c["count"] for c in HeatCells(response.content.decode()).maps["inherent"]) == (
        sum(1 for row in SPREAD if row[2] == "security") if "category" in query else len(SPREAD)
    )
