"""Control records in the Django admin (system administrators only), with their history.

Measures and standards changed here go through qms.control.services like those changed on their
pages: a measure is checked against the data already recorded, saved with a reason in history,
and its results refreshed. Their text is screened as on the pages (qms.web.screening), with the
box to confirm a prompt always on the form.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from qms.control import services
from qms.control.models import Measure, MeasureDefinition, Standard
from qms.people.admin import HistoryAdmin
from qms.web.screening import CONFIRM_FIELD, ScreenedForm, confirm_field


class StandardAdminForm(ScreenedForm, forms.ModelForm):
    identifiers_checked = confirm_field()

    class Meta:
        model = Standard
        fields = ["code", "title", "statement", "source", "unit"]


@admin.register(Standard)
class StandardAdmin(HistoryAdmin):
    form = StandardAdminForm
    list_display = ["title", "scope", "source", "unit"]
    list_filter = ["scope"]
    search_fields = ["title", "statement", "code"]
    # A standard is national (no unit) or agreed by a unit: the unit says which.
    fields = ["code", "title", "statement", "source", "unit", CONFIRM_FIELD]

    def get_readonly_fields(self, request, obj=None):
        # Who agreed a standard does not change; a new one is written instead.
        return ["unit"] if obj else []

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            changes = {
                name: data[name] for name in form.changed_data if name in services.STANDARD_FIELDS
            }
            services.standard_update(
                by=request.user, standard=obj, reason="Changed in admin", **changes
            )
            return
        created = services.standard_create(
            by=request.user,
            unit=data.get("unit"),
            **{name: data[name] for name in services.STANDARD_FIELDS},
        )
        obj.pk, obj.scope = created.pk, created.scope
        obj._state.adding = False


class MeasureAdminForm(ScreenedForm, forms.ModelForm):
    reason = forms.CharField(
        required=False,
        max_length=500,
        help_text="Why the definition changes; kept in the measure's history.",
    )
    identifiers_checked = confirm_field()

    class Meta:
        model = Measure
        fields = [
            "unit", "name", "code", "kind", "domain", "owner", "operational_definition",
            "numerator_definition", "denominator_definition", "data_source", "frequency",
            "chart", "direction", "multiply", "unit_label", "target", "target_source",
            "standard", "rules", "shift_length", "trend_length", "baseline_points", "is_active",
        ]  # fmt: skip

    def _post_clean(self):
        # After Django has put the form's values on the measure and validated its fields: the
        # same check measure_update makes, so a definition the recorded data cannot take (a c
        # chart with a negative count) is refused here with the periods named, not at save.
        super()._post_clean()
        if self.instance.pk is None or self.errors:
            return
        try:
            services.measure_check(self.instance)
        except ValidationError as error:
            self._update_errors(error)


@admin.register(MeasureDefinition)
class MeasureDefinitionAdmin(HistoryAdmin):
    """The library's definitions, to read: they change only through the library files and
    `qms load-library`, so every installation keeps the same library."""

    list_display = ["name", "code", "kind", "domain", "chart", "standard"]
    list_filter = ["kind", "domain", "chart"]
    search_fields = ["name", "code", "operational_definition"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Measure)
class MeasureAdmin(HistoryAdmin):
    form = MeasureAdminForm
    list_display = ["name", "unit", "kind", "domain", "chart", "is_active"]
    list_filter = ["kind", "domain", "chart", "is_active"]
    search_fields = ["name", "code"]

    def get_readonly_fields(self, request, obj=None):
        # A measure's data belongs to its unit: moving it is not an edit.
        return ["unit"] if obj else []

    def save_model(self, request, obj, form, change):
        fields = {
            name: form.cleaned_data[name]
            for name in form.changed_data
            if name in services.MEASURE_FIELDS
        }
        if change:
            services.measure_update(
                by=request.user,
                measure=obj,
                reason=form.cleaned_data.get("reason") or "Changed in admin",
                **fields,
            )
            return
        created = services.measure_create(
            by=request.user,
            unit=form.cleaned_data["unit"],
            **{name: form.cleaned_data[name] for name in services.MEASURE_FIELDS},
        )
        obj.pk = created.pk
        obj._state.adding = False
