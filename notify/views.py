"""Resident-facing views: sign up, confirm, manage, export, delete, unsubscribe.

No account: the signed links (tokens.py) are the only keys. Every answer about an
address is the same whether it is known or not. The forms work without JavaScript;
push (which needs it) posts JSON to `push_subscribe`.
"""

from __future__ import annotations

import functools
import json

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cms.communes.selectors import commune_get
from cms.core.ratelimit import address_bucket, client_address, rate_limit_hit

from . import links, services, tokens
from .forms import ChoicesForm, PhoneCodeForm, PhoneForm, PushSubscriptionForm, SubscribeForm
from .models import Subscriber

SUBSCRIBE_SCOPE = "notify.subscribe"
MAX_JSON_BYTES = 8192


def _language() -> str:
    language = (translation.get_language() or "fr")[:2]
    return language if language in dict(settings.LANGUAGES) else "fr"


def _commune(request):
    wanted = (request.GET.get("commune") or request.POST.get("commune") or "").strip()
    commune = commune_get(insee_code_or_slug=wanted[:100]) if wanted else None
    return commune if commune is not None and commune.live and not commune.origin_server else None


def _flood_checked(view):
    """POSTs counted against NOTIFY_SUBSCRIBE_RATE_PER_HOUR per client address."""

    @functools.wraps(view)
    def limited(request, *args, **kwargs):
        if request.method == "POST":
            decision = rate_limit_hit(
                scope=SUBSCRIBE_SCOPE, who=address_bucket(client_address(request)),
                limit=settings.NOTIFY_SUBSCRIBE_RATE_PER_HOUR, window_seconds=3600)
            if not decision.allowed:
                response = render(request, "notify/message.html", {
                    "title": _("Trop de demandes"),
                    "text": _("Trop de demandes depuis cette adresse. Réessayez plus tard.")},
                    status=429)
                response["Retry-After"] = str(decision.retry_after)
                return response
        return view(request, *args, **kwargs)

    return limited


@require_http_methods(["GET", "POST"])
@_flood_checked
def subscribe(request):
    commune = _commune(request)
    form = SubscribeForm(request.POST or None, commune=commune)
    if request.method == "POST" and form.is_valid():
        services.subscription_request(email=form.cleaned_data["email"],
                                      choices=form.choices(language=_language()))
        return redirect("notify:sent")
    return render(request, "notify/subscribe.html", {
        "form": form, "commune": commune,
        "vapid_public_key": settings.NOTIFY_VAPID_PUBLIC_KEY},
        status=400 if form.errors else 200)


@require_GET
def sent(request):
    return render(request, "notify/message.html", {
        "title": _("Vérifiez votre boîte"),
        "text": _("Si cette adresse peut recevoir nos messages, un e-mail vient d'y être "
                  "envoyé. Ouvrez le lien qu'il contient pour confirmer.")})


def _bad_link(request):
    return render(request, "notify/message.html", {
        "title": _("Lien non valable"),
        "text": _("Ce lien n'est pas valable ou n'est plus valable. Rien n'a été "
                  "modifié.")}, status=400)


@require_http_methods(["GET", "POST"])
def confirm(request, token: str):
    try:
        subscriber = tokens.confirm_subscriber(token)
    except tokens.BadLink:
        return _bad_link(request)
    if request.method == "POST":
        services.subscriber_confirm(subscriber=subscriber)
        return redirect("notify:manage", token=tokens.manage_token(subscriber))
    # A mail scanner follows links: confirming takes a click, not a GET.
    return render(request, "notify/confirm.html", {"subscriber": subscriber})


def _manage_subscriber(view):
    @functools.wraps(view)
    def with_subscriber(request, token: str):
        try:
            subscriber = tokens.manage_subscriber(token)
        except tokens.BadLink:
            return _bad_link(request)
        return view(request, subscriber, token)

    return with_subscriber


@require_http_methods(["GET", "POST"])
@_manage_subscriber
def manage(request, subscriber: Subscriber, token: str):
    chosen = list(subscriber.communes.all())
    initial = {"communes": [c.insee_code for c in chosen], "alerts": subscriber.alerts,
               "news": subscriber.news, "events": subscriber.events,
               "categories": subscriber.categories, "digest": subscriber.digest}
    home = chosen[0] if chosen else None
    form = ChoicesForm(request.POST or None, initial=initial, commune=home,
                       extra_communes=chosen)
    saved = False
    if request.method == "POST" and form.is_valid():
        services.subscriber_update(subscriber=subscriber,
                                   choices=form.choices(language=_language()))
        saved = True
    return render(request, "notify/manage.html", {
        "form": form, "subscriber": subscriber, "token": token, "saved": saved,
        "phone_form": PhoneForm(), "code_form": PhoneCodeForm(),
        "sms": bool(settings.NOTIFY_SMS_PROVIDER)},
        status=400 if form.errors else 200)


