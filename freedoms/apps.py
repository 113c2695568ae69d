from django.apps import AppConfig


class FreedomsConfig(AppConfig):
    name = "freedoms"
    verbose_name = "Freedoms and consequences"

    # The NHS header's entries of this app (after assurance's, in INSTALLED_APPS order).
    navigation = [
        ("Freedoms and plans", "freedoms:mine", "pct"),
        ("Reviews", "freedoms:reviews", "sha_staff"),
        ("Approvals", "freedoms:approvals", "sha_staff"),
        ("Freedoms", "freedoms:overview", "dh"),
        ("Innovation fund", "freedoms:fund", "dh"),
    ]

    def ready(self) -> None:
        # freedoms depends on assurance, never the reverse: it adds its own demo step.
        from assurance import demo
        from freedoms.demo import create_demo_consequences

        demo.register("freedoms", create_demo_consequences)

    def pct_badges(self) -> dict[int, str]:
        """§5 freedom 5, "highlighted as a top PCT": a badge beside the PCT's name on any
        page (wcc/templatetags/wcc.py), one query for a whole table."""
        from django.template.loader import render_to_string

        from freedoms.queries import highlighted_pct_ids

        badge = render_to_string("freedoms/_top_pct_badge.html", {"show": True}).strip()
        return dict.fromkeys(highlighted_pct_ids(), badge)
