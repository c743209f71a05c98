"""A commune's identity on its site: the contrast check, the generated default, the
colour stylesheet, the footer, filters in a disclosure, cards, event take-away, posters."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from wagtail.models import Site

from frontend.identity import (
    AA_NORMAL_TEXT,
    WHITE,
    contrast_ratio,
    default_colour,
    initials,
)
from frontend.models import CommuneIdentity, validate_main_colour

from .conftest import HOST


def get(client, path, **extra):
    return client.get(path, HTTP_HOST=HOST, **extra)


def test_contrast_ratio_matches_wcag_reference_values():
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#ffffff", "#ffffff") == pytest.approx(1.0)
    # WebAIM's checker: #767676 on white is 4.54:1, the lightest AA grey.
    assert contrast_ratio("#767676", WHITE) == pytest.approx(4.54, abs=0.01)
    assert contrast_ratio("#777777", WHITE) < AA_NORMAL_TEXT


def test_main_colour_too_light_is_a_form_error():
    from django.core.exceptions import ValidationError

    validate_main_colour("#1d4e89")
    with pytest.raises(ValidationError) as light:
        validate_main_colour("#ffd700")
    assert light.value.code == "contrast"
    # 4.6:1 on white, but 4.0:1 as a link on an urgent alert's box.
    assert contrast_ratio("#757575", WHITE) > AA_NORMAL_TEXT
    with pytest.raises(ValidationError):
        validate_main_colour("#757575")
    with pytest.raises(ValidationError):
        validate_main_colour("red")


def test_default_identity_is_deterministic_and_readable():
    names = ["Donges", "Montoir-de-Bretagne", "Saint-Malo-de-Guersac", "Besné", "Prinquiau"]
    colours = [default_colour(name) for name in names]
    assert colours == [default_colour(name) for name in names]
    assert len(set(colours)) == len(names)
    assert all(contrast_ratio(colour, WHITE) >= AA_NORMAL_TEXT for colour in colours)
    # Also as a link on the urgent alert's pink box (axe found the first version failing).
    assert all(contrast_ratio(colour, "#fdecee") >= AA_NORMAL_TEXT for colour in colours)
    assert initials("Saint-Malo-de-Guersac") == "SMG"
    assert initials("Besné") == "B"


@pytest.mark.django_db
def test_identity_reaches_header_footer_stylesheet_and_home(client, site_content, commune):
    html = get(client, "/").content.decode()
    stylesheet = re.search(r'href="(/identite/\d+\.css\?v=\w+)"', html).group(1)
    default = get(client, stylesheet)
    assert default["Cache-Control"].count("immutable") == 1
    assert default_colour("Donges") in default.content.decode()
    assert 'class="monogram"' in html
    assert 'style="' not in html  # the CSP: the colour never comes inline

    CommuneIdentity.objects.create(
        site=Site.objects.get(root_page=commune), colour="#8a1538",
        welcome="Bienvenue au bord de l'estuaire.", town_hall_phone="02 40 00 00 00",
        opening_hours="Lundi–vendredi 9 h–12 h")
    html = get(client, "/").content.decode()
    new_stylesheet = re.search(r'href="(/identite/\d+\.css\?v=\w+)"', html).group(1)
    assert new_stylesheet != stylesheet
    assert "--accent:#8a1538" in get(client, new_stylesheet).content.decode()
    assert '<meta name="theme-color" content="#8a1538">' in html
    assert "Bienvenue au bord de l&#x27;estuaire." in html
    assert 'href="tel:0240000000"' in html and "Lundi–vendredi 9 h–12 h" in html
    assert get(client, "/identite/99999.css").status_code == 404


@pytest.mark.django_db
def test_agenda_results_first_filters_in_open_disclosure_when_active(client, site_content):
    html = get(client, "/agenda/").content.decode()
    assert re.search(r"<details class=\"filters-disclosure\">", html)
    html = get(client, "/agenda/?categorie=marche").content.decode()
    # Closed (the results stay on the first screen), the choice kept in the form and
    # named in the summary and above the list.
    assert '<details class="filters-disclosure">' in html
    assert '<option value="marche" selected>' in html and "1 filtre actif" in html
    bad = get(client, "/agenda/?du=pas-une-date").content.decode()
    assert '<details class="filters-disclosure" open>' in bad
    active = re.search(r'<ul class="active-filters".*?</ul>', html, re.S).group(0)
    assert "Catégorie" in active and "Marché" in active and 'href="?"' in active
    assert html.index('class="count"') < html.index("Marché du samedi")


@pytest.mark.django_db
def test_cards_name_the_neighbour_first_with_pictograms(client, site_content):
    html = get(client, "/agenda/").content.decode()
    card = re.search(r'<article class="card card--event card--neighbour">.*?</article>',
                     html, re.S).group(0)
    assert card.index("Montoir-de-Bretagne") < card.index("Bal du port")
    assert "frontend/icons.svg#event" in html and "icons.svg#culture" in html


@pytest.mark.django_db
def test_event_page_take_away_links_and_poster(client, site_content):
    event = site_content["own_event"]
    html = get(client, urlsplit(event.url).path).content.decode()
    google = re.search(r'href="(https://calendar\.google\.com/[^"]+)"', html).group(1)
    query = parse_qs(urlsplit(google.replace("&amp;", "&")).query)
    assert query["text"] == ["Concert à l'église"]
    assert re.fullmatch(r"\d{8}T\d{6}Z/\d{8}T\d{6}Z", query["dates"][0])
    assert "outlook.live.com" in html and "calendar.yahoo.com" in html
    assert "mailto:?" in html and "<script src=\"https" not in html
    assert "Église Saint-Martin" in html
    # Tiles are off by default: no map container, the address as text.
    assert 'id="event-map"' not in html

    poster = get(client, f"/affiche/{event.pk}/")
    body = poster.content.decode()
    assert poster.status_code == 200
    assert "<svg" in body and 'class="segno"' in body and "Concert à l&#x27;église" in body
    alert = site_content["alert"]
    assert "Urgent" in get(client, f"/affiche/{alert.pk}/").content.decode()
    assert get(client, f"/affiche/{site_content['news'].pk}/").status_code == 404


@pytest.mark.django_db
def test_identity_is_edited_per_site_and_refuses_a_light_colour(client, commune,
                                                                neighbour_commune):
    """The commune's communicants (and its animateurs) edit its identity, not a
    neighbour's, in the admin's settings."""
    from django.contrib.auth import get_user_model
    from wagtail.admin.panels import ObjectList
    from wagtail.permission_policies.sites import SitePermissionPolicy

    from cms.communes.roles import CommuneRole, animateur_group_setup, commune_role_group

    editor = get_user_model().objects.create_user("editrice", password="x")
    editor.groups.add(commune_role_group(commune=commune, role=CommuneRole.COMMUNICANT))
    animateur = get_user_model().objects.create_user("animateur", password="x")
    animateur.groups.add(animateur_group_setup(name="Animation — test",
                                               communes=[neighbour_commune]))
    own_site = Site.objects.get(root_page=commune)
    neighbour_site = Site.objects.get(root_page=neighbour_commune)
    policy = SitePermissionPolicy(CommuneIdentity)
    assert policy.user_has_permission_for_instance(editor, "change", own_site)
    assert not policy.user_has_permission_for_instance(editor, "change", neighbour_site)
    assert policy.user_has_permission_for_instance(animateur, "change", neighbour_site)
    assert not policy.user_has_permission_for_instance(animateur, "change", own_site)
    client.force_login(editor)
    edit = "/admin/settings/frontend/communeidentity/{}/"
    assert client.get(edit.format(own_site.pk)).status_code == 200
    assert client.get(edit.format(neighbour_site.pk)).status_code in (302, 403)

    form_class = ObjectList(CommuneIdentity.panels).bind_to_model(
        CommuneIdentity).get_form_class()
    light = form_class({"colour": "#ffd700"}, instance=CommuneIdentity(site=own_site),
                       for_user=editor)
    assert not light.is_valid() and "4,5:1" in str(light.errors["colour"])
    dark = form_class({"colour": "#8a1538"}, instance=CommuneIdentity(site=own_site),
                      for_user=editor)
    assert dark.is_valid(), dark.errors


@pytest.mark.django_db
def test_widget_reads_the_identity_from_any_origin(client, commune):
    response = client.get(f"/identite/{commune.insee_code}.json")
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response.json()["colour"] == default_colour("Donges")
    assert response.json()["logo"].endswith("/monogramme.svg")
    missing = client.get("/identite/00000.json")
    assert missing.status_code == 404 and "error" in missing.json()


@pytest.mark.django_db
def test_logo_and_cover_feed_the_manifest_and_the_fediverse_profile(client, commune):
    from wagtail.images import get_image_model
    from wagtail.images.tests.utils import get_test_image_file

    from federation.activitypub.outbound import commune_to_ap

    before = commune_to_ap(commune)
    assert before["icon"]["url"].endswith("/avatar.png")
    image_model = get_image_model()
    logo = image_model.objects.create(title="Blason", file=get_test_image_file(size=(600, 600)))
    cover = image_model.objects.create(title="Port", file=get_test_image_file(size=(1600, 900)))
    CommuneIdentity.objects.create(site=Site.objects.get(root_page=commune), logo=logo,
                                   cover=cover)
    actor = commune_to_ap(commune)
    assert actor["icon"]["mediaType"] == "image/png" and "/images/" in actor["icon"]["url"]
    assert actor["icon"]["url"].startswith("http")
    assert actor["image"]["mediaType"] == "image/jpeg"
    manifest = client.get(f"/identite/{commune.insee_code}/manifest.webmanifest").json()
    assert manifest["name"] == "Donges"
    assert [icon["sizes"] for icon in manifest["icons"]] == ["192x192", "512x512", "any"]
    html = get(client, "/").content.decode()
    assert 'class="site-name__logo"' in html and 'class="intro__cover"' in html
