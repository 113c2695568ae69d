from django.apps import AppConfig


class FreedomsConfig(AppConfig):
    name = "freedoms"
    verbose_name = "Freedoms and consequences"

    def ready(self) -> None:
        # freedoms depends on assurance, never the reverse: it adds its own demo step.
        from assurance import demo
        from freedoms.demo import create_demo_consequences

        demo.register("freedoms", create_demo_consequences)
