from django.urls import path

from . import admin_views

app_name = "notify_admin"

urlpatterns = [
    path("page/<int:page_id>/", admin_views.report, name="report"),
    path("page/<int:page_id>/renvoyer/", admin_views.resend, name="resend"),
    path("page/<int:page_id>/portee.json", admin_views.reach, name="reach"),
]
