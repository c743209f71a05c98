"""The editor's form of every commune content page (issue 28, item 2).

Categories are a shared, translated taxonomy (taxonomy.py): one row per category and
locale. Wagtail's default picker listed all of them, every language mixed ("Marché",
"Market", "Markt") in a multi-select needing Ctrl-click. Here a page offers only the
categories of its own locale, as checkboxes, each named in the editor's language.
"""

from django import forms
from django.utils import translation
from wagtail.admin.forms import WagtailAdminPageForm


class CommuneContentPageForm(WagtailAdminPageForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "categories" in self.fields:
            self._categories_as_checkboxes(self.fields["categories"])

    def _categories_as_checkboxes(self, field) -> None:
        from .models import Category

        parent = getattr(self, "parent_page", None)
        locale_id = self.instance.locale_id or (parent.locale_id if parent else None)
        labels = category_labels(language=translation.get_language())
        field.widget = forms.CheckboxSelectMultiple(attrs={"class": "category-checkboxes"})
        field.label_from_instance = lambda category: labels.get(
            category.translation_key, category.name)
        queryset = Category.objects.order_by("name")
        field.queryset = queryset.filter(locale_id=locale_id) if locale_id else queryset


def category_labels(*, language: str | None) -> dict:
    """Category names in `language` by translation key ({} when it has no locale)."""
    from .models import Category

    if not language:
        return {}
    return dict(Category.objects.filter(locale__language_code=language.split("-")[0])
                .values_list("translation_key", "name"))
