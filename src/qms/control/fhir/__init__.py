"""Measures and their results as FHIR R4 resources, at /fhir/r4/ (docs/fhir.md).

A `Measure` per measure and a summary `MeasureReport` per recorded period, with the stored SPC
results (centre line, process limits, phase, signals) as extensions; `POST` (and `PUT`) of
MeasureReports record observations through the same checks and service as every other way
in (qms.control.imports, services.observations_save).

It lives inside quality control rather than as an area app of its own: it is another face of
control's records (their models, roles, periods and import checks), which the layers contract
lets an area reach only from within (other areas see only services and selectors).

- `resources`: the resources built from the records (pure mapping, no queries).
- `search`: reading them: one measure or report, and the searches (the selectors of FHIR).
- `intake`: posted MeasureReports as observations, checked and saved all or nothing.
- `api`: the NinjaAPI at /fhir/r4/ (keys, errors as OperationOutcome, the routes).
"""
