"""The Django admin, for system administrators only (see qms.web.admin_site).

Every change made here goes through qms.people.services, as it would on the product's pages: the
same checks, the same history, and admin access that follows the system administrator role. Text
is screened as on the pages (qms.web.screening), with the box to confirm a prompt always on the
form.
"""

from django import forms
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.utils.text import capfirst
from simple_history.admin import SimpleHistoryAdmin

from qms.people import access, services
from qms.people.models import ExternalIdentity, Membership, ObjectGrant, Person, Unit
from qms.web.screening import CONFIRM_FIELD, ScreenedForm, confirm_field

_CONFIRM_FIELDSET = ("Patient identifiers", {"fields": [CONFIRM_FIELD]})


class PersonChangeForm(ScreenedForm, UserChangeForm):
    identifiers_checked = confirm_field()


class PersonCreationForm(ScreenedForm, AdminUserCreationForm):
    identifiers_checked = confirm_field()


class UnitAdminForm(ScreenedForm, forms.ModelForm):
    identifiers_checked = confirm_field()

    class Meta:
        model = Unit
        fields = ["name", "kind", "code", "parent", "description"]


class HistoryAdmin(SimpleHistoryAdmin):
    """Django admin with django-simple-history's history pages, to read. Reverting to an old
    version is refused (SIMPLE_HISTORY_REVERT_DISABLED only hides its button): it would
    write an old row back as a change nobody made through a form, so changes are made again
    through the change form, which goes through the services."""

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            raise PermissionDenied("Old versions are for reading; make changes on the change form.")
        return super().history_form_view(request, object_id, version_id, extra_context)


def _saved_as(obj, saved) -> None:
    """Give the admin's unsaved object the identity of what the service saved, so the admin's
    log entry and redirect point at it."""
    obj.pk = saved.pk
    obj._state.adding = False


def _listed(deleted: list, prefixes: tuple[str, ...]) -> list:
    """The admin's nested list of what a deletion touches, without the entries named so."""
    kept = []
    for entry in deleted:
        if isinstance(entry, list):
            kept.append(_listed(entry, prefixes))
        elif not str(entry).startswith(prefixes):
            kept.append(entry)
    return kept


