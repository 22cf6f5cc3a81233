"""Identity providers: reading an IdP's metadata, keeping allauth's SocialApp in step, and the rules
that decide an SSO log-in (which provider serves an address, whether it asserted multi-factor)."""

from __future__ import annotations

import contextlib
import ipaddress
import logging
import re
import socket
import threading
import time
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

import requests
import urllib3
from allauth.socialaccount.models import SocialApp, SocialLogin
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from onelogin.saml2.idp_metadata_parser import OneLogin_Saml2_IdPMetadataParser
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from cohort.errors import NotAllowed
from cohort.models import Invitation, Membership
from cohort.sso.models import IdentityProvider, ServedDomain

log = logging.getLogger(__name__)

FETCH_DEADLINE = 10.0  # seconds for a whole fetch: connecting, sending, reading
FETCH_MAX_BYTES = 1_000_000  # a metadata document or a discovery document is far smaller
# A host name as DNS allows it, lower case, with at least one dot (example.ac.uk).
DOMAIN_RE = re.compile(r"^(?=.{4,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
SAML_AMR_ATTRIBUTE = "http://schemas.microsoft.com/claims/authnmethodsreferences"
# What the product reads from an IdP: an e-mail address and a name.
SAML_ATTRIBUTES = {
    "uid": ["urn:oasis:names:tc:SAML:attribute:subject-id"],
    "email": [
        "urn:oid:0.9.2342.19200300.100.1.3",
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
        "email",
        "mail",
    ],
    "email_verified": ["email_verified"],
    "first_name": ["urn:oid:2.5.4.42", "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname", "givenName"],
    "last_name": ["urn:oid:2.5.4.4", "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname", "sn"],
    "name": [
        "urn:oid:2.16.840.1.113730.3.1.241",
        "http://schemas.microsoft.com/identity/claims/displayname",
        "displayName",
    ],
}
OIDC_CLAIMS = ["email", "email_verified", "name", "given_name", "family_name", "amr", "acr"]


# --- domains and providers -----------------------------------------------------------------------


def domain_of(email: str) -> str:
    return email.rpartition("@")[2].strip().lower()


def provider_for(email: str) -> IdentityProvider | None:
    """The enabled identity provider that serves this address's domain, if any."""
    if "@" not in email:
        return None
    return IdentityProvider.objects.enabled().serving(email).select_related("institution").first()


def parse_domains(text: str) -> list[str]:
    """The domains typed one a line (or separated by commas or spaces), checked: lower-case host names."""
    domains: list[str] = []
    for raw in re.split(r"[\s,;]+", text.strip()):
        if not raw:
            continue
        domain = raw.lower().removeprefix("@")
        if not DOMAIN_RE.match(domain):
            raise ValidationError(
                _("“%(domain)s” is not an e-mail domain: write it as it follows the @, such as example.ac.uk.")
                % {"domain": raw[:100]}
            )
        if domain not in domains:
            domains.append(domain)
    return domains


def check_domains_free(domains: list[str], provider: IdentityProvider | None) -> None:
    taken = ServedDomain.objects.filter(domain__in=domains).select_related("provider__institution")
    if provider is not None and provider.pk:
        taken = taken.exclude(provider=provider)
    for row in taken:
        raise ValidationError(
            _("%(domain)s is already served by %(provider)s (%(institution)s): a domain has one identity provider.")
            % {"domain": row.domain, "provider": row.provider.name, "institution": row.provider.institution.name}
        )


NAT64 = ipaddress.ip_network("64:ff9b::/96")  # an IPv4 address inside an IPv6 one: the IPv4 one is checked


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(str(address).split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and (ip in NAT64 or int(ip) >> 32 == 0):
        # NAT64, or the old IPv4-compatible form (::127.0.0.1): the IPv4 address inside is what counts.
        ip = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    elif isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def check_url(url: str, *, resolve: bool = True) -> None:
    """An IdP's address: https to a public address. An address on this machine or a private network
    (and http) only where SSO_ALLOW_LOCAL_PROVIDERS is on (development, tests), so that the form cannot be
    used to make the server call its own or its network's internal services. resolve=False for an address
    only browsers go to (a SAML IdP's sign-on and log-out addresses): its name is not looked up, but an
    internal address written as such is refused all the same."""
    parts = urlsplit(url)
    local_allowed = _local_allowed()
    if parts.scheme != "https" and not (local_allowed and parts.scheme == "http"):
        raise ValidationError(_("Use an https:// address."))
    try:
        hostname, port = parts.hostname, parts.port
    except ValueError:  # a port that is not a number
        hostname, port = None, None
    if not hostname:
        raise ValidationError(_("That is not a complete web address."))
    if local_allowed:
        return
    private = ValidationError(
        _("That address is on a private network: give the identity provider's public https:// address.")
    )
    if not resolve:
        try:
            literal = ipaddress.ip_address(hostname)
        except ValueError:
            if (
                hostname == "localhost"
                or hostname.endswith((".localhost", ".local", ".internal"))
                or "." not in hostname
            ):
                raise private from None
            return
        if not _is_public(str(literal)):
            raise private
        return
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(hostname, port or 443)}
    except (OSError, UnicodeError):
        raise ValidationError(_("No server answers to that name: check the address.")) from None
    if not all(_is_public(str(address)) for address in addresses):
        raise private


def _local_allowed() -> bool:
    return bool(getattr(settings, "SSO_ALLOW_LOCAL_PROVIDERS", False))


# --- fetching from an identity provider -----------------------------------------------------------
# Every request the server makes to an IdP (saving its settings, and allauth's at sign-in through
# SocialAccountAdapter.get_requests_session) goes through GuardedSession: the address checked first,
# the connection's peer checked again (a name that resolves to a public address when checked and to an
# internal one when connecting — DNS rebinding — is refused before anything is sent), no redirects,
# at most FETCH_MAX_BYTES read, all within FETCH_DEADLINE seconds.


class FetchRefused(requests.RequestException):
    """A fetch the guard stopped: an address not allowed, a redirect, too big, too slow."""


class _PeerCheckedConnection(HTTPConnection):
    opened: list[socket.socket]

    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        if not _local_allowed():
            peer = sock.getpeername()[0]
            if not _is_public(str(peer)):
                sock.close()
                raise FetchRefused(f"connected to a private address for {self.host}")
        self.opened.append(sock)
        return sock


class _PeerCheckedHTTPSConnection(_PeerCheckedConnection, HTTPSConnection):
    pass


class _GuardedAdapter(HTTPAdapter):
    def __init__(self, opened: list[socket.socket]) -> None:
        self.opened = opened
        super().__init__(max_retries=0)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        opened = self.opened
        http_conn = type("Conn", (_PeerCheckedConnection,), {"opened": opened})
        https_conn = type("Conn", (_PeerCheckedHTTPSConnection,), {"opened": opened})
        self.poolmanager.pool_classes_by_scheme = {
            "http": type("Pool", (HTTPConnectionPool,), {"ConnectionCls": http_conn}),
            "https": type("Pool", (HTTPSConnectionPool,), {"ConnectionCls": https_conn}),
        }


class GuardedSession(requests.Session):
    """A requests session for talking to identity providers (see above)."""

    def __init__(self) -> None:
        super().__init__()
        self.trust_env = False  # no proxy from the environment: the peer checked is the IdP itself
        self.opened: list[socket.socket] = []
        adapter = _GuardedAdapter(self.opened)
        self.mount("https://", adapter)
        self.mount("http://", adapter)

    def _cut(self) -> None:
        for sock in self.opened:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        url = url.decode() if isinstance(url, bytes) else str(url)
        try:
            check_url(url)
        except ValidationError:
            raise FetchRefused(f"address not allowed: {urlsplit(url).hostname}") from None
        kwargs.update(allow_redirects=False, stream=True, timeout=(FETCH_DEADLINE / 2, FETCH_DEADLINE / 2))
        deadline = time.monotonic() + FETCH_DEADLINE
        # The timeouts above are per read: a server sending a byte every few seconds is cut at the deadline.
        watchdog = threading.Timer(FETCH_DEADLINE, self._cut)
        watchdog.daemon = True
        watchdog.start()
        try:
            verb = method.decode() if isinstance(method, bytes) else method
            response = super().request(verb, url, *args, **kwargs)
            try:
                if response.is_redirect:  # each hop would need checking: none is followed
                    raise FetchRefused("the address redirects")
                _read_capped(response, deadline)
            finally:
                response.close()
        except (OSError, ValueError, urllib3.exceptions.HTTPError) as error:  # a socket cut by the watchdog
            if time.monotonic() >= deadline:
                raise FetchRefused("the server took too long") from None
            if isinstance(error, requests.RequestException):
                raise
            raise requests.ConnectionError(type(error).__name__) from None
        finally:
            watchdog.cancel()
        return response


def _read_capped(response: requests.Response, deadline: float) -> None:
    length = response.headers.get("Content-Length", "")
    if length.isdigit() and int(length) > FETCH_MAX_BYTES:
        raise FetchRefused("the answer is too big")
    body = bytearray()
    while chunk := response.raw.read1(64 * 1024, decode_content=True):
        body += chunk
        if len(body) > FETCH_MAX_BYTES:
            raise FetchRefused("the answer is too big")
        if time.monotonic() >= deadline:
            raise FetchRefused("the server took too long")
    # The watchdog closing the socket at the deadline reads as the end of the answer: a cut answer is refused.
    if time.monotonic() >= deadline:
        raise FetchRefused("the server took too long")
    if length.isdigit() and len(body) < int(length):
        raise FetchRefused("the answer was cut short")
    response._content = bytes(body)
    response._content_consumed = True


def guarded_session() -> GuardedSession:
    return GuardedSession()


def fetch(url: str) -> requests.Response:
    """One GET of an IdP's address through the guard; an error status raises (requests' errors), and an
    address check_url refuses raises its ValidationError, whose message says why."""
    check_url(url)
    with guarded_session() as session:
        response = session.get(url)
    response.raise_for_status()
    return response


# --- SAML metadata ---------------------------------------------------------------------------------


def parse_metadata(xml: str) -> dict[str, str]:
    """entity id, SSO URL, SLO URL and signing certificate from an IdP's SAML metadata."""
    try:
        parsed = OneLogin_Saml2_IdPMetadataParser.parse(xml)
    except Exception as error:  # lxml's and python3-saml's errors: the text is not usable metadata
        log.info("SAML metadata refused: %s", type(error).__name__)
        raise ValidationError(
            _("This is not SAML metadata that can be read: check it is the IdP's whole XML.")
        ) from None
    idp = parsed.get("idp") or {}
    sso_url = (idp.get("singleSignOnService") or {}).get("url", "")
    cert = idp.get("x509cert") or next(iter((idp.get("x509certMulti") or {}).get("signing", [])), "")
    if not idp.get("entityId") or not sso_url:
        raise ValidationError(
            _("The metadata names no identity provider with a single sign-on address (HTTP-Redirect binding).")
        )
    if not cert:
        raise ValidationError(_("The metadata holds no signing certificate, so no response could be trusted."))
    found = {
        "entity_id": str(idp["entityId"]),
        "sso_url": str(sso_url),
        "slo_url": str((idp.get("singleLogoutService") or {}).get("url", "")),
        "x509cert": str(cert),
    }
    labels = {
        "entity_id": _("entity ID"),
        "sso_url": _("single sign-on address"),
        "slo_url": _("single log-out address"),
    }
    for name, label in labels.items():
        limit = int(getattr(IdentityProvider._meta.get_field(name), "max_length", 0) or 0)
        if len(found[name]) > limit:  # refused here, not by the database
            raise ValidationError(
                _("The metadata's %(what)s is longer than %(limit)s characters: check the metadata.")
                % {"what": label, "limit": limit}
            )
    for name in ("sso_url", "slo_url"):
        if not found[name]:
            continue
        try:
            check_url(found[name], resolve=False)  # people's browsers go there, not the server
        except ValidationError as error:
            raise ValidationError(
                _("The metadata's %(what)s (%(url)s) cannot be used: %(reason)s")
                % {"what": labels[name], "url": found[name][:100], "reason": " ".join(error.messages)}
            ) from None
    return found


def fetch_metadata(url: str) -> str:
    """An IdP's metadata from its address (when saving its settings only: sign-in uses what was read then)."""
    check_url(url)
    try:
        response = fetch(url)
    except requests.RequestException as error:
        log.info("SAML metadata could not be fetched: %s", type(error).__name__)
        raise ValidationError(
            _("The metadata could not be read from that address: check it, or paste the metadata XML instead.")
        ) from None
    return response.text


OIDC_ENDPOINTS = ["authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri"]


def check_oidc_issuer(issuer: str) -> dict[str, Any]:
    """The issuer's discovery document answers, names the same issuer, and each endpoint the server or
    people's browsers will use is an address check_url accepts (the server sends the client secret to
    the token endpoint). Returns the document."""
    url = issuer.rstrip("/") + "/.well-known/openid-configuration"
    check_url(url)
    try:
        config = fetch(url).json()
    except (requests.RequestException, ValueError) as error:
        log.info("OpenID configuration could not be fetched: %s", type(error).__name__)
        raise ValidationError(
            _("No OpenID Connect configuration answered at %(url)s: check the issuer URL.") % {"url": url}
        ) from None
    if not isinstance(config, dict) or str(config.get("issuer", "")).rstrip("/") != issuer.rstrip("/"):
        raise ValidationError(_("The provider at that address names a different issuer: check the issuer URL."))
    for name in OIDC_ENDPOINTS:
        endpoint = config.get(name)
        if not isinstance(endpoint, str) or not endpoint:
            raise ValidationError(
                _("The provider's OpenID Connect configuration gives no %(name)s: check the issuer URL.")
                % {"name": name}
            )
        try:
            check_url(endpoint)
        except ValidationError as error:
            raise ValidationError(
                _("The provider's %(name)s (%(url)s) cannot be used: %(reason)s")
                % {"name": name, "url": endpoint[:100], "reason": " ".join(error.messages)}
            ) from None
    return config


# --- allauth's app --------------------------------------------------------------------------------


def social_app_settings(provider: IdentityProvider) -> dict[str, Any]:
    if provider.is_saml:
        # What was read from the metadata when the settings were saved, never its address: allauth would
        # fetch that at every sign-in (anonymous people could make the server call it).
        idp: dict[str, Any] = {
            "entity_id": provider.entity_id,
            "sso_url": provider.sso_url,
            "x509cert": provider.x509cert,
        }
        if provider.slo_url:
            idp["slo_url"] = provider.slo_url
        return {
            "idp": idp,
            "attribute_mapping": SAML_ATTRIBUTES,
            "advanced": {"reject_idp_initiated_sso": True, "strict": True},
        }
    return {"server_url": provider.issuer_url, "fetch_userinfo": True, "oauth_pkce_enabled": True}


def sync_social_app(provider: IdentityProvider) -> None:
    """allauth's SocialApp for this provider: present and up to date while it is enabled, gone otherwise
    (allauth's own views then answer 404 for it)."""
    apps = SocialApp.objects.filter(provider_id=provider.slug)
    if not provider.enabled:
        apps.delete()
        return
    app = apps.first() or SocialApp(provider_id=provider.slug)
    app.provider = provider.allauth_provider
    app.name = provider.name
    app.client_id = provider.slug if provider.is_saml else provider.client_id
    app.secret = "" if provider.is_saml else provider.client_secret
    app.settings = social_app_settings(provider)
    app.save()
    apps.exclude(pk=app.pk).delete()


def check_can_configure(actor: Membership | None, provider: IdentityProvider) -> None:
    """A cohort's facilitator, for an institution taking part in it; an operator (None: the admin)."""
    if actor is None:
        return
    if not actor.is_facilitator or not actor.cohort.institutions.filter(pk=provider.institution_id).exists():
        raise NotAllowed(_("Only the cohort's facilitator sets up an institution's sign-in."))


@transaction.atomic
def save_provider(actor: Membership | None, provider: IdentityProvider, domains: list[str]) -> IdentityProvider:
    """Save the provider, the domains it serves and allauth's app, all or nothing."""
    check_can_configure(actor, provider)
    check_domains_free(domains, provider)
    provider.save()
    provider.domains.exclude(domain__in=domains).delete()
    existing = set(provider.domains.values_list("domain", flat=True))
    ServedDomain.objects.bulk_create([ServedDomain(provider=provider, domain=d) for d in domains if d not in existing])
    sync_social_app(provider)
    log.info("identity provider %s saved (institution %s)", provider.pk, provider.institution_id)
    return provider


@transaction.atomic
def delete_providers(providers: Iterable[IdentityProvider]) -> None:
    """Delete providers and allauth's apps for them (the admin's delete; a deleted institution's providers
    go with it, and an app left without its provider lets no one in: the adapter finds no provider)."""
    slugs = [p.slug for p in providers]
    SocialApp.objects.filter(provider_id__in=slugs).delete()
    IdentityProvider.objects.filter(slug__in=slugs).delete()


# --- a log-in through a provider ------------------------------------------------------------------


def provider_of(sociallogin: SocialLogin) -> IdentityProvider | None:
    app = sociallogin.provider.app if sociallogin.provider else None
    slug = (app.provider_id or app.client_id) if app is not None else ""
    return IdentityProvider.objects.filter(slug=slug).select_related("institution").first() if slug else None


def claims_of(sociallogin: SocialLogin) -> dict[str, Any]:
    """The claims (OIDC: the ID token's under the userinfo's) or the attributes (SAML) of a log-in."""
    extra = sociallogin.account.extra_data or {}
    if "userinfo" in extra or "id_token" in extra:
        return {**(extra.get("id_token") or {}), **(extra.get("userinfo") or {})}
    return extra


def _truthy(value: Any) -> bool | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in {"true", "1", "t", "y", "yes"}


def email_is_verified(provider: IdentityProvider, sociallogin: SocialLogin) -> bool:
    """OpenID Connect: the provider says so (email_verified); Entra ID sends no such claim for its own
    tenant's addresses, so there a missing claim passes and only `false` is refused. SAML: an
    institution's directory asserts the address, unless an attribute says it is not verified."""
    claims = claims_of(sociallogin)
    verified = _truthy(claims.get("email_verified"))
    if provider.kind == IdentityProvider.Kind.OIDC:
        return verified is True
    return verified is not False


def usable_invitations(email: str) -> list[Invitation]:
    return [
        i
        for i in Invitation.objects.filter(
            email__iexact=email, accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
        ).select_related("cohort")
        if i.is_usable
    ]
