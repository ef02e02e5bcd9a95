"""The comments app's pages: every form posts here and returns to the record; who may read,
write, download and remove, judged on the record's own access (object grants included)."""

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase, override_settings
from django.urls import reverse
from helpers import ANONYMOUS, make_measure

from comments.support import EXECUTABLE, new_signal, pdf
from qms.comments import services
from qms.comments.models import Attachment, Comment


def add_url(subject, what="comment"):
    return reverse(f"comments:{what}-add", args=[subject._meta.label_lower, subject.pk])


def texts(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


# Adding a comment ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("lead", 302),
        ("member", 302),
        ("quality_lead", 302),
        ("admin", 302),
        ("granted_partner", 302),
        ("coach", 403),  # reads the discussion, does not write in it
        ("partner", 403),  # in the unit, but measures are for staff
        ("outsider", 404),
    ],
)
def test_who_may_comment_on_a_signal(client, as_user, signal, who, status):
    as_user(who)
    response = client.post(add_url(signal), {"text": "Night rota was short"})
    assert response.status_code == status
    assert Comment.objects.count() == (1 if status == 302 else 0)
    if status == 302:
        comment = Comment.objects.get()
        assert response["Location"] == f"{signal.measure.get_absolute_url()}#comment-{comment.pk}"


def test_someone_signed_out_is_sent_to_sign_in(client, signal):
    response = client.post(add_url(signal), {"text": "Hello"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not Comment.objects.exists()


@pytest.mark.parametrize(
    "url",
    [
        "/comments/people.unit/1/comments/",  # a model that takes no comments
        "/comments/nothing.atall/1/comments/",
        "/comments/control.signal/999999/comments/",
    ],
)
def test_unknown_records_are_not_found(client, as_user, signal, url):
    as_user("lead")
    assert client.post(url, {"text": "Hello"}).status_code == 404


def test_another_units_signal_is_not_found_even_for_a_lead(client, as_user, org, quality_lead):
    elsewhere = new_signal(make_measure(org["other_ward"], "ward-8-falls", by=quality_lead))
    as_user("lead")
    assert client.post(add_url(elsewhere), {"text": "Hello"}).status_code == 404
    assert client.post(add_url(elsewhere.measure), {"text": "Hello"}).status_code == 404


def test_a_refused_comment_comes_back_with_a_message_naming_the_field(client, as_user, signal):
    as_user("lead")
    response = client.post(add_url(signal), {"text": "Patient 943 476 5919 fell"})
    assert response.status_code == 302
    assert texts(response) == [
        "The comment was not added. Comment looks like an NHS or CHI number; remove patient "
        "identifiers"
    ]
    assert not Comment.objects.exists()


def test_text_that_may_identify_a_patient_is_shown_again_to_confirm(client, as_user, signal):
    as_user("lead")
    response = client.post(add_url(signal), {"text": "Mrs Jones fell twice"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Check what you wrote" in html and "I have checked" in html
    assert not Comment.objects.exists()
    response = client.post(
        add_url(signal), {"text": "Mrs Jones fell twice", "identifiers_checked": "on"}
    )
    assert response.status_code == 302
    assert Comment.objects.get().text == "Mrs Jones fell twice"


# Changing and removing -------------------------------------------------------------------------


def test_its_author_changes_a_comment(client, as_user, member, signal):
    comment = services.comment_add(by=member, subject=signal, text="First")
    as_user("member")
    url = reverse("comments:comment-edit", args=[comment.pk])
    assert client.post(url, {"text": "Second"}).status_code == 302
    comment.refresh_from_db()
    assert comment.text == "Second"


@pytest.mark.parametrize(("who", "status"), [("lead", 403), ("coach", 403), ("outsider", 404)])
def test_no_one_else_changes_a_comment(client, as_user, member, signal, who, status):
    comment = services.comment_add(by=member, subject=signal, text="First")
    as_user(who)
    url = reverse("comments:comment-edit", args=[comment.pk])
    assert client.post(url, {"text": "Second"}).status_code == status
    comment.refresh_from_db()
    assert comment.text == "First"


@pytest.mark.parametrize(
    ("who", "status"),
    [("member", 302), ("lead", 302), ("coach", 403), ("granted_partner", 403), ("outsider", 404)],
)
def test_who_may_remove_a_comment(client, as_user, member, signal, who, status):
    comment = services.comment_add(by=member, subject=signal, text="Rota gap")
    as_user(who)
    url = reverse("comments:comment-remove", args=[comment.pk])
    assert client.post(url, {"reason": "Wrong signal"}).status_code == status
    comment.refresh_from_db()
    assert (comment.removed_at is not None) == (status == 302)


def test_a_missing_comment_is_not_found(client, as_user, signal):
    as_user("lead")
    assert client.post("/comments/comment/999999/remove/").status_code == 404
    assert (
        client.get(reverse("comments:comment-add", args=["control.signal", signal.pk])).status_code
        == 405
    )


# Attaching -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("lead", 302),
        ("member", 302),
        ("granted_partner", 302),
        ("coach", 403),
        ("partner", 403),
        ("outsider", 404),
        (ANONYMOUS, 302),
    ],
)
def test_who_may_attach_a_file(client, as_user, signal, who, status):
    as_user(who)
    response = client.post(add_url(signal, "attachment"), {"file": pdf()})
    assert response.status_code == status
    assert Attachment.objects.count() == (1 if status == 302 and who != ANONYMOUS else 0)


def test_a_renamed_program_is_refused_with_a_message_naming_it(client, as_user, signal):
    as_user("lead")
    upload = SimpleUploadedFile("audit.pdf", EXECUTABLE)
    response = client.post(add_url(signal, "attachment"), {"file": upload})
    assert response.status_code == 302
    assert texts(response)[0].startswith(
        "Nothing was attached. “audit.pdf” does not contain what its name says (PDF)"
    )
    assert not Attachment.objects.exists()


@override_settings(QMS_ATTACHMENT_MAX_BYTES=2000)
def test_a_file_over_the_limit_is_refused_with_a_message_naming_it(client, as_user, signal):
    as_user("lead")
    upload = pdf("scan.pdf", b"%PDF-" + b"x" * 3000)
    response = client.post(add_url(signal, "attachment"), {"file": upload})
    assert texts(response) == [
        "Nothing was attached. “scan.pdf” is too large (2.9\xa0KB): the limit is 2.0\xa0KB."
    ]
    assert not Attachment.objects.exists()


@override_settings(QMS_ATTACHMENT_MAX_BYTES=2000)
def test_a_body_far_over_the_limit_is_refused_before_it_is_read(client, as_user, signal):
    as_user("lead")
    upload = pdf("scan.pdf", b"%PDF-" + b"x" * 200_000)
    response = client.post(add_url(signal, "attachment"), {"file": upload})
    assert response.status_code == 413
    assert "The file is too large: the limit is 2.0\xa0KB. Nothing was saved." in (
        response.content.decode()
    )
    assert not Attachment.objects.exists()


@override_settings(QMS_ATTACHMENT_MAX_BYTES=30 * 1024 * 1024, QMS_MAX_UPLOAD_BYTES=1000)
def test_the_attachment_limit_is_the_attachments_own(client, as_user, signal):
    """The data upload's limit (here 1,000 bytes) does not stop a larger attachment."""
    as_user("lead")
    upload = pdf("scan.pdf", b"%PDF-" + b"x" * 5000)
    assert client.post(add_url(signal, "attachment"), {"file": upload}).status_code == 302
    assert Attachment.objects.get().size == 5005


def test_a_form_without_a_file_names_the_field(client, as_user, signal):
    as_user("lead")
    response = client.post(add_url(signal, "attachment"), {})
    assert texts(response) == ["Nothing was attached. File: This field is required."]


# Downloading -----------------------------------------------------------------------------------


@pytest.fixture
def attachment(lead, signal):
    return services.attachment_add(by=lead, subject=signal, file=pdf("Falls review – Ward 7.pdf"))


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("lead", 200),
        ("member", 200),
        ("coach", 200),
        ("granted_partner", 200),
        ("partner", 403),
        ("outsider", 404),
    ],
)
def test_who_may_download_a_file(client, as_user, attachment, who, status):
    as_user(who)
    assert client.get(attachment.get_absolute_url()).status_code == status