@require_POST
@_flood_checked
@_manage_subscriber
def phone(request, subscriber: Subscriber, token: str):
    """Add a number (a code is sent to it) or type back the code it received."""
    error = ""
    if "code" in request.POST:
        code_form = PhoneCodeForm(request.POST)
        if not (code_form.is_valid() and services.phone_confirm(
                subscriber=subscriber, code=code_form.cleaned_data["code"])):
            error = _("Ce code n'est pas le bon.")
    else:
        phone_form = PhoneForm(request.POST)
        if not phone_form.is_valid():
            error = " ".join(phone_form.errors["phone"])
        else:
            try:
                services.phone_request(subscriber=subscriber,
                                       phone=phone_form.cleaned_data["phone"])
            except services.PhoneRefused as refused:
                error = str(refused)
    if error:
        return render(request, "notify/message.html", {
            "title": _("Numéro de mobile"), "text": error,
            "back": reverse("notify:manage", args=[token])}, status=400)
    return redirect("notify:manage", token=token)


@require_GET
@_manage_subscriber
def export(request, subscriber: Subscriber, token: str):
    response = JsonResponse(services.subscriber_export(subscriber=subscriber),
                            json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Disposition"] = 'attachment; filename="mes-abonnements.json"'
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@_manage_subscriber
def delete(request, subscriber: Subscriber, token: str):
    services.subscriber_delete(subscriber=subscriber)
    return redirect("notify:deleted")


@require_GET
def deleted(request):
    return render(request, "notify/message.html", {
        "title": _("Données supprimées"),
        "text": _("Votre abonnement et tout ce qui s'y rapportait ont été supprimés.")})


# RFC 8058: the mail client POSTs "List-Unsubscribe=One-Click" with no cookie, so no
# CSRF token; the signed link is what authorises it.
@csrf_exempt
@require_http_methods(["GET", "POST"])
@_manage_subscriber
def unsubscribe(request, subscriber: Subscriber, token: str):
    if request.method == "POST":
        services.subscriber_unsubscribe(subscriber=subscriber)
        return render(request, "notify/message.html", {
            "title": _("Désabonnement effectué"),
            "text": _("Vous ne recevrez plus de messages. Vos données ont été "
                      "supprimées.")})
    return render(request, "notify/unsubscribe.html", {"token": token})


def _json_error(message: str, status: int = 400, **extra) -> JsonResponse:
    return JsonResponse({"error": message, **extra}, status=status)


@require_POST
@_flood_checked
def push_subscribe(request):
    """JSON: {"subscription": PushSubscription.toJSON(), "communes": […], "alerts": …,
    "token": a manage token (optional)} -> 201 {"manage_url": …}."""
    if len(request.body) > MAX_JSON_BYTES:
        return _json_error("too large", status=413)
    try:
        data = json.loads(request.body)
        subscription = data["subscription"]
        keys = subscription["keys"]
        push_data = {"endpoint": subscription["endpoint"], "p256dh": keys["p256dh"],
                     "auth": keys["auth"]}
    except (ValueError, KeyError, TypeError):
        return _json_error("expected a JSON object with a push subscription")
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in push_data.values()):
        return _json_error("expected a JSON object with a push subscription")
    push_form = PushSubscriptionForm(push_data)
    if not push_form.is_valid():
        return _json_error("invalid push subscription", fields=push_form.errors.get_json_data())
    subscriber = None
    if data.get("token"):
        try:
            subscriber = tokens.manage_subscriber(str(data["token"]))
        except tokens.BadLink:
            return _json_error("invalid token", status=403)
    choices_form = ChoicesForm({"communes": data.get("communes") or [],
                                "alerts": data.get("alerts") or "urgent",
                                "digest": data.get("digest") or "daily",
                                "news": bool(data.get("news")),
                                "events": bool(data.get("events"))},
                               commune=None)
    choices_form.fields["communes"].choices = [(c, c) for c in (data.get("communes") or [])
                                               if isinstance(c, str)][:50]
    if not isinstance(data.get("communes"), list) or not choices_form.is_valid():
        return _json_error("invalid choices", fields=choices_form.errors.get_json_data())
    subscriber = services.push_subscribe(**push_form.cleaned_data,
                                         choices=choices_form.choices(language=_language()),
                                         subscriber=subscriber)
    return JsonResponse({"manage_url": links.manage_url(subscriber)}, status=201)
