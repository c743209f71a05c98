"""Which commune a request is about: its own hostname, or `?commune=` on the portal."""

from django.http import HttpRequest
from wagtail.models import Site

from cms.communes.models import CommuneHomePage
from cms.communes.selectors import commune_get


def commune_from_request(request: HttpRequest) -> CommuneHomePage | None:
    """The commune named by `commune` (INSEE code or slug), else the Site's commune."""
    wanted = (request.GET.get("commune") or request.POST.get("commune") or "").strip()
    if wanted:
        commune = commune_get(insee_code_or_slug=wanted[:100])
        return commune if commune is not None and commune.live else None
    site = Site.find_for_request(request)
    if site is None:
        return None
    root = site.root_page.specific
    return root if isinstance(root, CommuneHomePage) else None

