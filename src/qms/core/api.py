"""The API for units: the tree a key sees (its unit and below), and, for a key that may write,
new units and changes to them, through qms.people.services as on the pages."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Query, Router, Schema, Status

from qms.people import access, services
from qms.people.models import Unit, UnitKind
from qms.web.api import Errors, ListFilters, Page, filtered, get_visible, paginate, screen

router = Router(tags=["Units"])


class UnitOut(Schema):
    id: int
    name: str
    code: str
    kind: UnitKind
    parent: int | None = Field(None, alias="parent_id")
    description: str
    created_at: dt.datetime


class UnitIn(Schema):
    name: str = Field(..., min_length=1, max_length=200)
    code: str = Field(..., min_length=1, max_length=60, pattern=r"^[-a-zA-Z0-9_]+$")
    kind: UnitKind
    parent: int = Field(..., description="The unit the new one sits under.")
    description: str = Field("", max_length=5000)


class UnitPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=200)
    code: str | None = Field(None, min_length=1, max_length=60, pattern=r"^[-a-zA-Z0-9_]+$")
    kind: UnitKind | None = None
    description: str | None = Field(None, max_length=5000)
    reason: str = Field("", max_length=500, description="Kept in the unit's history.")


@router.get("", response={200: Page[UnitOut], 400: Errors, 404: Errors})
def list_units(request, filters: Query[ListFilters]):
    """The units the key sees: its unit and every unit below it (`since`/`until`: created)."""
    units = filtered(
        request,
        access.units_visible_to(request.user),
        filters,
        unit_field=None,
        date_field="created_at__date",
    )
    return paginate(units, filters)


@router.get("/{int:unit_id}", response={200: UnitOut, 404: Errors})
def get_unit(request, unit_id: int):
    return get_visible(request, Unit, unit_id)


@router.post("", response={201: UnitOut, 400: Errors, 403: Errors, 404: Errors})
def create_unit(request, payload: UnitIn):
    """A new unit under one the key sees (a key acting as a lead shapes the tree below it)."""
    parent = get_visible(request, Unit, payload.parent)
    screen(name=payload.name, description=payload.description)
    unit = services.unit_create(
        by=request.user,
        name=payload.name,
        code=payload.code,
        kind=payload.kind,
        parent=parent,
        description=payload.description,
    )
    return Status(201, unit)


@router.patch("/{int:unit_id}", response={200: UnitOut, 400: Errors, 403: Errors, 404: Errors})
def change_unit(request, unit_id: int, payload: UnitPatch):
    unit = get_visible(request, Unit, unit_id)
    changes = payload.dict(exclude_unset=True, exclude={"reason"})
    changes = {field: value for field, value in changes.items() if value is not None}
    screen(name=changes.get("name"), description=changes.get("description"), reason=payload.reason)
    return services.unit_update(by=request.user, unit=unit, reason=payload.reason, **changes)
