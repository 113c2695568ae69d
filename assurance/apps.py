from django.apps import AppConfig


class AssuranceConfig(AppConfig):
    name = "assurance"
    verbose_name = "WCC assurance"

    # The NHS header's entries of this app: (label, URL name, who sees it); see
    # wcc/context_processors.py for the audiences.
    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from wcc.middleware import start_idle_clock

        user_logged_in.connect(start_idle_clock, dispatch_uid="wcc-idle-clock")

    navigation = [
        ("Registry", "registry:pct_list", "everyone"),
        ("Self-assessment", "self_assessment:start", "pct"),
        ("Self-assessments", "self_assessment:start", "assessors"),
        ("Cycles", "cycles:list", "dh"),
        ("Results", "publications:index", "everyone"),
        ("Insight", "insight:index", "everyone"),
        ("Panels", "panels:index", "assessors"),
        ("Panel result", "panels:index", "pct"),
        ("Due process", "due_process:index", "pct"),
        ("Due process", "due_process:index", "sha_lead"),
        ("Due process", "due_process:index", "dh"),
    ]
