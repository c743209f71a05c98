"""Categories are chosen with checkboxes, in the editor's language (issue 28, item 2)."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.urls import reverse
from wagtail.models import Locale
from wagtail.users.models import UserProfile

from cms.communes.roles import CommuneRole, user_add_to_role
from cms.content.models import Category, EventIndexPage, EventPage
from cms.content.taxonomy import CATEGORIES, categories_ensure
from tests.factories import make_event, section

pytestmark = pytest.mark.django_db


@pytest.fixture
def communicant(commune):
    categories_ensure()
    user = get_user_model().objects.create_user(username="com", password="pw")
    user_add_to_role(user=user, commune=commune, role=CommuneRole.COMMUNICANT)
    return user


def speaking(user, language: str):
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = language
    profile.save()
    return user


def category_boxes(html: str) -> list[tuple[str, str]]:
    """(value, label) of each category checkbox."""
    return re.findall(
        r'<input type="checkbox" name="categories" value="(\d+)"[^>]*>\s*([^<]+?)\s*</label>',
        html)


@pytest.mark.parametrize(("language", "market"), [("en", "Market"), ("de", "Markt"),
                                                   ("fr", "Marché")])
def test_event_editor_offers_one_checkbox_per_category_in_the_editors_language(
        client, commune, communicant, language, market):
    event = make_event(commune, title="Fête")
    client.force_login(speaking(communicant, language))
    html = client.get(reverse("wagtailadmin_pages:edit", args=[event.pk])).content.decode()
    boxes = category_boxes(html)
    assert len(boxes) == len(CATEGORIES)
    labels = [label for _value, label in boxes]
    assert market in labels
    others = {"en": "Market", "de": "Markt", "fr": "Marché"}
    assert not {others[code] for code in others if code != language} & set(labels)
    # Each box is the page's own locale's category (French page: French rows).
    french = set(Category.objects.filter(locale=Locale.get_default())
                 .values_list("pk", flat=True))
    assert {int(value) for value, _label in boxes} == french
    assert '<select name="categories"' not in html


def test_only_the_pages_locale_categories_are_accepted(client, commune, communicant):
    client.force_login(speaking(communicant, "en"))
    parent = section(commune, EventIndexPage)
    html = client.get(reverse("wagtailadmin_pages:add",
                              args=["content", "eventpage", parent.pk])).content.decode()
    boxes = dict((label, value) for value, label in category_boxes(html))
    assert "Market" in boxes and len(boxes) == len(CATEGORIES)
    event = make_event(commune, title="Marché de Noël")
    form_class = EventPage.get_edit_handler().get_form_class()
    market = Category.objects.get(slug="marche", locale=Locale.get_default())
    # The form refuses a category of another locale (not among the choices).
    english_market = Category.objects.get(slug="marche", locale__language_code="en")
    field = form_class(instance=event, for_user=communicant).fields["categories"]
    with pytest.raises(ValidationError):
        field.clean([english_market.pk])
    assert list(field.clean([market.pk])) == [market]
