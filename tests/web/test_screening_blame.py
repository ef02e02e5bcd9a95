"""A form that opts in to the blame check prompts, gently, and lets the person keep their
wording; a form that does not opt in is not asked."""

from django import forms

from qms.web.screening import BLAME_CONFIRM_FIELD, ScreenedForm, blame_prompts


class AccountForm(ScreenedForm, forms.Form):
    account = forms.CharField(widget=forms.Textarea)
    title = forms.CharField(max_length=200, required=False)
    blame_screened = ("account",)


class PlainForm(ScreenedForm, forms.Form):
    account = forms.CharField(widget=forms.Textarea)


def test_it_prompts_on_an_account_that_blames_a_person():
    form = AccountForm({"account": "Nurse X forgot the observations; careless."})
    assert not form.is_valid()
    assert form.blame_prompted and form.screening_prompted
    message = form.errors["account"][0]
    assert "blaming a person" in message and "“Nurse X forgot”" in message
    assert "what in the system" in message.lower()
    assert BLAME_CONFIRM_FIELD in form.fields


def test_it_lets_the_person_keep_their_wording():
    form = AccountForm({"account": "Nurse X forgot the observations.", BLAME_CONFIRM_FIELD: "on"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data == {"account": "Nurse X forgot the observations.", "title": ""}


def test_it_passes_a_rephrased_account():
    form = AccountForm({"account": "Observations were due during the drug round, with no cover."})
    assert form.is_valid()
    assert not form.blame_prompted


def test_it_screens_only_the_fields_named():
    assert AccountForm({"account": "The rota was short.", "title": "Nurse X forgot"}).is_valid()
    assert PlainForm({"account": "Nurse X forgot"}).is_valid()


def test_it_refuses_an_nhs_number_even_when_the_wording_is_kept():
    form = AccountForm({"account": "Nurse X forgot 943 476 5919", BLAME_CONFIRM_FIELD: "on"})
    assert not form.is_valid()
    assert "NHS or CHI number" in form.errors["account"][0]


def test_it_counts_what_it_does_not_quote():
    found = blame_prompts("careless " * 8)
    assert len(found) == 6 and found[-1] == "and 3 more"
