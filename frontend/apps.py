from django.apps import AppConfig


class FrontendConfig(AppConfig):
    name = "frontend"
    verbose_name = "Site des habitants"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from wagtail.signals import workflow_rejected

        from cms.communes.models import CommuneHomePage
        from cms.communes.roles import site_setting_register
        from cms.content.models import DirectoryIndexPage, EventIndexPage
        from cms.content.models.indexes import SectionIndexPage
        from cms.core.page_context import page_context_register
        from cms.publishing.outbox import Consumer, consumer_register
        from cms.publishing.services import PAGE_CACHE, Observer, observer_register
        from cms.readmodel.listings import commune_of
        from federation.activitypub.outbound import actor_images_register

        from . import identities, pagecache, services
        from .agenda import agenda_context
        from .directory import directory_context
        from .home import home_context
        from .sections import section_context

        # Pages hold data; what their templates need beyond it is built here.
        page_context_register(CommuneHomePage, lambda *, page, request: home_context(
            commune=page))
        page_context_register(SectionIndexPage, section_context)
        page_context_register(EventIndexPage, lambda *, page, request: agenda_context(
            request=request, commune=commune_of(page=page, request=request)))
        page_context_register(DirectoryIndexPage, lambda *, page, request: directory_context(
            request=request, commune=commune_of(page=page, request=request)))

        # Communicants and animateurs set their communes' identity (`setup_roles`).
        site_setting_register(app_label="frontend", codename="change_communeidentity")
        # The communicator's logo and cover on the commune's Fediverse profile.
        actor_images_register(identities.actor_images)
        # Readers notice a stale page at once: bumped by the committing process.
        consumer_register(Consumer(category=PAGE_CACHE,
                                   handle=lambda rows: pagecache.invalidate(),
                                   drain_on_commit=True,
                                   description="forget the resident site's cached pages"))
        observer_register(Observer(published=lambda pages: services.contributions_published(
            page_ids=[page.pk for page in pages])))
        workflow_rejected.connect(_on_workflow_rejected,
                                  dispatch_uid="frontend-contribution-declined")


def _on_workflow_rejected(sender, instance, **kwargs) -> None:
    from . import services

    try:
        page_id = int(instance.object_id)
    except (TypeError, ValueError):
        return
    task_state = getattr(instance, "current_task_state", None)
    comment = task_state.get_comment() if task_state is not None else ""
    services.contribution_declined(page_id=page_id, comment=comment or "")
