"""Forms calling services: a service's refusal lands on the form that asked for it."""

from django.core.exceptions import PermissionDenied, ValidationError


def apply_service(form, act, *, rename=None):
    """What `act()` (a call to a service) returns; None when the service refused, its
    ValidationError put on the form on the fields it names (through `rename` when the form
    calls a field otherwise, on the form itself for fields it lacks) and a PermissionDenied on
    the form as a whole (the role was taken away meanwhile). The service's transaction was
    rolled back: nothing partial is saved."""
    try:
        return act()
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            for field, errors in error.error_dict.items():
                field = (rename or {}).get(field, field)
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, error)
    except PermissionDenied as error:
        form.add_error(None, str(error))
    return None
