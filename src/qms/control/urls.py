from django.urls import include, path
from django.views.generic import RedirectView

from qms.control import views

app_name = "control"

urlpatterns = [
    path("", views.control_home, name="home"),
    path("units/<int:unit_id>/measures/", views.measure_list, name="measure-list"),
    path("units/<int:unit_id>/measures/new/", views.measure_create, name="measure-create"),
    path("measures/<int:measure_id>/", views.measure_detail, name="measure-detail"),
    path("measures/<int:measure_id>/edit/", views.measure_edit, name="measure-edit"),
    path(
        "measures/<int:measure_id>/observations/",
        views.observation_record,
        name="observation-record",
    ),
    path(
        "observations/<int:observation_id>/delete/",
        views.observation_delete,
        name="observation-delete",
    ),
    path("measures/<int:measure_id>/phases/", views.phase_start, name="phase-start"),
    path("measures/<int:measure_id>/annotations/", views.annotation_add, name="annotation-add"),
    path(
        "baseline-suggestions/<int:suggestion_id>/",
        views.baseline_suggestion_decide,
        name="baseline-suggestion-decide",
    ),
    path(
        "signals/<int:signal_id>/acknowledge/", views.signal_acknowledge, name="signal-acknowledge"
    ),
    path("signals/<int:signal_id>/close/", views.signal_close, name="signal-close"),
    path("signals/<int:signal_id>/escalate/", views.signal_escalate, name="signal-escalate"),
    path("signals/<int:signal_id>/issue/", views.signal_issue, name="signal-issue"),
    # The inbox moved to the notifications app: old bookmarks still arrive.
    path("inbox/", RedirectView.as_view(pattern_name="notifications:inbox", permanent=True)),
    path("standards/", views.standards, name="standards"),
    path("units/<int:unit_id>/standards/new/", views.standard_create, name="standard-create"),
    path("vega-embed.js", views.vega_embed_js, name="vega-embed-js"),
    path("", include("qms.control.urls_upload")),
    path("", include("qms.control.urls_report")),
]
