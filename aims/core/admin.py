"""Administrators manage user accounts and their roles (groups) here."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from aims.core.models import User

admin.site.register(User, UserAdmin)
