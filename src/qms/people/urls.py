from django.urls import path

from qms.people import views

app_name = "people"

urlpatterns = [
    path("units/", views.unit_tree, name="unit-tree"),
    path("units/switch/", views.unit_switch, name="unit-switch"),
    path("units/<int:unit_id>/", views.unit_detail, name="unit-detail"),
    path("units/<int:unit_id>/members/", views.unit_members, name="unit-members"),
    path(
        "units/<int:unit_id>/members/<int:membership_id>/remove/",
        views.membership_remove,
        name="membership-remove",
    ),
    path("units/<int:unit_id>/api-keys/", views.api_keys, name="api-keys"),
    path(
        "units/<int:unit_id>/api-keys/<int:key_id>/revoke/",
        views.api_key_revoke,
        name="api-key-revoke",
    ),
    path("people/<int:person_id>/", views.person_detail, name="person-detail"),
    path(
        "records/<str:record_type>/<int:object_id>/people/",
        views.record_people,
        name="record-people",
    ),
    path("records/grants/<int:grant_id>/remove/", views.grant_remove, name="grant-remove"),
]
