"""Register the portal as a client of the test provider, with a signing key."""

from django.core.management import BaseCommand, call_command
from oidc_provider.models import Client, ResponseType, RSAKey


class Command(BaseCommand):
    def add_arguments(self, parser):
        parser.add_argument("client_id")
        parser.add_argument("secret")
        parser.add_argument("redirect_uri")
        parser.add_argument("post_logout_redirect_uri")

    def handle(self, *args, client_id, secret, redirect_uri, post_logout_redirect_uri, **options):
        if not RSAKey.objects.exists():
            call_command("creatersakey")
        client, _created = Client.objects.update_or_create(
            client_id=client_id,
            defaults={
                "name": "AIMS portal",
                "client_type": "confidential",
                "client_secret": secret,
                "require_consent": False,
                "jwt_alg": "RS256",
            },
        )
        client.redirect_uris = [redirect_uri]
        client.post_logout_redirect_uris = [post_logout_redirect_uri]
        client.scope = ["openid", "email", "profile"]
        client.save()
        client.response_types.set(ResponseType.objects.filter(value="code"))
