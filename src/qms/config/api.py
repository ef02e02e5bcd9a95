"""The API: one NinjaAPI at /api/v1/ made of each area's router (its `api.py`), with its OpenAPI
document generated from the routers' typed schemas at /api/v1/openapi.json and read as a page
at /api/v1/docs (`reference`). Authentication, errors and lists are shared (qms.web.api)."""

from django.shortcuts import render

from qms.control import api as control
from qms.core.api import router as units
from qms.improvement.api import projects_router
from qms.issues.api import router as issues
from qms.learning.api import evidence_router, feedback_router
from qms.planning.api import aims_router, priorities_router
from qms.web.api import Api, KeyAuth, install_error_handlers

DESCRIPTION = """\
Everything a page does, for another system: units, measures and their data, results and
signals, issues and actions, improvement projects and PDSA cycles, aims, priorities, feedback and
evidence. Every call carries an API key (`Authorization: Bearer <key>`), made on a unit's
"API keys" page or with `qms create-api-key`. A key sees its unit and the units below it, reads
only unless it may write, expires, and may make `QMS_API_REQUESTS_PER_MINUTE` calls a minute
(then 429 with `Retry-After`). Lists come a page at a time, oldest first: pass `next_cursor` as
`cursor` for the next. Every error is `{"errors": [{"field": ..., "message": ...}]}`.
Measures and their results are also served as FHIR R4 resources under /fhir/r4/.
"""

api = Api(
    title="QMS API",
    version="1",
    description=DESCRIPTION,
    auth=KeyAuth(),
    urls_namespace="api",
    # The reference is a QMS page (`reference` below), not Swagger UI, whose markup nests
    # buttons in buttons and fails contrast for people who use assistive technology.
    docs_url=None,
)
install_error_handlers(api)

api.add_router("/units", units)
api.add_router("/issues", issues)
api.add_router("/feedback", feedback_router)
api.add_router("/evidence", evidence_router)
api.add_router("/aims", aims_router)
api.add_router("/priorities", priorities_router)
api.add_router("/projects", projects_router)
# Quality control (qms.control.api)
api.add_router("/measures", control.measures)
api.add_router("/observations", control.observations_router)
api.add_router("/signals", control.signals)


METHOD_ORDER = ["get", "post", "put", "patch", "delete"]


def reference(request):
    """The API's reference, read from the generated document: each area's operations with their
    parameters and answers, on a page like every other (public, as the document is)."""
    document = api.get_openapi_schema()
    areas: dict[str, list[dict]] = {}
    for path, methods in document["paths"].items():
        for method in sorted(methods, key=METHOD_ORDER.index):
            operation = methods[method]
            areas.setdefault(operation.get("tags", ["Other"])[0], []).append(
                {
                    "method": method.upper(),
                    "path": path,
                    "summary": operation.get("summary", ""),
                    "description": operation.get("description", ""),
                    "parameters": operation.get("parameters", []),
                    "body": bool(operation.get("requestBody")),
                    "answers": sorted(operation.get("responses", {}).items()),
                }
            )
    context = {"document": document, "areas": sorted(areas.items())}
    return render(request, "web/api_reference.html", context)
