"""Partner keys in the Wagtail admin, for platform administrators (superusers) only."""

from django.contrib import messages
from django.db.models import IntegerField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.panels import FieldPanel
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic import CreateView, EditView, IndexView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies.base import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from cms.readmodel.models import ApiKey, ApiKeyUsage

from . import keys


class SuperuserOnlyPolicy(ModelPermissionPolicy):
    """Keys open the whole API to a partner: only platform administrators manage them."""

    def user_has_permission(self, user, action):
        return user.is_active and user.is_superuser

    def user_has_any_permission(self, user, actions):
        return user.is_active and user.is_superuser

    def users_with_any_permission(self, actions):
        from django.contrib.auth import get_user_model

        return get_user_model().objects.filter(is_active=True, is_superuser=True)


class ApiKeyCreateView(CreateView):
    """Save the key, then show its token once: only its hash is kept."""

    def save_instance(self):
        key, self.token = keys.api_key_create(
            name=self.form.instance.name, created_by=self.request.user,
            key=self.form.instance)
        key.communes.set(self.form.cleaned_data.get("communes") or [])
        return key

    def form_valid(self, form):
        self.form = form
        self.object = self.save_instance()
        messages.success(self.request, _("Clé créée : copiez-la maintenant, elle ne sera "
                                         "plus affichée."))
        return TemplateResponse(self.request, "clocher_api/key_created.html",
                                {"key": self.object, "token": self.token,
                                 "index_url": self.get_success_url()})


class ApiKeyEditView(EditView):
    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["usage"] = self.object.usage.all()[:30]
        context["usage_total"] = self.object.usage.aggregate(total=Sum("requests"))["total"]
        return context


class ApiKeyIndexView(IndexView):
    def get_base_queryset(self):
        # Today's count in the listing query itself, not one query per row.
        today = ApiKeyUsage.objects.filter(key=OuterRef("pk"), day=timezone.localdate())
        return super().get_base_queryset().annotate(requests_today_count=Coalesce(
            Subquery(today.values("requests")[:1]), Value(0), output_field=IntegerField()))


class ApiKeyViewSet(ModelViewSet):
    model = ApiKey
    icon = "key"
    menu_label = _("Clés d'API")
    add_to_settings_menu = True
    add_view_class = ApiKeyCreateView
    edit_view_class = ApiKeyEditView
    index_view_class = ApiKeyIndexView
    edit_template_name = "clocher_api/key_edit.html"
    panels = [
        FieldPanel("name"),
        FieldPanel("communes"),
        FieldPanel("rate_limit_per_minute"),
        FieldPanel("cors_origins"),
        FieldPanel("revoked_at"),
    ]
    list_display = [
        "name",
        Column("prefix", label=_("préfixe")),
        "created_at",
        "last_used_at",
        "revoked_at",
        Column("requests_today", label=_("requêtes aujourd'hui"),
               accessor="requests_today_count"),
    ]
    search_fields = ["name", "prefix"]


register_permission_policy(ApiKey, SuperuserOnlyPolicy(ApiKey))


@hooks.register("register_admin_viewset")
def register_api_key_viewset():
    return ApiKeyViewSet("api_keys")
