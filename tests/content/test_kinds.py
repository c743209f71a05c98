"""The content-kind registry (cms/content/kinds.py): one declaration per kind, read by
every consumer, checked at start-up."""

from dataclasses import replace

import pytest

from cms.content import kinds
from cms.content.models import InfoPage, NewsPage
from federation.models.sharing import SharedItem, SharingPolicy


def test_every_kind_is_complete_and_consumers_read_the_registry():
    assert kinds.kinds_check(None) == []
    names = [kind.name for kind in kinds.kinds()]
    # The five kinds, then the test-only one (tests/kinds_app, installed by the test settings).
    assert names == ["news", "event", "alert", "info", "directory", "market"]
    # Sharing categories, search facets and content models all come from it.
    assert [name for name, _label in kinds.kind_choices()] == names
    assert list(kinds.kind_labels()) == names
    assert kinds.kind_labels()["info"] == "Infos pratiques"
    assert set(kinds.content_models()) == {kind.model for kind in kinds.kinds()}
    assert SharingPolicy._meta.get_field("kinds") and [
        name for name, _label in SharedItem._meta.get_field("kind").choices] == names
    assert kinds.kind_of_model(InfoPage).name == "info"


def test_remote_types_map_to_kinds():
    assert kinds.kind_for_ap("Article").model is NewsPage
    assert kinds.kind_for_ap("Article", "info").model is InfoPage
    # A peer cannot relabel an Event as practical information: the type must match.
    assert kinds.kind_for_ap("Event", "info").name == "event"
    assert kinds.kind_for_ap("Question") is None


@pytest.mark.parametrize("broken, message", [
    ({"section": "content.NoSuchIndexPage"}, "is not a model"),
    ({"section": "content.NewsIndexPage", "name": "copy", "api_path": "copies",
      "model": InfoPage}, "does not take InfoPage"),
    ({"name": "copy", "api_path": "news"}, "api_path 'news'"),
    ({"name": "copy", "api_path": "copies", "ap_type": ""}, "ActivityPub type"),
    # The sanitising boundary: every free-text field declared, plain or HTML.
    ({"text_fields": {"lead": "plain"}}, "does not say whether ['body'] are plain or HTML"),
    ({"text_fields": {"lead": "plain", "body": "markdown"}}, "not plain or html"),
    ({"text_fields": {"lead": "plain", "body": "html", "chapo": "plain"}},
     "'chapo', not a field"),
])
def test_the_check_refuses_an_incomplete_kind(broken, message):
    news = kinds.kind_named("news")
    bad = replace(news, **{"name": "copy", "api_path": "copies", **broken})
    saved = dict(kinds._kinds)
    kinds._kinds[bad.name] = bad
    try:
        errors = kinds.kinds_check(None)
    finally:
        kinds._kinds.clear()
        kinds._kinds.update(saved)
    assert any(message in error.msg for error in errors), [e.msg for e in errors]


@pytest.mark.django_db
def test_a_kind_without_a_json_ld_builder_gets_its_declared_type(commune):
    from cms.readmodel.jsonld.builders import _web_page
    from tests.factories import make_info

    page = make_info(commune, title="Horaires")
    saved = dict(kinds._kinds)
    kinds._kinds["info"] = replace(kinds.kind_named("info"), jsonld_type="GovernmentService")
    try:
        assert _web_page(page, None)["@type"] == "GovernmentService"
    finally:
        kinds._kinds.clear()
        kinds._kinds.update(saved)
