"""Looking for bright spots on demand, in the background (django-tasks): a quality lead's
button enqueues it; the nightly run is the command `qms find-bright-spots`."""

from django_tasks import task

from qms.people.models import Person


@task()
def find_bright_spots(person_id: int | None = None) -> int:
    """Run the finder for the person (their units), or everywhere when None. Returns the number
    of new candidates."""
    from qms.learning.services.bright_spots import bright_spots_find

    by = Person.objects.filter(pk=person_id, is_active=True).first() if person_id else None
    if person_id and by is None:
        return 0  # the person left meanwhile: nothing to do on their behalf
    return len(bright_spots_find(by=by).raised)
