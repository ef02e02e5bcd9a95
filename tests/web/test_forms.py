from django import forms
from django.core.exceptions import PermissionDenied, ValidationError

from qms.web.forms import apply_service


class TitleForm(forms.Form):
    title = forms.CharField()


def _bound():
    form = TitleForm({"title": "Falls"})
    assert form.is_valid()
    return form


def _refuse(error):
    def act():
        raise error

    return act


def test_it_returns_what_the_service_returns():
    assert apply_service(_bound(), lambda: 42) == 42


def test_it_puts_a_refusal_on_the_field_it_names():
    form = _bound()
    assert apply_service(form, _refuse(ValidationError({"title": "Too vague."}))) is None
    assert form.errors == {"title": ["Too vague."]}


def test_it_renames_a_field_the_form_calls_otherwise():
    form = _bound()
    apply_service(form, _refuse(ValidationError({"name": "Taken."})), rename={"name": "title"})
    assert form.errors == {"title": ["Taken."]}


def test_it_puts_a_refusal_of_a_field_the_form_lacks_on_the_form():
    form = _bound()
    apply_service(form, _refuse(ValidationError({"unit": "Not yours."})))
    assert form.non_field_errors() == ["Not yours."]


def test_it_puts_a_refusal_of_the_role_on_the_form():
    form = _bound()
    apply_service(form, _refuse(PermissionDenied("Your role does not allow this.")))
    assert form.non_field_errors() == ["Your role does not allow this."]
