"""The price of an event, on its page and its A4 poster: "Gratuit", the price the
communicator wrote, or no price line at all when neither is known (not a bare dash)."""

import pytest

from cms.content.models import EventIndexPage
from tests.factories import EventPageFactory, publish, section, soon

from .conftest import HOST

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("is_free", "price", "shown"), [
    (True, "", "<dt>Tarif</dt><dd>Gratuit</dd>"),
    (False, "5 € l’entrée", "<dt>Tarif</dt><dd>5 € l’entrée</dd>"),
    (False, "", None),
])
def test_the_price_line_says_what_is_known(client, commune, is_free, price, shown):
    event = publish(EventPageFactory(parent=section(commune, EventIndexPage), title="Loto",
                                     start=soon(9), is_free=is_free, price=price))
    for path in (event.url, f"/affiche/{event.pk}/"):
        html = client.get(path, HTTP_HOST=HOST).content.decode()
        if shown:
            assert shown in html, path
        else:
            assert "Tarif" not in html and "<dd>—</dd>" not in html, path
