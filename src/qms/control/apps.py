from django.apps import AppConfig


class ControlConfig(AppConfig):
    name = "qms.control"
    verbose_name = "Quality control"

    def ready(self) -> None:
        from qms.comments import registry as discussions
        from qms.control import services
        from qms.control.area import AREA
        from qms.control.models import BaselineSuggestion, Measure, Signal
        from qms.control.roles import DATA_ENTRY, ESCALATION_RESPONDERS, SIGNAL_HANDLERS, VIEWERS
        from qms.control.templatetags.control_tags import measure_value
        from qms.escalation import registry as escalation
        from qms.issues.models import IssueSource
        from qms.issues.registry import register_source
        from qms.notifications import registry as notifications
        from qms.web import areas

        areas.register(AREA)
        register_source(Signal, IssueSource.SIGNAL)

        def latest_value(signal: Signal) -> str:
            result = getattr(signal.measure, "result", None)
            if result is None or result.last_value is None:
                return ""
            return f"latest {measure_value(result.last_value, signal.measure.unit_label)}"

        notifications.register(
            Signal,
            read_roles=VIEWERS,
            queryset=lambda: Signal.objects.select_related(
                "measure__unit", "measure__result"
            ).defer("measure__result__points", "measure__result__phases"),
            detail=latest_value,
        )
        notifications.register(
            BaselineSuggestion,
            read_roles=VIEWERS,
            queryset=lambda: BaselineSuggestion.objects.select_related("measure__unit"),
        )
        notifications.register(
            Measure, read_roles=VIEWERS, queryset=lambda: Measure.objects.select_related("unit")
        )
        # Who discusses what: staff read; those who record data talk about a measure, and
        # those who handle a signal or record the data behind it talk about the signal.
        discussions.register(Measure, read_roles=VIEWERS, write_roles=DATA_ENTRY)
        discussions.register(Signal, read_roles=VIEWERS, write_roles=SIGNAL_HANDLERS | DATA_ENTRY)
        escalation.register(
            Signal,
            handlers=SIGNAL_HANDLERS,
            responders=ESCALATION_RESPONDERS,
            title=lambda signal: signal.measure.name,
            check=services.signal_may_escalate,
            on_escalate=services.signal_escalated,
            on_decision=services.signal_decided,
            resolve_label="Resolved: close the signal",
            queryset=lambda: Signal.objects.select_related("measure__unit"),
        )
