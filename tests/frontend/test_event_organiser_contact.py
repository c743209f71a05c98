"""The organiser's contact on an event (issue 29, item 4): an e-mail address and a phone
number the communicator enters, shown as links on the event page and carried by every
channel that describes the event (API, JSON-LD, iCalendar, open data); validated on
entry; the same in every language."""

import pytest
from django.core.exceptions import ValidationError
from wagtail_localize.fields import SynchronizedField, get_translatable_fields

from cms.api.opendata.datasets import datasets
from cms.content.models import EventIndexPage, EventPage
from cms.readmodel.jsonld import item_jsonld
from tests.factories import EventPageFactory, publish, section, soon

from .conftest import HOST

pytestmark = pytest.mark.django_db


@pytest.fixture
def fest_noz(commune):
    return publish(EventPageFactory(
        parent=section(commune, EventIndexPage), title="Fest-noz", start=soon(10),
        organiser="Cercle celtique", organiser_email="cercle@example.org",
        organiser_phone="02 40 45 00 00"))


def test_event_page_links_the_organisers_phone_and_address(client, fest_noz):
    html = client.get(fest_noz.url, HTTP_HOST=HOST).content.decode()
    assert '<a href="tel:0240450000">02 40 45 00 00</a>' in html
    assert '<a href="mailto:cercle@example.org">cercle@example.org</a>' in html


def test_a_contact_without_an_organiser_name_still_shows(client, commune):
    event = publish(EventPageFactory(parent=section(commune, EventIndexPage),
                                     title="Vide-grenier", start=soon(12),
                                     organiser="", organiser_phone="06 00 00 00 00"))
    html = client.get(event.url, HTTP_HOST=HOST).content.decode()
    assert '<dd class="organiser"><a href="tel:0600000000">06 00 00 00 00</a></dd>' in html


def test_api_jsonld_and_calendar_carry_the_contact(client, fest_noz):
    detail = client.get(f"/api/events/{fest_noz.pk}").json()
    assert (detail["organiser_email"], detail["organiser_phone"]) == (
        "cercle@example.org", "02 40 45 00 00")
    organizer = item_jsonld(page=fest_noz)["organizer"]
    assert organizer == {"@type": "Organization", "name": "Cercle celtique",
                         "email": "cercle@example.org", "telephone": "02 40 45 00 00"}
    ics = client.get(f"/agenda/evenement-{fest_noz.pk}.ics", HTTP_HOST=HOST).content.decode()
    assert "Contact : 02 40 45 00 00 · cercle@example.org" in ics.replace("\r\n ", "")


def test_open_data_declares_the_contact_columns():
    events = next(dataset for dataset in datasets() if dataset.name == "events")
    names = [field["name"] for field in events.fields]
    assert {"organiser_email", "organiser_phone"} <= set(names)


@pytest.mark.parametrize("phone", ["appelez-moi", "<script>", "12"])
def test_a_phone_that_is_not_one_is_refused(commune, phone):
    event = EventPage(title="Bal", slug="bal", start=soon(3), organiser_phone=phone)
    with pytest.raises(ValidationError) as error:
        event.full_clean(exclude=["path", "depth"])
    assert "organiser_phone" in error.value.message_dict


def test_a_bad_address_is_refused(commune):
    event = EventPage(title="Bal", slug="bal", start=soon(3), organiser_email="pas une adresse")
    with pytest.raises(ValidationError) as error:
        event.full_clean(exclude=["path", "depth"])
    assert "organiser_email" in error.value.message_dict


def test_the_contact_is_synchronised_not_translated():
    fields = {field.field_name: field for field in get_translatable_fields(EventPage)}
    assert isinstance(fields["organiser_phone"], SynchronizedField)
    assert isinstance(fields["organiser_email"], SynchronizedField)
