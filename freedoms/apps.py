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

        # Issue 15: plan actions are reminded 30, 7 and 1 days ahead and once overdue, by
        # assurance's daily job; due dates and review dates go in people's calendar feeds.
        from assurance.queries import calendar, reminders
        from freedoms import queries

        reminders.register(
            reminders.ReminderKind(
                "plan_action",
                "Plan action not yet done",
                queries.outstanding_plan_actions,
                overdue=True,
            )
        )
        calendar.register("plan_actions", queries.action_due_dates)
        calendar.register("reviews", queries.review_dates)

    def pct_badges(self) -> dict[int, str]:
        """§5 freedom 5, "highlighted as a top PCT": a badge beside the PCT's name on any
        page (wcc/templatetags/wcc.py), one query for a whole table."""
        from django.template.loader import render_to_string

        from freedoms.queries import highlighted_pct_ids

        badge = render_to_string("freedoms/_top_pct_badge.html", {"show": True}).strip()
        return dict.fromkeys(highlighted_pct_ids(), badge)
