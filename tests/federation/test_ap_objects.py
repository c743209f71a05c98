"""to_ap(): news as Article, alerts as Note, directory entries with schema.org, events."""

from cms.content.models import AlertIndexPage, DirectoryIndexPage, NewsIndexPage
from federation.activitypub.outbound import page_to_ap
from tests.factories import (
    AlertPageFactory,
    DirectoryEntryPageFactory,
    NewsPageFactory,
    section,
)


def _add(commune, index_model, factory, **values):
    page = factory.build(**values)
    section(commune, index_model).add_child(instance=page)
    return page


def test_news_is_an_article(ap_commune):
    page = _add(ap_commune, NewsIndexPage, NewsPageFactory, title="Conseil municipal",
                lead="Compte rendu.")
    document = page_to_ap(page)
    assert document["type"] == "Article"
    assert document["name"] == "Conseil municipal" and document["summary"] == "Compte rendu."
    assert document["attributedTo"] == "http://testserver/ap/communes/donges"
    assert document["id"] == f"http://testserver/ap/objects/{page.pk}"


def test_alert_is_a_note(ap_commune):
    page = _add(ap_commune, AlertIndexPage, AlertPageFactory, title="Coupure d'eau",
                message="<p>Rue de la Gare, mardi.</p>")
    document = page_to_ap(page)
    assert document["type"] == "Note"
    assert "Coupure d'eau" in document["content"] and "Rue de la Gare" in document["content"]


def test_directory_entry_carries_schema_org_properties(ap_commune):
    page = _add(ap_commune, DirectoryIndexPage, DirectoryEntryPageFactory,
                title="Boulangerie Martin", phone="02 40 00 00 00", email="pain@example.org",
                address="3 rue du Four")
    document = page_to_ap(page)
    assert document["type"] == "Organization"
    assert document["kind"] == "association"  # another Clocher server files it the same way
    assert document["telephone"] == "02 40 00 00 00"
    assert document["email"] == "pain@example.org"
    assert document["address"]["streetAddress"] == "3 rue du Four"
