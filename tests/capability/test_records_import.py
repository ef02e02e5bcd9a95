import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from capability.support import framework
from qms.capability.models import Training

HEADER = "Person,Course,Provider,Completed on,Hours,Skill,Level\n"


def _csv(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("training.csv", (HEADER + text).encode(), "text/csv")


def test_it_imports_training_for_the_units_people(client, org, lead, member):
    framework(org)
    client.force_login(lead)
    url = reverse("capability:training-import", args=[org["ward"].pk])
    assert client.get(url).status_code == 200
    rows = (
        "member,Scottish Improvement Foundation Skills,NES,31/01/2026,12,"
        "The model for improvement and PDSA,Foundation\n"
        "MEMBER@example.org,Human factors in healthcare,,2026-02-03,,,\n"
    )
    response = client.post(url, {"file": _csv(rows)})
    assert response.status_code == 302
    training = list(Training.objects.order_by("completed_on"))
    assert [t.course for t in training] == [
        "Scottish Improvement Foundation Skills",
        "Human factors in healthcare",
    ]
    assert training[0].skill.code == "model-for-improvement" and training[0].recorded_by == lead


def test_it_imports_nothing_when_a_row_is_wrong_and_names_each_row(client, org, lead, member):
    framework(org)
    client.force_login(lead)
    rows = (
        "member,Good course,,31/01/2026,3,,\n"
        "nobody,Course,,31/01/2026,,,\n"
        "member,,,32/01/2026,lots,Juggling,Grand master\n"
        "member,Patient NHS 943 476 5919,,2026-01-01,,,\n"
    )
    url = reverse("capability:training-import", args=[org["ward"].pk])
    response = client.post(url, {"file": _csv(rows)})
    assert response.status_code == 400
    text = response.content.decode()
    assert "Row 3, person" in text
    assert "Row 4, completed_on" in text and "Row 4, skill" in text and "Row 4, level" in text
    assert "Row 5, course" in text
    assert not Training.objects.exists()


def test_it_names_every_problem_of_a_row_not_only_the_first_kind(client, org, lead, member):
    framework(org)
    client.force_login(lead)
    rows = "nobody,,,2026-01-01,lots,,\nmember,Course,,32/01/2026,-2,,\n"
    url = reverse("capability:training-import", args=[org["ward"].pk])
    response = client.post(url, {"file": _csv(rows)})
    assert response.status_code == 400
    text = response.content.decode()
    assert "Row 2, person" in text and "Row 2, course" in text and "Row 2, hours" in text
    assert "Row 3, completed_on" in text and "Row 3, hours" in text
    assert not Training.objects.exists()


def test_it_refuses_a_course_already_recorded_so_a_file_imported_twice_adds_nothing(
    client, org, lead, member
):
    framework(org)
    client.force_login(lead)
    url = reverse("capability:training-import", args=[org["ward"].pk])
    rows = "member,Human factors,,31/01/2026,,,\n"
    assert client.post(url, {"file": _csv(rows)}).status_code == 302
    response = client.post(url, {"file": _csv(rows + "member,QI,,01/02/2026,,,\n")})
    assert response.status_code == 400
    assert "Row 2, course: Member already has this course on 31/01/2026" in (
        response.content.decode()
    )
    twice = "member,Measurement,,02/02/2026,,,\nmember,measurement ,,2026-02-02,,,\n"
    response = client.post(url, {"file": _csv(twice)})
    assert response.status_code == 400 and "Row 3, course: Member already has" in (
        response.content.decode()
    )
    assert Training.objects.count() == 1


def test_it_refuses_a_file_naming_a_column_twice(client, org, lead, member):
    framework(org)
    client.force_login(lead)
    upload = SimpleUploadedFile(
        "training.csv", b"person,course,completed_on,person\nmember,QI,31/01/2026,lead\n"
    )
    url = reverse("capability:training-import", args=[org["ward"].pk])
    response = client.post(url, {"file": upload})
    assert response.status_code == 400
    assert "Row 1 names the column person twice" in response.content.decode()
    assert not Training.objects.exists()


def test_it_reads_a_workbook_and_refuses_what_is_not_a_table(client, org, lead, member):
    framework(org)
    client.force_login(lead)
    book = Workbook()
    sheet = book.active
    sheet.append(["person", "course", "completed_on"])
    sheet.append(["member", "Process mapping workshop", "2026-01-20"])
    data = io.BytesIO()
    book.save(data)
    url = reverse("capability:training-import", args=[org["ward"].pk])
    upload = SimpleUploadedFile("training.xlsx", data.getvalue())
    assert client.post(url, {"file": upload}).status_code == 302
    assert Training.objects.get().course == "Process mapping workshop"
    for bad in (
        SimpleUploadedFile("training.pdf", b"%PDF-1.4"),
        SimpleUploadedFile("training.csv", b"course\nx\n"),
        SimpleUploadedFile("training.xlsx", b"not a zip"),
        SimpleUploadedFile("training.csv", b""),
    ):
        assert client.post(url, {"file": bad}).status_code == 400
    assert client.post(url, {}).status_code == 400


def test_it_lets_only_leads_and_coaches_import(client, org, member, partner, outsider):
    url = reverse("capability:training-import", args=[org["ward"].pk])
    for user, status in ((member, 403), (partner, 403), (outsider, 404)):
        client.force_login(user)
        assert client.get(url).status_code == status
        assert client.post(url, {"file": _csv("member,X,,2026-01-01,,,\n")}).status_code == status
    assert not Training.objects.exists()
