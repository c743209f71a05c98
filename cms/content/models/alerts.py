from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel
from wagtail.api import APIField
from wagtail.fields import RichTextField
from wagtail.search import index

from .base import CommuneContentPage


class AlertSeverity(models.IntegerChoices):
    """Ordered so that sorting by descending severity puts urgent alerts first."""

    INFO = 1, _("information")
    WARNING = 2, _("vigilance")
    URGENT = 3, _("urgent")


class AlertPage(CommuneContentPage):
    severity = models.PositiveSmallIntegerField(
        _("niveau"), choices=AlertSeverity.choices, default=AlertSeverity.INFO, db_index=True
    )
    valid_from = models.DateTimeField(_("valable à partir du"), default=timezone.now)
    valid_until = models.DateTimeField(_("valable jusqu'au"), null=True, blank=True)
    message = RichTextField(_("message"), features=["bold", "italic", "link", "ul"])

    content_panels = [
        *CommuneContentPage.content_panels,
        FieldPanel("severity"),
        FieldRowPanel([FieldPanel("valid_from"), FieldPanel("valid_until")]),
        FieldPanel("message"),
        FieldPanel("categories"),
    ]
    search_fields = [
        *CommuneContentPage.search_fields,
        index.SearchField("message"),
        index.FilterField("severity"),
        index.FilterField("valid_from"),
        index.FilterField("valid_until"),
    ]
    api_fields = [
        APIField("severity_name"),
        APIField("valid_from"),
        APIField("valid_until"),
        APIField("message"),
        APIField("category_slugs"),
        APIField("commune_insee_code"),
    ]
    parent_page_types = ["content.AlertIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("alerte")
        verbose_name_plural = _("alertes")

    @property
    def severity_name(self) -> str:
        return AlertSeverity(self.severity).name.lower()

    @property
    def is_urgent(self) -> bool:
        return self.severity == AlertSeverity.URGENT

    def clean(self) -> None:
        super().clean()
        if self.valid_from and self.valid_until and self.valid_until <= self.valid_from:
            raise ValidationError(
                {"valid_until": _("La fin de validité doit suivre son début.")}
            )
