"""Writes for communes: create or update a commune's page, sections and Site."""

from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.text import slugify
from wagtail.models import Locale, Page, Site

from .models import CommuneHomePage, PortalPage
from .roles import commune_roles_setup
from .validators import validate_coordinates_pair


@dataclass(frozen=True, kw_only=True)
class CommuneData:
    """Official data for one commune, as read from Etalab and GeoNames."""

    insee_code: str
    name: str
    population: int | None = None
    postcodes: list[str] = field(default_factory=list)
    department_code: str = ""
    department_name: str = ""
    epci_code: str = ""
    epci_name: str = ""
    latitude: float | None = None
    longitude: float | None = None

    @property
    def slug(self) -> str:
        # slugify() drops ligatures: Paimbœuf must become "paimboeuf", not "paimbuf".
        name = self.name.replace("œ", "oe").replace("Œ", "Oe").replace("æ", "ae").replace("Æ", "Ae")
        return slugify(name)


def commune_sections_default() -> list[tuple[str, str, str]]:
    """(model label, French title, slug) of the sections a new commune gets: one per
    registered content kind's section (sections.py), in the kinds' order."""
    from .sections import sections

    # In the site's language, whatever the language of the request or process creating
    # the commune (the kinds' names are translatable): "Actualités", /actualites/.
    with translation.override(settings.LANGUAGE_CODE):
        return [(section.model, str(section.title()), str(section.slug()))
                for section in sections()]


def portal_get_or_create() -> PortalPage:
    """Return the platform's portal page, creating it (and the default Site) if needed."""
    locale = Locale.get_default()
    portal = PortalPage.objects.filter(locale=locale).first()
    if portal is not None:
        return portal
    root = Page.get_first_root_node()
    portal = root.add_child(instance=PortalPage(title="Clocher", slug="clocher", locale=locale))
    # Wagtail's initial "Welcome" page is replaced by the portal as the default site root.
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(hostname="localhost", port=settings.CLOCHER_SITE_PORT,
                            root_page=portal, is_default_site=True, site_name="Clocher")
    else:
        site.root_page = portal
        site.site_name = "Clocher"
        site.save()
    Page.objects.filter(depth=2).exclude(pk=portal.pk).filter(
        content_type__model="page", numchild=0
    ).delete()
    return portal


def commune_hostname(slug: str) -> str:
    return settings.CLOCHER_SITE_HOSTNAME_TEMPLATE.format(slug=slug)


@transaction.atomic
def commune_upsert(*, data: CommuneData) -> tuple[CommuneHomePage, bool]:
    """Create or update a commune from official data; return (page, created).

    Idempotent: a second call with the same data changes nothing. The slug and
    hostname are kept once created, so links stay stable when a name changes.
    """
    locale = Locale.get_default()
    official = {
        "population": data.population,
        "postcodes": list(data.postcodes),
        "department_code": data.department_code,
        "department_name": data.department_name,
        "epci_code": data.epci_code,
        "epci_name": data.epci_name,
        "latitude": data.latitude,
        "longitude": data.longitude,
    }
    commune = CommuneHomePage.objects.filter(insee_code=data.insee_code, locale=locale).first()
    if commune is not None:
        changed = {k: v for k, v in official.items() if getattr(commune, k) != v}
        if data.name != commune.title:
            changed["title"] = data.name
        if changed:
            for name, value in changed.items():
                setattr(commune, name, value)
            _validate(commune)
            commune.save()
            # Official data is synchronised into every translation of the page.
            CommuneHomePage.objects.filter(translation_key=commune.translation_key).exclude(
                pk=commune.pk
            ).update(**{k: v for k, v in changed.items() if k != "title"})
            if "title" in changed:
                commune_roles_setup(commune=commune)  # group and workflow names follow
        return commune, False

    portal = portal_get_or_create()
    commune = CommuneHomePage(
        title=data.name, slug=_unique_slug(portal, data.slug, data.insee_code),
        insee_code=data.insee_code, locale=locale, **official,
    )
    _validate(commune)
    portal.add_child(instance=commune)
    for model_label, title, slug in commune_sections_default():
        model = _model(model_label)
        commune.add_child(instance=model(title=title, slug=slug, locale=locale))
    Site.objects.create(
        hostname=commune_hostname(commune.slug), port=settings.CLOCHER_SITE_PORT,
        root_page=commune, site_name=commune.title,
    )
    commune_roles_setup(commune=commune)
    return commune, True


def _validate(commune: CommuneHomePage) -> None:
    """Check the official fields; Wagtail checks the page fields when it saves."""
    page_fields = {f.name for f in Page._meta.fields} - {"title"}
    commune.clean_fields(exclude=page_fields)
    validate_coordinates_pair(commune.latitude, commune.longitude)


def _unique_slug(portal: PortalPage, slug: str, insee_code: str) -> str:
    # Homonyms exist (several Saint-Nazaire): the INSEE code disambiguates.
    if portal.get_children().filter(slug=slug).exists():
        return f"{slug}-{insee_code.lower()}"
    return slug


def _model(label: str):
    from django.apps import apps

    return apps.get_model(label)
