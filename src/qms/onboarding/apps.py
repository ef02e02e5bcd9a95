from django.apps import AppConfig


class OnboardingConfig(AppConfig):
    name = "qms.onboarding"
    verbose_name = "Onboarding an organisation"