def test_a_file_is_always_a_download_under_its_own_name(client, as_user, attachment):
    as_user("member")
    response = client.get(attachment.get_absolute_url())
    assert response["Content-Disposition"].startswith("attachment;")
    assert "inline" not in response["Content-Disposition"]
    assert (
        "filename*=utf-8''Falls%20review%20%E2%80%93%20Ward%207.pdf"
        in (response["Content-Disposition"])
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_a_plain_name_is_quoted_safely(client, as_user, lead, signal):
    attachment = services.attachment_add(by=lead, subject=signal, file=pdf('say "hi".pdf'))
    as_user("lead")
    response = client.get(attachment.get_absolute_url())
    assert response["Content-Disposition"] == 'attachment; filename="say \\"hi\\".pdf"'


def test_a_removed_file_is_not_found(client, as_user, lead, attachment):
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.attachment_remove(by=lead, attachment=attachment)
    as_user("lead")
    assert client.get(attachment.get_absolute_url()).status_code == 404
    assert client.get("/comments/file/999999/").status_code == 404


@pytest.mark.parametrize(
    ("who", "status"), [("lead", 302), ("member", 403), ("coach", 403), ("outsider", 404)]
)
def test_who_may_remove_a_file(client, as_user, attachment, who, status):
    as_user(who)
    url = reverse("comments:attachment-remove", args=[attachment.pk])
    assert client.post(url).status_code == status
    attachment.refresh_from_db()
    assert (attachment.removed_at is not None) == (status == 302)
