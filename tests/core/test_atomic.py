"""Every write is atomic: each service that acts for someone (it takes `by`, or the `person`
acting) runs in one transaction, in every app, so a failure part-way saves nothing."""

import importlib
import inspect

import pytest
from django.apps import apps


def _services():
    for config in apps.get_app_configs():
        if not config.name.startswith("qms."):
            continue
        for name in ("services", "keys"):
            try:
                module = importlib.import_module(f"{config.name}.{name}")
            except ModuleNotFoundError:
                continue
            for function_name, function in inspect.getmembers(module, inspect.isfunction):
                public = not function_name.startswith("_")
                parameters = inspect.signature(function).parameters
                acts = "by" in parameters or "person" in parameters
                if public and function.__module__ == module.__name__ and acts:
                    yield pytest.param(function, id=f"{module.__name__}.{function_name}")


@pytest.mark.parametrize("service", list(_services()))
def test_every_service_that_acts_for_someone_is_atomic(service):
    # transaction.atomic, used as a decorator, wraps the function in ContextDecorator's `inner`.
    assert service.__code__.co_qualname.startswith("ContextDecorator.__call__"), (
        f"{service.__module__}.{service.__name__} is not @transaction.atomic"
    )
