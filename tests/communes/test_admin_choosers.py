"""Finding 13 of issue 24: the admin's page chooser (browse and search) shows a
communicant only the pages of communes they have a role in, and the ancestors they
need to reach them: never another commune's drafts."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from cms.communes.roles import CommuneRole, user_add_to_role
from cms.content.models import NewsIndexPage
from tests.factories import NewsPageFactory, section

pytestmark = pytest.mark.django_db

SECRET = "Projet de fusion confidentiel"
OWN = "Notre brouillon de kermesse"


@pytest.fixture
def chooser_client(client, commune, neighbour_commune):
    NewsPageFactory(parent=section(neighbour_commune, NewsIndexPage), title=SECRET, live=False)
    NewsPageFactory(parent=section(commune, NewsIndexPage), title=OWN, live=False)
    user = get_user_model().objects.create_user(username="com", password="x")  # noqa: S106
    user_add_to_role(user=user, commune=commune, role=CommuneRole.COMMUNICANT)
    client.force_login(user)
    return client


def html(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200
    return response.content.decode()


def test_the_chooser_search_shows_only_the_communicants_communes(chooser_client):
    search = reverse("wagtailadmin_choose_page_search")
    assert SECRET not in html(chooser_client, search, q="confidentiel")
    assert SECRET not in html(chooser_client, search, q="projet fusion")
    assert OWN in html(chooser_client, search, q="kermesse")


def test_the_chooser_browse_shows_only_the_communicants_communes(
        chooser_client, commune, neighbour_commune):
    other_news = section(neighbour_commune, NewsIndexPage)
    for page in (other_news, neighbour_commune, neighbour_commune.get_parent()):
        assert SECRET not in html(chooser_client,
                                  reverse("wagtailadmin_choose_page_child", args=[page.pk]))
    own_news = section(commune, NewsIndexPage)
    assert OWN in html(chooser_client, reverse("wagtailadmin_choose_page_child",
                                               args=[own_news.pk]))
    # The way down to its own commune stays open from the root.
    root = html(chooser_client, reverse("wagtailadmin_choose_page"))
    portal = commune.get_parent()
    assert portal.title in root
    assert commune.title in html(chooser_client, reverse("wagtailadmin_choose_page_child",
                                                         args=[portal.pk]))
    assert neighbour_commune.title not in html(
        chooser_client, reverse("wagtailadmin_choose_page_child", args=[portal.pk]))


def test_reports_naming_every_communes_pages_are_for_platform_administrators(
        chooser_client, admin_client):
    # Wagtail's page types usage report names the last edited page of each type,
    # whoever's it is: a communicant saw another commune's draft title there.
    for name in ("wagtailadmin_reports:page_types_usage",
                 "wagtailadmin_reports:page_types_usage_results"):
        assert chooser_client.get(reverse(name)).status_code == 403
        assert admin_client.get(reverse(name)).status_code == 200
    reports = html(chooser_client, reverse("wagtailadmin_home"))
    assert reverse("wagtailadmin_reports:page_types_usage") not in reports
