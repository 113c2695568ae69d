"""The admin: people and reference data are edited here; the year's records only viewed.

Domain records (self-assessments, panel scores, consensus, moderations, publications,
results, the audit trail) change only through ``assurance/services/``, each change audited
in the same transaction. An admin form would bypass both the rules and the trail (issue 13,
finding 7), so their admins are view-only: no add, change or delete, for superusers too.
"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from . import models


class ViewOnlyAdmin(admin.ModelAdmin):
    """Seen in the admin, never changed there: writes go through the audited services."""

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


class ViewOnlyInline(admin.TabularInline):
    extra = 0

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(models.User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "role", "pct", "sha", "is_active"]
    list_filter = ["role", "sha", "is_active"]
    search_fields = ["email", "full_name"]
    autocomplete_fields = ["pct", "sha"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Person", {"fields": ["full_name", "role", "pct", "sha"]}),
        ("Permissions", {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"fields": ["email", "full_name", "role", "pct", "sha", "password1", "password2"]})
    ]


@admin.register(models.SHA)
class SHAAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "ons_code"]
    search_fields = ["code", "name"]


@admin.register(models.PCT)
class PCTAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "sha", "opened_on", "closed_on"]
    list_filter = ["sha"]
    search_fields = ["code", "name"]
    list_select_related = ["sha"]
    autocomplete_fields = ["successor"]


@admin.register(models.Cluster)
class ClusterAdmin(admin.ModelAdmin):
    search_fields = ["name"]
    filter_horizontal = ["pcts"]


class CompetencyInline(admin.TabularInline):
    model = models.Competency
    extra = 0


class LevelDescriptorInline(admin.TabularInline):
    model = models.LevelDescriptor
    extra = 0


@admin.register(models.Framework)
class FrameworkAdmin(admin.ModelAdmin):
    list_display = ["name", "year_label", "version"]
    inlines = [CompetencyInline, LevelDescriptorInline]


@admin.register(models.Competency)
class CompetencyAdmin(admin.ModelAdmin):
    list_display = ["framework", "number", "short_name"]
    list_filter = ["framework"]


class PhaseInline(ViewOnlyInline):
    model = models.Phase


@admin.register(models.Cycle)
class CycleAdmin(ViewOnlyAdmin):
    """Cycles, phases and their settings change through services/cycles.py (audited)."""

    list_display = ["year_label", "framework", "freedoms_cap", "notice_cap"]
    inlines = [PhaseInline]
    filter_horizontal = ["indicators"]


@admin.register(models.AuditEntry)
class AuditEntryAdmin(ViewOnlyAdmin):
    """Append-only, and only by services: an entry added here could name any actor."""

    list_display = ["at", "actor", "pct", "action", "label", "old_value", "new_value"]
    list_filter = ["action", "cycle"]
    list_select_related = ["actor", "pct"]
    date_hierarchy = "at"


# Reference data: loaded by commands, corrected here when the registry is wrong.
for model in [
    models.Criterion,
    models.LevelDescriptor,
    models.GovernanceSubIndicator,
    models.OutcomeIndicator,
]:
    admin.site.register(model)

#: The assurance year's records: view only (changes go through the services).
VIEW_ONLY_MODELS = [
    models.Phase,
    models.PhaseChange,
    models.SelfAssessment,
    models.CompetencyRating,
    models.GovernanceDeclaration,
    models.ChosenOutcome,
    models.EvidenceDocument,
    models.PanelDay,
    models.PanelSlot,
    models.ReviewNote,
    models.ScoreSheet,
    models.PanelScore,
    models.Consensus,
    models.Moderation,
    models.PanelResult,
    models.Publication,
    models.PublishedResult,
    models.PublishedDocument,
    models.Notification,
]
for model in VIEW_ONLY_MODELS:
    admin.site.register(model, ViewOnlyAdmin)
