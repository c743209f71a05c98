"""Admin: a commune's ActivityPub subscriptions (follow, unfollow, followers) and its key.

Communicators and animateurs of a commune manage them, like its sharing rules.
"""

import hashlib
from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.contrib import messages
from django.db.models import Case, IntegerField, Value, When
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from federation.models import ActorKey, Follow, FollowDirection, FollowState
from federation.sharing.views import managed_commune

from .keys import actor_key_rotate
from .remote import HANDLE, RemoteError, follow_remote, unfollow_remote

MAX_ID = 2**63 - 1


class FollowRemoteForm(forms.Form):
    handle = forms.CharField(
        label=gettext_lazy("Adresse de la commune ou du compte à suivre"), max_length=300,
        help_text=gettext_lazy("Son adresse de fédération, par exemple "
                               "« montoir-de-bretagne@clocher.example » ou "
                               "« alice@mastodon.example », ou l'URL de son acteur "
                               "ActivityPub."))

    def clean_handle(self) -> str:
        value = self.cleaned_data["handle"].strip()
        parts = urlsplit(value)
        if parts.scheme in ("http", "https") and parts.hostname:
            host = parts.netloc
        elif match := HANDLE.match(value):
            host = match["host"]
        else:
            raise forms.ValidationError(_("Saisissez une adresse « nom@serveur » ou une URL "
                                          "https://."))
        if host.lower() == urlsplit(settings.FEDERATION_BASE_URL).netloc.lower():
            raise forms.ValidationError(_("Cette commune est sur ce serveur : ses contenus se "
                                          "partagent par les règles de partage."))
        return value


def remote_actor_described(remote_actor) -> str:
    """« la commune X » for an organisation (what a commune is on every server),
    « le compte X » for a person, a group, a service."""
    name = remote_actor.name or remote_actor.preferred_username or remote_actor.url
    if remote_actor.type == "Organization":
        return _("la commune %(name)s") % {"name": name}
    return _("le compte %(name)s") % {"name": name}


class FollowChoiceForm(forms.Form):
    follow = forms.IntegerField(min_value=1, max_value=MAX_ID)


def _page(request: HttpRequest, commune, form: FollowRemoteForm, *, status: int = 200):
    state_order = Case(When(state=FollowState.ACCEPTED, then=Value(0)),
                       When(state=FollowState.PENDING, then=Value(1)),
                       default=Value(2), output_field=IntegerField())
    follows = (Follow.objects.filter(commune=commune).exclude(state=FollowState.UNDONE)
               .select_related("remote_actor").order_by(state_order, "-created_at"))
    key = ActorKey.objects.filter(commune=commune).first()
    fingerprint = (hashlib.sha256(key.public_key_pem.encode()).hexdigest()[:32]
                   if key is not None else "")
    host = urlsplit(settings.FEDERATION_BASE_URL).netloc
    return TemplateResponse(request, "federation/activitypub/follows.html", {
        "commune": commune, "form": form, "key": key, "fingerprint": fingerprint,
        "handle": f"{commune.slug}@{host}",
        "following": [f for f in follows if f.direction == FollowDirection.OUTBOUND],
        "followers": [f for f in follows if f.direction == FollowDirection.INBOUND],
    }, status=status)


@require_http_methods(["GET", "POST"])
def follows(request: HttpRequest, commune_id: int) -> HttpResponse:
    commune = managed_commune(request, commune_id)
    if request.method == "GET":
        return _page(request, commune, FollowRemoteForm())
    form = FollowRemoteForm(request.POST)
    if form.is_valid():
        try:
            follow = follow_remote(commune=commune, handle_or_url=form.cleaned_data["handle"])
        except RemoteError as error:
            # Not known yet whether the address is a commune's or a person's.
            form.add_error("handle", _("Impossible de joindre ce compte : %(error)s")
                           % {"error": error})
        else:
            messages.success(request, _("Abonnement demandé pour %(who)s : il sera "
                                        "actif quand le serveur distant l'acceptera.")
                             % {"who": remote_actor_described(follow.remote_actor)})
            return redirect("federation_ap_follows", commune_id=commune.pk)
    return _page(request, commune, form, status=400)


@require_POST
def unfollow(request: HttpRequest, commune_id: int) -> HttpResponse:
    commune = managed_commune(request, commune_id)
    choice = FollowChoiceForm(request.POST)
    follow = (Follow.objects.filter(pk=choice.cleaned_data["follow"], commune=commune,
                                    direction=FollowDirection.OUTBOUND)
              .select_related("remote_actor").first() if choice.is_valid() else None)
    if follow is None:
        raise Http404
    unfollow_remote(commune=commune, remote_actor=follow.remote_actor)
    messages.success(request, _("Abonnement annulé pour %(who)s.")
                     % {"who": remote_actor_described(follow.remote_actor)})
    return redirect("federation_ap_follows", commune_id=commune.pk)


@require_POST
def key_rotate(request: HttpRequest, commune_id: int) -> HttpResponse:
    commune = managed_commune(request, commune_id)
    key = actor_key_rotate(commune=commune)
    messages.success(request, _("Nouvelle clé (n° %(generation)s) : les serveurs abonnés en "
                                "sont informés.") % {"generation": key.generation})
    return redirect("federation_ap_follows", commune_id=commune.pk)
