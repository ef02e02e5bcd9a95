from django.urls import path

from qms.comments import views

app_name = "comments"
urlpatterns = [
    path("<str:key>/<int:object_id>/comments/", views.comment_add, name="comment-add"),
    path("comment/<int:comment_id>/edit/", views.comment_edit, name="comment-edit"),
    path("comment/<int:comment_id>/remove/", views.comment_remove, name="comment-remove"),
    path("<str:key>/<int:object_id>/attachments/", views.attachment_add, name="attachment-add"),
    path("file/<int:attachment_id>/", views.attachment_download, name="attachment-download"),
    path("file/<int:attachment_id>/remove/", views.attachment_remove, name="attachment-remove"),
]
