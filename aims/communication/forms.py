"""Forms of the communication plan and log, and the request to acknowledge the AI policy."""

from django import forms
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _

from aims.communication.models import CommunicationPlanItem, CommunicationRecord
from aims.communication.services import portal_roles
from aims.core.forms import DATE, RegisterForm, style_widgets
from aims.core.roles import ROLE_LABELS


class CommunicationPlanItemForm(RegisterForm):
    class Meta:
        model = CommunicationPlanItem
        fields = [
            "reference",
            "title",
            "purpose",
            "occasion",
            "frequency",
            "next_date",
            "parties",
            "aims_roles",
            "audience_other",
            "channel",
            "communicator",
            "status",
        ]
        widgets = {
            "next_date": DATE,
            "parties": forms.CheckboxSelectMultiple,
            "aims_roles": forms.CheckboxSelectMultiple,
        }


class CommunicationRecordForm(RegisterForm):
    class Meta:
        model = CommunicationRecord
        fields = [
            "date",
            "subject",
            "plan_item",
            "parties",
            "audience",
            "channel",
            "communicated_by",
            "summary",
            "evidence",
        ]
        widgets = {"date": DATE, "parties": forms.CheckboxSelectMultiple}


class RoleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, group):
        return ROLE_LABELS.get(group.name, group.name)


class AcknowledgementRequestForm(forms.Form):
    all_users = forms.BooleanField(label=_("Ask all users with a role"), required=False)
    roles = RoleChoiceField(
        label=_("Ask these roles"),
        queryset=Group.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["roles"].queryset = Group.objects.filter(
            pk__in=[group.pk for group in portal_roles()]
        )
        style_widgets(self)

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("all_users") and not cleaned.get("roles"):
            self.add_error("roles", _("Choose the roles to ask, or ask all users."))
        return cleaned
