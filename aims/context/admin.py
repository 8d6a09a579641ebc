"""Admin for the context registers, with history (administrators fix data here)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from aims.context import models

for model in (
    models.ContextIssue,
    models.InterestedParty,
    models.PartyRequirement,
    models.ScopeStatement,
    models.ScopeExclusion,
    models.AIPolicy,
    models.AIMSRole,
    models.AIMSActivity,
    models.RACIAssignment,
):
    admin.site.register(model, SimpleHistoryAdmin)
