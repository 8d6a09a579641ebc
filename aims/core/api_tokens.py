"""The user's own API tokens on their account: listed, created (the token shown once, on the
page that answers the creation, never stored), revoked after a confirmation.

Each user sees and revokes only their own tokens (another's answers 404); administrators see and
revoke any user's in the admin.
"""

import datetime

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from aims.core.forms import DATE, single_line, style_widgets
from aims.core.models import ApiToken, User

# No token lives for ever: at most a year, then a new one is created.
LONGEST = datetime.timedelta(days=365)
LIFETIMES = [
    ("30", _("30 days")),
    ("90", _("90 days")),
    ("365", _("1 year")),
    ("date", _("Until a date")),
]


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        validators=[single_line],
        help_text=_("What the token is for, e.g. “ML pipeline”."),
    )
    lifetime = forms.ChoiceField(
        label=_("Expires after"), choices=LIFETIMES, initial="90", widget=forms.RadioSelect
    )
    expires_on = forms.DateField(
        label=_("Expiry date"),
        required=False,
        widget=DATE,
        help_text=_("With “Until a date”: the token works until the end of this day."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_widgets(self)

    def clean(self):
        cleaned = super().clean()
        lifetime = cleaned.get("lifetime")
        now = timezone.now()
        if lifetime == "date":
            day = cleaned.get("expires_on")
            if day is None:
                if "expires_on" not in self.errors:
                    self.add_error("expires_on", _("Choose the date the token expires."))
                return cleaned
            cleaned["expires_at"] = end_of_day(day)
            if day < timezone.localdate(now):
                self.add_error("expires_on", _("Choose today or a later date."))
            elif cleaned["expires_at"] > now + LONGEST + datetime.timedelta(days=1):
                self.add_error("expires_on", _("A token expires within a year."))
        elif lifetime:
            cleaned["expires_at"] = now + datetime.timedelta(days=int(lifetime))
        return cleaned


def end_of_day(day):
    """The moment `day` ends in the portal's time zone."""
    return timezone.make_aware(
        datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min)
    )


def name_in_use(user, name):
    return ApiToken.objects.of(user).active().filter(name__iexact=name).exists()


def api_token_create(*, user, name, expires_at):
    """A new token and its text; refused when the user has an active token of this name."""
    with transaction.atomic():
        # Two creations of one user at once wait for each other: one name, one active token.
        User.objects.select_for_update().filter(pk=user.pk).first()
        if name_in_use(user, name):
            raise ValidationError(_("You already have an active token of this name."))
        return ApiToken.issue(user=user, name=name, expires_at=expires_at)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def api_tokens(request):
    form = ApiTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            token, text = api_token_create(
                user=request.user,
                name=form.cleaned_data["name"],
                expires_at=form.cleaned_data["expires_at"],
            )
        except ValidationError as refusal:
            form.add_error("name", refusal)
        else:
            # Shown here once: the portal keeps only its hash. never_cache keeps it out of the
            # browser's cache and history.
            return render(request, "core/api_token_created.html", {"token": token, "text": text})
    tokens = ApiToken.objects.of(request.user)
    now = timezone.now()
    rows = [(token, token.status(now)) for token in tokens]
    return render(request, "core/api_tokens.html", {"form": form, "rows": rows})


@login_required
@require_http_methods(["GET", "POST"])
def api_token_revoke(request, pk):
    token = get_object_or_404(ApiToken.objects.of(request.user), pk=pk)
    if request.method == "POST":
        token.revoke()
        messages.success(request, _("The token “%(name)s” is revoked.") % {"name": token.name})
        return redirect("core:api_tokens")
    return render(request, "core/api_token_revoke.html", {"token": token})
