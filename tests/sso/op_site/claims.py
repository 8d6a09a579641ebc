"""The provider's claims: profile and e-mail from the user, and a `groups` claim in the ID
token with the names of the user's groups, as Entra ID and Keycloak send it."""


def userinfo(claims, user):
    claims["preferred_username"] = user.username
    claims["given_name"] = user.first_name
    claims["family_name"] = user.last_name
    claims["name"] = user.get_full_name()
    claims["email"] = user.email
    claims["email_verified"] = True
    return claims


def with_groups(id_token, user, **kwargs):
    id_token["groups"] = sorted(user.groups.values_list("name", flat=True))
    return id_token
