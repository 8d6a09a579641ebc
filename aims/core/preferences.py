"""A user's own preferences: how reminders reach them (e-mail on or off, a daily or weekly
digest) and the language the portal writes to them in, which also follows the language they
choose in the navigation."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods
from django.views.i18n import set_language as django_set_language

from aims.core.models import User


class PreferencesForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ("email_reminders", "digest_frequency", "digest_weekday", "language")
        widgets = {"digest_frequency": forms.RadioSelect}
        help_texts = {
            "digest_frequency": _(
                "Daily: one e-mail a day when something is due. Weekly: one e-mail on the "
                "weekday below."
            )
        }


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request):
    form = PreferencesForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        messages.success(request, _("Your preferences are saved."))
        # The portal speaks the language chosen here from the next page on.
        translation.activate(user.language)
        return keep_language(redirect("core:preferences"), user.language)
    return render(request, "core/preferences.html", {"form": form})


def keep_language(response, language):
    """The browser keeps speaking `language` (the cookie Django's language switch sets)."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response


def set_language(request):
    """Django's language switch, which also keeps the choice on the signed-in user's account
    so that e-mails are written in it."""
    response = django_set_language(request)
    language = request.POST.get("language")
    user = request.user
    if (
        request.method == "POST"
        and user.is_authenticated
        and translation.check_for_language(language)
        and language in dict(User._meta.get_field("language").choices)
        and user.language != language
    ):
        user.language = language
        user.save(update_fields=["language"])
    return response
