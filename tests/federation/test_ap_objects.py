"""to_ap(): news as Article, alerts as Note, directory entries with schema.org, events."""

import html

from cms.content.models import AlertIndexPage, DirectoryIndexPage, InfoIndexPage, NewsIndexPage
from federation.activitypub.outbound import page_to_ap
from tests.factories import (
    AlertPageFactory,
    DirectoryEntryPageFactory,
    InfoPageFactory,
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
    # No `name`: GoToSocial would show it as a content warning; the title is in the
    # content, and named for another Clocher server.
    assert "name" not in document and document["clocherName"] == "Conseil municipal"
    # The lead inside the content (a summary is a content warning in Mastodon); as it is
    # for another Clocher server.
    assert "summary" not in document and "<p>Compte rendu.</p>" in document["content"]
    assert document["clocherSummary"] == "Compte rendu."
    assert document["attributedTo"] == "http://testserver/ap/communes/donges"
    assert document["id"] == f"http://testserver/ap/objects/{page.pk}"


def test_alert_is_a_note(ap_commune):
    page = _add(ap_commune, AlertIndexPage, AlertPageFactory, title="Coupure d'eau",
                message="<p>Rue de la Gare, mardi.</p>")
    document = page_to_ap(page)
    assert document["type"] == "Note"
    text = html.unescape(document["content"])  # the title is escaped HTML: d&#x27;eau
    assert "Coupure d'eau" in text and "Rue de la Gare" in text


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


def test_alert_text_goes_out_as_the_api_shows_it(ap_commune):
    page = _add(ap_commune, AlertIndexPage, AlertPageFactory, title="Route <barrée>",
                message=f'<p>Voir <a linktype="page" id="{ap_commune.pk}">la mairie</a>.</p>')
    document = page_to_ap(page)
    # Rich text expanded (no database link form), the title escaped.
    assert 'linktype="page"' not in document["content"]
    assert "Route &lt;barrée&gt;" in document["content"]


def test_practical_information_says_what_it_is(ap_commune):
    page = _add(ap_commune, InfoIndexPage, InfoPageFactory, title="Horaires de la mairie",
                summary="Ouverte le samedi matin.")
    document = page_to_ap(page)
    # An Article for Mastodon and others; practical information for a Clocher peer.
    assert document["type"] == "Article" and document["clocherKind"] == "info"
    assert document["clocherSummary"] == "Ouverte le samedi matin."
    assert "<p>Ouverte le samedi matin.</p>" in document["content"]
