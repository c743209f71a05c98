"""A commune is a Wagtail Site whose root is a CommuneHomePage."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index
from wagtail_localize.fields import SynchronizedField, TranslatableField

from cms.core.routing import SourceFallbackRouting

from .validators import (
    latitude_validators,
    longitude_validators,
    validate_coordinates_pair,
    validate_insee_code,
    validate_postcodes,
)


class PortalPage(Page):
    """The platform's front page: lists the communes; the development host serves them
    under a path prefix (/donges/) as well as on their own hostnames."""

    intro = RichTextField(blank=True, features=["bold", "italic", "link"])

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["communes.CommuneHomePage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("portail")

    def get_context(self, request, *args, **kwargs):
        from .selectors import commune_list

        context = super().get_context(request, *args, **kwargs)
        context["communes"] = commune_list().filter(locale=self.locale)
        return context


class KindSections:
    """The section index pages of the registered content kinds, read when Wagtail first
    asks (the registry is complete once the apps are loaded): a kind a project adds
    brings its section without a change here."""

    def __iter__(self):
        from .sections import section_labels

        return iter(section_labels())


class CommuneHomePage(SourceFallbackRouting, Page):
    """A commune's home page, holding its official data (INSEE, EPCI, centroid)."""

    # Unique per locale (checked in clean(): Django cannot constrain the inherited locale).
    insee_code = models.CharField(
        _("code INSEE"), max_length=5, validators=[validate_insee_code], db_index=True
    )
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    postcodes = models.JSONField(
        _("codes postaux"), default=list, blank=True, validators=[validate_postcodes]
    )
    department_code = models.CharField(_("département"), max_length=3, db_index=True)
    department_name = models.CharField(_("nom du département"), max_length=100, blank=True)
    epci_code = models.CharField(_("code EPCI (SIREN)"), max_length=9, blank=True, db_index=True)
    epci_name = models.CharField(_("intercommunalité"), max_length=255, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True,
                                 validators=latitude_validators)
    longitude = models.FloatField(_("longitude"), null=True, blank=True,
                                  validators=longitude_validators)
    intro = RichTextField(_("présentation"), blank=True)
    # Set on a mirror of a commune followed on another server (federation/): such a
    # commune has no Site, is not listed among local communes, and only the
    # federation worker writes its pages.
    origin_server = models.CharField(_("serveur d'origine"), max_length=255, blank=True,
                                     db_index=True, editable=False)
    actor_url = models.URLField(_("acteur ActivityPub"), max_length=500, blank=True,
                                db_index=True, editable=False)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    # Official data comes from the import; only platform administrators may correct it
    # (the import finds communes by INSEE code, so an edited code would fork the commune).
    settings_panels = [
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("insee_code", permission="superuser"),
                               FieldPanel("population", permission="superuser")]),
                FieldPanel("postcodes", permission="superuser"),
                FieldRowPanel([FieldPanel("department_code", permission="superuser"),
                               FieldPanel("department_name", permission="superuser")]),
                FieldRowPanel([FieldPanel("epci_code", permission="superuser"),
                               FieldPanel("epci_name", permission="superuser")]),
                FieldRowPanel([FieldPanel("latitude", permission="superuser"),
                               FieldPanel("longitude", permission="superuser")]),
            ],
            heading=_("Données officielles"),
        ),
        *Page.settings_panels,
    ]
    search_fields = [
        *Page.search_fields,
        index.FilterField("insee_code"),
        index.FilterField("department_code"),
        index.FilterField("epci_code"),
    ]
    parent_page_types = ["communes.PortalPage"]
    # The sections of the registered content kinds (cms/content/kinds.py).
    subpage_types = KindSections()
    # Official data is the same in every language: wagtail-localize synchronises it.
    translatable_fields = [
        TranslatableField("title"),
        TranslatableField("seo_title"),
        TranslatableField("search_description"),
        TranslatableField("intro"),
        *(
            SynchronizedField(name)
            for name in ("slug", "insee_code", "population", "postcodes", "department_code",
                         "department_name", "epci_code", "epci_name", "latitude", "longitude")
        ),
    ]

    class Meta:
        verbose_name = _("commune")

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        super().clean()
        validate_coordinates_pair(self.latitude, self.longitude)
        homonyms = CommuneHomePage.objects.filter(
            insee_code=self.insee_code, locale_id=self.locale_id
        ).exclude(pk=self.pk)
        if homonyms.exists():
            raise ValidationError({"insee_code": _("Une commune porte déjà ce code INSEE.")})

    def get_context(self, request, *args, **kwargs):
        from cms.core.page_context import page_context

        context = super().get_context(request, *args, **kwargs)
        context.update(page_context(page=self, request=request))
        return context

    @property
    def has_position(self) -> bool:
        return self.latitude is not None and self.longitude is not None
