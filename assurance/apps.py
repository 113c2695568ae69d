from django.apps import AppConfig


class AssuranceConfig(AppConfig):
    name = "assurance"
    verbose_name = "WCC assurance"

    # The NHS header's entries of this app: (label, URL name, who sees it); see
    # wcc/context_processors.py for the audiences.
    navigation = [
        ("Registry", "registry:pct_list", "everyone"),
        ("Self-assessment", "self_assessment:start", "pct"),
        ("Self-assessments", "self_assessment:start", "assessors"),
        ("Cycles", "cycles:list", "dh"),
        ("Results", "publications:index", "everyone"),
        ("Panels", "panels:index", "assessors"),
        ("Panel result", "panels:index", "pct"),
    ]