@admin.register(Person)
class PersonAdmin(UserAdmin):
    form = PersonChangeForm
    add_form = PersonCreationForm
    list_display = ["username", "display_name", "job_title", "professional_group", "is_active"]
    list_filter = ["is_active", "is_superuser", "professional_group"]
    search_fields = ["username", "display_name", "email", "job_title"]
    # No superuser, staff, group or permission boxes: admin access follows the system
    # administrator role (a membership), and QMS's permissions are roles in units.
    fieldsets = (
        (None, {"fields": ["username", "password"]}),
        ("Personal info", {"fields": ["first_name", "last_name", "email"]}),
        (
            "Role in the organisation",
            {"fields": ["display_name", "job_title", "professional_group"]},
        ),
        ("Access", {"fields": ["is_active", "is_superuser", "last_login", "date_joined"]}),
        _CONFIRM_FIELDSET,
    )
    readonly_fields = ["is_superuser", "last_login", "date_joined"]
    add_fieldsets = UserAdmin.add_fieldsets + (
        (None, {"fields": ["display_name", "email", "job_title", "professional_group"]}),
        _CONFIRM_FIELDSET,
    )

    def get_deleted_objects(self, objs, request):
        """What deleting the person would delete, less the records that must not be tied to
        them even here (a model with `admin_unlisted = True`: that they answered a survey):
        they are still deleted, but the page neither names nor counts them."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        unlisted = [m._meta for m in apps.get_models() if getattr(m, "admin_unlisted", False)]
        prefixes = tuple(f"{capfirst(opts.verbose_name)}: " for opts in unlisted)
        plurals = {opts.verbose_name_plural for opts in unlisted}
        counts = {name: n for name, n in counts.items() if name not in plurals}
        return _listed(deleted, prefixes), counts, perms_needed, protected

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            changes = {
                name: data[name] for name in form.changed_data if name in services.PERSON_FIELDS
            }
            services.person_update(by=request.user, person=obj, **changes)
            return
        usable = data.get("usable_password", "true") not in (False, "false")
        created = services.person_create(
            by=request.user,
            username=data["username"],
            display_name=data.get("display_name", ""),
            email=data.get("email", ""),
            job_title=data.get("job_title", ""),
            professional_group=data.get("professional_group", ""),
            password=data.get("password1") if usable else None,
        )
        _saved_as(obj, created)


@admin.register(Unit)
class UnitAdmin(HistoryAdmin):
    form = UnitAdminForm
    list_display = ["name", "kind", "code", "parent"]
    search_fields = ["name", "code"]
    list_filter = ["kind"]

    def get_readonly_fields(self, request, obj=None):
        # Moving a unit re-homes its whole subtree; that is not a casual edit.
        return ["parent"] if obj else []

    def has_delete_permission(self, request, obj=None):
        # Deleting a unit would silently take its memberships with it (and with them, perhaps,
        # someone's system administrator role, leaving their admin access behind). Units are
        # renamed or left empty; their history stays.
        return False

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in ("name", "code", "kind", "description")}
        if change:
            services.unit_update(by=request.user, unit=obj, **fields)
        else:
            created = services.unit_create(
                by=request.user, parent=form.cleaned_data["parent"], **fields
            )
            obj.path = created.path
            _saved_as(obj, created)


@admin.register(Membership)
class MembershipAdmin(HistoryAdmin):
    list_display = ["person", "role", "unit"]
    list_filter = ["role"]
    search_fields = ["person__display_name", "unit__name"]
    autocomplete_fields = ["person", "unit"]

    def save_model(self, request, obj, form, change):
        if change:
            # obj holds the form's new person, unit and role; the service reads what it was.
            services.membership_change(
                by=request.user,
                membership=obj,
                person=obj.person,
                unit=obj.unit,
                role=obj.role,
                reason="Changed in admin",
            )
        else:
            created = services.membership_add(
                by=request.user, person=obj.person, unit=obj.unit, role=obj.role
            )
            _saved_as(obj, created)

    def delete_model(self, request, obj):
        services.membership_remove(by=request.user, membership=obj, reason="Removed in admin")

    def delete_queryset(self, request, queryset):
        # "Delete selected" too: one service call each, so a system administrator role removed
        # in bulk takes admin access with it.
        for membership in queryset.select_related("person", "unit"):
            services.membership_remove(
                by=request.user, membership=membership, reason="Removed in admin"
            )


class ObjectGrantAdminForm(forms.ModelForm):
    """A role on one record, named by its type and id: the record must exist and accept grants,
    and the role be one given on records."""

    class Meta:
        model = ObjectGrant
        fields = ["person", "content_type", "object_id", "role"]

    def clean(self):
        data = super().clean()
        content_type, object_id = data.get("content_type"), data.get("object_id")
        if content_type is None or object_id is None:
            return data
        model = content_type.model_class()
        if model is None or not access.accepts_grants(model):
            raise ValidationError({"content_type": "Roles cannot be given on this type."})
        try:
            self.record = content_type.get_object_for_this_type(pk=object_id)
        except ObjectDoesNotExist:
            raise ValidationError({"object_id": "No such record."}) from None
        if data.get("role") and data["role"] not in access.GRANTABLE_ROLES:
            raise ValidationError({"role": "This role is held in units, never on a record."})
        return data


@admin.register(ObjectGrant)
class ObjectGrantAdmin(HistoryAdmin):
    """Grants are given and removed, never edited: a different role is a new grant."""

    form = ObjectGrantAdminForm
    list_display = ["person", "role", "content_type", "object_id", "granted_by", "created_at"]
    list_filter = ["role", "content_type"]
    search_fields = ["person__display_name", "person__username"]
    autocomplete_fields = ["person"]

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        created = services.grant_give(
            by=request.user, record=form.record, person=obj.person, role=obj.role
        )
        _saved_as(obj, created)

    def delete_model(self, request, obj):
        services.grant_remove(by=request.user, grant=obj, reason="Removed in admin")

    def delete_queryset(self, request, queryset):
        for grant in queryset.select_related("person"):
            services.grant_remove(by=request.user, grant=grant, reason="Removed in admin")


@admin.register(ExternalIdentity)
class ExternalIdentityAdmin(admin.ModelAdmin):
    """Who signs in through single sign-on as whom (qms.web.sso). Made at a first sign-in, never
    here; deleting one unlinks it, and the person's next sign-in links again by e-mail (never
    to a system administrator's or a partner's account)."""

    list_display = ["person", "issuer", "subject", "created_at", "last_sign_in_at"]
    search_fields = ["person__display_name", "person__username", "person__email", "subject"]
    readonly_fields = ["person", "issuer", "subject", "created_at", "last_sign_in_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        services.external_identity_remove(by=request.user, identity=obj)

    def delete_queryset(self, request, queryset):
        for identity in queryset:
            services.external_identity_remove(by=request.user, identity=identity)
