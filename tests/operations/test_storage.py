"""Files through Django's storage API: with QMS_S3_BUCKET set, attachments, pending data uploads
and report PDFs live in an S3-compatible store (here moto's S3 server on a local port), and
still download only through the views that check who asks.

Users are those of tests/conftest.py: lead and member in Ward 7, partner in the ward (measures
are for staff), outsider in another board; "anonymous" is not logged in.
"""

import contextlib
import json
import os
import subprocess
import sys

import boto3
import pytest
from comments.support import new_signal, pdf
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from helpers import ANONYMOUS, make_measure, record
from moto.server import ThreadedMotoServer

from qms.comments import services as comments
from qms.comments.models import Attachment
from qms.control.models import Observation, ReportExport

BUCKET, PREFIX = "qms-files", "board-a"
S3_ENV = {
    "QMS_S3_BUCKET": BUCKET,
    "QMS_S3_REGION": "eu-west-2",
    "QMS_S3_ACCESS_KEY_ID": "test-key",
    "QMS_S3_SECRET_ACCESS_KEY": "test-secret",
    "QMS_S3_PREFIX": f"/{PREFIX}/",
}
STABLE = [6, 5, 7, 6, 5, 6, 7, 5, 6, 6, 5, 7, 6, 5, 6, 7, 6, 5, 6, 6]


def storage_from_settings(tmp_path, **env) -> dict:
    """STORAGES["default"] as qms.config.settings builds it from this environment."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("QMS_S3_")}
    clean.update(DJANGO_SETTINGS_MODULE="qms.config.settings", QMS_DATA_DIR=str(tmp_path), **env)
    code = "import json; from qms.config import settings as s; print(json.dumps(s.STORAGES))"
    result = subprocess.run(
        [sys.executable, "-c", code], env=clean, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)["default"]


@pytest.fixture(scope="module")
def s3_endpoint():
    """moto's S3 server in a thread, on a free port, with an empty private bucket."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    client = s3_client(endpoint)
    # moto keeps its state per process: the bucket may be there from an earlier server.
    with contextlib.suppress(client.exceptions.BucketAlreadyOwnedByYou):
        client.create_bucket(
            Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-2"}
        )
    yield endpoint
    server.stop()


def s3_client(endpoint):
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="eu-west-2",
        aws_access_key_id="test-key",
        aws_secret_access_key="test-secret",
    )


def keys(endpoint) -> list[str]:
    listed = s3_client(endpoint).list_objects_v2(Bucket=BUCKET)
    return sorted(item["Key"] for item in listed.get("Contents", []))


@pytest.fixture(scope="module")
def s3_storage(s3_endpoint, tmp_path_factory):
    """The settings module's own S3 configuration for the moto server."""
    tmp = tmp_path_factory.mktemp("settings")
    return storage_from_settings(tmp, QMS_S3_ENDPOINT_URL=s3_endpoint, **S3_ENV)


@pytest.fixture
def on_s3(settings, s3_storage, s3_endpoint, tmp_path):
    """Default storage in the bucket (emptied first); MEDIA_ROOT an empty folder that must
    stay empty."""
    client = s3_client(s3_endpoint)
    for key in keys(s3_endpoint):
        client.delete_object(Bucket=BUCKET, Key=key)
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {**settings.STORAGES, "default": s3_storage}
    yield s3_endpoint
    assert not (tmp_path / "media").exists()  # nothing went to the local disk


def test_it_keeps_files_on_the_file_system_unless_a_bucket_is_named(tmp_path):
    assert storage_from_settings(tmp_path) == {
        "BACKEND": "django.core.files.storage.FileSystemStorage"
    }


def test_it_builds_the_s3_storage_from_the_environment(s3_storage, s3_endpoint):
    assert s3_storage["BACKEND"] == "storages.backends.s3.S3Storage"
    options = s3_storage["OPTIONS"]
    assert options["bucket_name"] == BUCKET and options["endpoint_url"] == s3_endpoint
    assert options["region_name"] == "eu-west-2" and options["location"] == PREFIX
    assert options["access_key"] == "test-key" and options["secret_key"] == "test-secret"
    assert options["file_overwrite"] is False  # a name taken gets a suffix, as on disk


def test_without_an_endpoint_it_is_aws_with_its_own_credentials_chain(tmp_path):
    options = storage_from_settings(tmp_path, QMS_S3_BUCKET="b")["OPTIONS"]
    assert options["endpoint_url"] is None and options["access_key"] is None
    assert options["addressing_style"] is None and options["location"] == ""


@pytest.fixture
def signal(org, lead):
    return new_signal(make_measure(org["ward"], "ward-7-falls", by=lead))


def attach(client, signal):
    url = reverse("comments:attachment-add", args=[signal._meta.label_lower, signal.pk])
    return client.post(url, {"file": pdf("Falls review.pdf", body=b"%PDF-1.7\nfalls\n%%EOF\n")})


