"""qms.comments.services: who may comment, attach and remove, on the record's own access;
screened text; nothing partial saved; history kept."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from helpers import make_measure, make_person

from comments.support import EXECUTABLE, new_signal, pdf
from qms.comments import services
from qms.comments.models import Attachment, Comment
from qms.people.models import ObjectGrant
from qms.people.roles import Role

NHS_NUMBER = "943 476 5919"


# comment_add -----------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["lead", "member", "quality_lead", "admin", "granted_partner"])
def test_it_lets_those_who_may_write_comment_on_a_signal(request, signal, who):
    person = request.getfixturevalue(who)
    comment = services.comment_add(by=person, subject=signal, text="  Looking at the rota.  ")
    assert (comment.subject, comment.author, comment.text) == (
        signal,
        person,
        "Looking at the rota.",
    )
    version = comment.history.get()
    assert (version.history_type, version.history_user) == ("+", person)


@pytest.mark.parametrize("who", ["partner", "coach", "outsider"])
def test_it_refuses_a_comment_from_those_who_may_not_write(request, signal, who):
    with pytest.raises(PermissionDenied):
        services.comment_add(by=request.getfixturevalue(who), subject=signal, text="Hello")
    assert not Comment.objects.exists()


def test_a_grant_on_a_measure_reaches_its_signals(partner, measure, signal):
    ObjectGrant.objects.create(
        person=partner,
        content_type=ContentType.objects.get_for_model(measure),
        object_id=measure.pk,
        role="team_member",
    )
    assert services.comment_add(by=partner, subject=signal, text="Seen it").author == partner


def test_a_grant_on_one_signal_does_not_reach_another(org, lead, granted_partner, measure):
    other = new_signal(measure)
    with pytest.raises(PermissionDenied):
        services.comment_add(by=granted_partner, subject=other, text="Hello")


def test_it_refuses_a_record_that_takes_no_comments(org, lead):
    with pytest.raises(LookupError):
        services.comment_add(by=lead, subject=org["ward"], text="Hello")


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("   ", "Write the comment."),
        (f"Patient {NHS_NUMBER} fell", "looks like an NHS or CHI number"),
        ("Fell on \x00 the ward", "control characters"),
        ("DOB 12/03/1954 fell twice", "may identify a patient"),
        ("x" * 5001, "too long"),
    ],
)
def test_it_screens_the_text_and_names_the_field(lead, signal, text, found):
    with pytest.raises(ValidationError) as refused:
        services.comment_add(by=lead, subject=signal, text=text)
    assert found in " ".join(refused.value.message_dict["text"])
    assert not Comment.objects.exists()


def test_text_that_may_identify_a_patient_passes_once_a_person_confirmed_it(lead, signal):
    comment = services.comment_add(
        by=lead, subject=signal, text="Dr Patel reviewed the rota", identifiers_checked=True
    )
    assert comment.text == "Dr Patel reviewed the rota"
    with pytest.raises(ValidationError):  # an NHS number is refused whatever is confirmed
        services.comment_add(
            by=lead, subject=signal, text=f"See {NHS_NUMBER}", identifiers_checked=True
        )


# comment_edit and comment_remove ---------------------------------------------------------------


def test_its_author_edits_a_comment_and_the_old_text_stays_in_history(member, signal):
    comment = services.comment_add(by=member, subject=signal, text="First thought")
    services.comment_edit(by=member, comment=comment, text="Second thought")
    comment.refresh_from_db()
    assert comment.text == "Second thought" and comment.edited_at is not None
    assert [v.text for v in comment.history.order_by("history_date")] == [
        "First thought",
        "Second thought",
    ]


def test_no_one_else_edits_a_comment(lead, member, signal):
    comment = services.comment_add(by=member, subject=signal, text="Mine")
    with pytest.raises(PermissionDenied):
        services.comment_edit(by=lead, comment=comment, text="Yours now")


@pytest.mark.parametrize("remover", ["member", "lead", "quality_lead"])
def test_its_author_or_a_lead_removes_a_comment_keeping_the_text_in_history(
    request, member, signal, remover
):
    comment = services.comment_add(by=member, subject=signal, text="Rota gap on nights")
    by = request.getfixturevalue(remover)
    services.comment_remove(by=by, comment=comment, reason="Posted on the wrong signal")
    comment.refresh_from_db()
    assert (comment.text, comment.removed_by) == ("", by)
    assert comment.removed_at is not None
    removal, before = comment.history.order_by("-history_date")[:2]
    assert (removal.history_user, removal.history_change_reason) == (
        by,
        "Posted on the wrong signal",
    )
    assert before.text == "Rota gap on nights"


def test_a_member_does_not_remove_someone_elses_comment(lead, member, signal):
    comment = services.comment_add(by=lead, subject=signal, text="Lead's view")
    with pytest.raises(PermissionDenied):
        services.comment_remove(by=member, comment=comment)
    comment.refresh_from_db()
    assert comment.removed_at is None


# attachment_add and attachment_remove ----------------------------------------------------------


def test_it_attaches_a_file_through_the_default_storage_under_a_name_of_its_own(lead, signal):
    attachment = services.attachment_add(by=lead, subject=signal, file=pdf("Falls review.pdf"))
    assert attachment.original_name == "Falls review.pdf"
    assert (attachment.media_type, attachment.size) == ("application/pdf", 35)
    assert attachment.file.name.startswith("attachments/")
    assert "Falls" not in attachment.file.name and attachment.file.name.endswith(".pdf")
    assert default_storage.exists(attachment.file.name)
    assert attachment.history.get().history_user == lead


@pytest.mark.parametrize("who", ["partner", "coach", "outsider"])
def test_it_refuses_a_file_from_those_who_may_not_write(request, signal, who):
    with pytest.raises(PermissionDenied):
        services.attachment_add(by=request.getfixturevalue(who), subject=signal, file=pdf())
    assert not Attachment.objects.exists()


def test_a_renamed_program_is_refused_and_nothing_is_stored(lead, signal):
    before = _stored_files()
    with pytest.raises(ValidationError) as refused:
        services.attachment_add(
            by=lead, subject=signal, file=SimpleUploadedFile("minutes.pdf", EXECUTABLE)
        )
    assert "“minutes.pdf” does not contain what its name says" in refused.value.messages[0]
    assert not Attachment.objects.exists()
    assert _stored_files() == before


def test_the_stored_file_goes_when_its_row_cannot_be_saved(lead, signal, monkeypatch):
    before = _stored_files()

    def fail(*args, **kwargs):
        raise RuntimeError("database gone")

    monkeypatch.setattr(Attachment, "save", fail)
    with pytest.raises(RuntimeError):
        services.attachment_add(by=lead, subject=signal, file=pdf())
    assert _stored_files() == before


def test_its_uploader_or_a_lead_removes_a_file_and_it_leaves_storage(lead, member, signal):
    mine = services.attachment_add(by=member, subject=signal, file=pdf("mine.pdf"))
    theirs = services.attachment_add(by=lead, subject=signal, file=pdf("theirs.pdf"))
    with pytest.raises(PermissionDenied):
        services.attachment_remove(by=member, attachment=theirs)
    for by, attachment in ((member, mine), (lead, theirs)):
        with TestCase.captureOnCommitCallbacks(execute=True):
            services.attachment_remove(by=by, attachment=attachment)
        attachment.refresh_from_db()
        assert attachment.removed_by == by and attachment.removed_at is not None
        assert not default_storage.exists(attachment.file.name)


def test_measures_take_comments_from_those_who_record_data(org, lead, member, coach):
    measure = make_measure(org["ward"], "hand-hygiene", by=lead)
    assert services.comment_add(by=member, subject=measure, text="Data late").subject == measure
    with pytest.raises(PermissionDenied):
        services.comment_add(by=coach, subject=measure, text="Hello")


def _stored_files() -> set[str]:
    found = set()

    def walk(folder):
        folders, names = (
            default_storage.listdir(folder) if default_storage.exists(folder) else ([], [])
        )
        found.update(f"{folder}/{name}" for name in names)
        for sub in folders:
            walk(f"{folder}/{sub}")

    walk("attachments")
    return found


def test_an_answer_tells_the_owner_and_earlier_commenters_but_not_its_author(
    org, lead, member, measure
):
    from qms.notifications.models import Notification

    outsider_owner = make_person("gone", (Role.TEAM_LEAD, org["elsewhere"]))
    measure.owner = outsider_owner  # an owner who can no longer read the unit's discussion
    measure.save()
    services.comment_add(by=member, subject=measure, text="Two of the falls were at night.")
    assert not Notification.objects.filter(kind="comment").exists()  # nobody to tell yet
    answer = services.comment_add(by=lead, subject=measure, text="Shall we add night rounds?")
    told = Notification.objects.filter(kind="comment")
    assert [n.person for n in told] == [member]
    assert told[0].link == f"{measure.get_absolute_url()}#comment-{answer.pk}"
    assert "Shall we add night rounds?" in told[0].text


def test_a_comment_on_a_signal_links_to_the_signal_on_its_measure_page(lead, member, signal):
    from qms.notifications.models import Notification

    services.comment_add(by=member, subject=signal, text="It was the new monitor.")
    services.comment_add(by=lead, subject=signal, text="Thank you.")
    assert Notification.objects.get(kind="comment").link == signal.get_absolute_url()
