from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from cohort import access
from cohort.errors import NotAllowed
from cohort.sso import services
from cohort.sso.forms import IdentityProviderForm
from cohort.sso.models import IdentityProvider
from cohort.web import add_service_errors


@login_required
def sign_in_settings(request: HttpRequest, cohort: str, institution: str) -> HttpResponse:
    """The facilitator sets up an institution's own sign-in (one identity provider per institution here;
    an operator can add more in the admin)."""
    membership = access.get_facilitator_membership(request.user, cohort)
    participation = access.get_participation(membership, institution)
    provider = participation.institution.identity_providers.first()
    form = IdentityProviderForm(request.POST or None, instance=provider, institution=participation.institution)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_provider(membership, form.instance, form.domain_list)
        except (ValidationError, NotAllowed) as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The sign-in settings are saved."))
            return redirect("cohort:sso_settings", cohort=cohort, institution=institution)
    context = {"cohort": membership.cohort, "participation": participation, "form": form, "provider": provider}
    return render(request, "cohort/sso/settings.html", context, status=400 if form.errors else 200)


def it_details(request: HttpRequest, provider: IdentityProvider) -> dict[str, str]:
    """What the institution's IT registers: the addresses allauth answers on for this provider."""
    absolute = request.build_absolute_uri
    if provider.is_saml:
        metadata = absolute(reverse("saml_metadata", kwargs={"organization_slug": provider.slug}))
        return {
            "entity_id": metadata,  # allauth's SP entity id is its metadata address
            "metadata_url": metadata,
            "acs_url": absolute(reverse("saml_acs", kwargs={"organization_slug": provider.slug})),
            "sls_url": absolute(reverse("saml_sls", kwargs={"organization_slug": provider.slug})),
        }
    return {"redirect_uri": absolute(reverse("openid_connect_callback", kwargs={"provider_id": provider.slug}))}


@login_required
def sign_in_for_it(request: HttpRequest, cohort: str, institution: str) -> HttpResponse:
    """The page for the institution's IT: what to register with their identity provider."""
    membership = access.get_membership(request.user, cohort)
    participation = access.get_participation(membership, institution)
    if not membership.can_manage_institution(participation.institution_id):
        raise Http404("No such page.")
    providers = [(p, it_details(request, p)) for p in participation.institution.identity_providers.all()]
    context = {
        "cohort": membership.cohort,
        "participation": participation,
        "providers": providers,
        "can_configure": membership.is_facilitator,
        "saml_attributes": services.SAML_ATTRIBUTES,
        "oidc_claims": services.OIDC_CLAIMS,
    }
    return render(request, "cohort/sso/it.html", context)
