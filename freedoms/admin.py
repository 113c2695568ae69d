"""Freedoms rows are view-only in the admin; writes belong to freedoms/services.py.

Grants, franchises and sent notifications change only through the services, which audit
each change (issue 13, finding 7). The catalogue and the innovation fund's pot are
configuration and stay editable.
"""

from django.contrib import admin

from assurance.admin import ViewOnlyAdmin
from freedoms import models as m


@admin.register(m.Freedom)
class FreedomAdmin(admin.ModelAdmin):
    list_display = ["number", "name", "code"]


@admin.register(m.Grant)
class GrantAdmin(ViewOnlyAdmin):
    list_display = ["pct", "freedom", "status", "publication", "ended_by_publication"]
    list_filter = ["status", "freedom"]
    list_select_related = ["pct", "freedom", "publication__cycle", "ended_by_publication__cycle"]
    search_fields = ["pct__name", "pct__code"]


@admin.register(m.Franchise)
class FranchiseAdmin(ViewOnlyAdmin):
    list_display = ["franchisor", "receiver", "scope", "status", "starts_on", "ends_on"]
    list_filter = ["status", "needs_sha_review"]
    list_select_related = ["franchisor", "receiver"]


@admin.register(m.InnovationFund)
class InnovationFundAdmin(admin.ModelAdmin):
    list_display = ["financial_year", "pot"]


@admin.register(m.SentNotification)
class SentNotificationAdmin(ViewOnlyAdmin):
    list_display = ["key", "sent_at"]
    search_fields = ["key"]


#: The freedoms year's other records, view only too.
for model in [
    m.Standing,
    m.Designation,
    m.ReviewRecord,
    m.BudgetProposal,
    m.FundApplication,
    m.Plan,
    m.PlanAction,
]:
    admin.site.register(model, ViewOnlyAdmin)
