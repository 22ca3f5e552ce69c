from django.apps import AppConfig


class DevelopmentConfig(AppConfig):
    name = "dangjian.development"
    label = "development"
    verbose_name = "发展党员"

    def ready(self) -> None:
        from dangjian.development import engine, introducers

        engine.register_facts(introducers.introducer_facts)
