"""Read-mostly admin for freedoms rows; writes belong to freedoms/services.py."""

from django.contrib import admin

from freedoms import models as m


@admin.register(m.Freedom)
class FreedomAdmin(admin.ModelAdmin):
    list_display = ["number", "name", "code"]


@admin.register(m.Grant)
class GrantAdmin(admin.ModelAdmin):
    list_display = ["pct", "freedom", "status", "publication", "ended_by_publication"]
    list_filter = ["status", "freedom"]
    list_select_related = ["pct", "freedom", "publication__cycle", "ended_by_publication__cycle"]
    search_fields = ["pct__name", "pct__code"]
    readonly_fields = [f.name for f in m.Grant._meta.fields if f.name != "notes"]


@admin.register(m.Franchise)
class FranchiseAdmin(admin.ModelAdmin):
    list_display = ["franchisor", "receiver", "scope", "status", "starts_on", "ends_on"]
    list_filter = ["status", "needs_sha_review"]
    list_select_related = ["franchisor", "receiver"]
    readonly_fields = [f.name for f in m.Franchise._meta.fields]


@admin.register(m.InnovationFund)
class InnovationFundAdmin(admin.ModelAdmin):
    list_display = ["financial_year", "pot"]


@admin.register(m.SentNotification)
class SentNotificationAdmin(admin.ModelAdmin):
    list_display = ["key", "sent_at"]
    search_fields = ["key"]
    readonly_fields = ["key", "sent_at", "recipients"]
