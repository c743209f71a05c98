"""Background work of sharing: re-evaluating a commune after its rules change."""

from django_tasks import task

from cms.communes.models import CommuneHomePage

from . import services


@task()
def shares_reevaluate_task(commune_id: int) -> int:
    commune = CommuneHomePage.objects.filter(pk=commune_id).first()
    if commune is None:
        return 0
    return services.shares_reevaluate(commune=commune)