def test_an_attachment_goes_to_the_bucket_through_the_page(client, lead, signal, on_s3):
    client.force_login(lead)
    assert attach(client, signal).status_code == 302
    attachment = Attachment.objects.get()
    assert keys(on_s3) == [f"{PREFIX}/{attachment.file.name}"]
    assert attachment.file.name.startswith("attachments/")  # a name of QMS's own
    stored = s3_client(on_s3).get_object(Bucket=BUCKET, Key=f"{PREFIX}/{attachment.file.name}")
    assert stored["Body"].read() == b"%PDF-1.7\nfalls\n%%EOF\n"
    # Private: no one but the key's owner is granted anything on the object.
    grants = s3_client(on_s3).get_object_acl(Bucket=BUCKET, Key=f"{PREFIX}/{attachment.file.name}")
    assert all("URI" not in grant["Grantee"] for grant in grants["Grants"])


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("lead", 200),
        ("member", 200),
        ("partner", 403),
        ("outsider", 404),
        (ANONYMOUS, 302),
    ],
)
def test_who_may_download_an_attachment_from_the_bucket(
    client, as_user, lead, signal, on_s3, who, status
):
    attachment = comments.attachment_add(by=lead, subject=signal, file=pdf())
    as_user(who)
    response = client.get(attachment.get_absolute_url())
    assert response.status_code == status
    if status == 200:  # streamed through the view, never a link to the bucket
        assert b"".join(response.streaming_content) == pdf().read()
        assert response["Content-Disposition"].startswith("attachment;")
    else:
        assert b"%PDF" not in b"".join(getattr(response, "streaming_content", [response.content]))


def test_a_removed_attachment_leaves_the_bucket(
    client, lead, signal, on_s3, django_capture_on_commit_callbacks
):
    attachment = comments.attachment_add(by=lead, subject=signal, file=pdf())
    assert len(keys(on_s3)) == 1
    with django_capture_on_commit_callbacks(execute=True):
        comments.attachment_remove(by=lead, attachment=attachment)
    assert keys(on_s3) == []
    client.force_login(lead)
    assert client.get(attachment.get_absolute_url()).status_code == 404


def test_a_file_missing_from_the_bucket_is_not_found_not_an_error(client, lead, signal, on_s3):
    attachment = comments.attachment_add(by=lead, subject=signal, file=pdf())
    s3_client(on_s3).delete_object(Bucket=BUCKET, Key=f"{PREFIX}/{attachment.file.name}")
    client.force_login(lead)
    assert client.get(attachment.get_absolute_url()).status_code == 404


def test_a_data_upload_waits_in_the_bucket_between_its_two_steps(client, lead, org, on_s3):
    """The check and the save may reach different app servers: the file waits in the store."""
    measure = make_measure(org["ward"], "ward-7-falls", by=lead)
    client.force_login(lead)
    body = b"measure,period,value,denominator,note\nward-7-falls,2024-01,3,800,\n"
    upload = SimpleUploadedFile("falls.csv", body, content_type="text/csv")
    checked = client.post("/control/upload/", {"file": upload})
    assert checked.status_code == 200, checked.content.decode()[:500]
    waiting = keys(on_s3)
    assert len(waiting) == 1 and waiting[0].startswith(f"{PREFIX}/uploads/")
    key = client.session["control_upload"]["key"]
    saved = client.post("/control/upload/save/", {"key": key})
    assert saved.status_code == 302
    assert Observation.objects.filter(measure=measure).count() == 1
    assert keys(on_s3) == []  # removed once saved


@pytest.mark.parametrize(("who", "status"), [("lead", 200), ("partner", 403), ("outsider", 404)])
def test_a_report_pdf_is_made_into_the_bucket_and_downloaded_through_the_view(
    client, as_user, lead, org, on_s3, django_capture_on_commit_callbacks, who, status
):
    record(make_measure(org["ward"], "ward-7-falls", by=lead), [*STABLE, 25])
    client.force_login(lead)
    with django_capture_on_commit_callbacks(execute=True):
        asked = client.get(f"/control/units/{org['ward'].pk}/report/?format=pdf")
    assert asked.status_code == 302
    export = ReportExport.objects.get()
    assert keys(on_s3) == [f"{PREFIX}/{export.file.name}"]
    assert export.file.name.startswith("exports/")
    client.logout()
    as_user(who)
    response = client.get(f"/control/exports/{export.pk}/download/")
    assert response.status_code == status
    if status == 200:
        assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_any_file_saved_through_the_default_storage_goes_to_the_bucket(on_s3):
    default_storage.save("probe.txt", ContentFile(b"x"))
    assert keys(on_s3) == [f"{PREFIX}/probe.txt"]
    assert default_storage.open("probe.txt").read() == b"x"
