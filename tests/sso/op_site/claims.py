"""The provider's claims: profile and e-mail from the user; the user's group names in the ID
token's `groups` claim (as Entra ID and Keycloak send them), and once more in `member_of`,
which only the userinfo endpoint answers (as providers do that keep groups out of tokens)."""

from oidc_provider.lib.claims import ScopeClaims


def userinfo(claims, user):
    claims["preferred_username"] = user.username
    claims["given_name"] = user.first_name
    claims["family_name"] = user.last_name
    claims["name"] = user.get_full_name()
    claims["email"] = user.email
    claims["email_verified"] = True
    return claims


def group_names(user):
    return sorted(user.groups.values_list("name", flat=True))


class MemberOf(ScopeClaims):
    def scope_profile(self):
        return {"member_of": group_names(self.user)}


def with_groups(id_token, user, **kwargs):
    id_token.pop("member_of", None)
    id_token["groups"] = group_names(user)
    return id_token
