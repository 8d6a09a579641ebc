"""Password change and password reset: Django's views with the portal's look.

Django's views do the work: the change checks the old password and the validators of
`AUTH_PASSWORD_VALIDATORS`, and keeps the current session while every other session of the user
ends (their session hash no longer matches); the reset answers the same whether an account has
the address or not, and its link is valid once and for `PASSWORD_RESET_TIMEOUT` seconds.
"""

from django.contrib.auth import forms, views


class StyledFieldsMixin:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-control")


class PasswordChangeForm(StyledFieldsMixin, forms.PasswordChangeForm):
    pass


class PasswordResetForm(StyledFieldsMixin, forms.PasswordResetForm):
    pass


class SetPasswordForm(StyledFieldsMixin, forms.SetPasswordForm):
    pass


class PasswordChangeView(views.PasswordChangeView):
    form_class = PasswordChangeForm


class PasswordResetView(views.PasswordResetView):
    form_class = PasswordResetForm


class PasswordResetConfirmView(views.PasswordResetConfirmView):
    form_class = SetPasswordForm
