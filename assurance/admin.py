from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from . import models


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


class PhaseInline(admin.TabularInline):
    model = models.Phase
    extra = 0


@admin.register(models.Cycle)
class CycleAdmin(admin.ModelAdmin):
    list_display = ["year_label", "framework", "freedoms_cap", "notice_cap"]
    inlines = [PhaseInline]
    filter_horizontal = ["indicators"]


@admin.register(models.AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "actor", "pct", "action", "label", "old_value", "new_value"]
    list_filter = ["action", "cycle"]
    list_select_related = ["actor", "pct"]
    date_hierarchy = "at"

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False  # the trail is append-only

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


for model in [
    models.Criterion,
    models.LevelDescriptor,
    models.GovernanceSubIndicator,
    models.OutcomeIndicator,
    models.Phase,
    models.PhaseChange,
    models.SelfAssessment,
    models.CompetencyRating,
    models.GovernanceDeclaration,
    models.ChosenOutcome,
    models.EvidenceDocument,
    models.SectionProgress,
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
]:
    admin.site.register(model)
