"""The self-assessment's links in the cohort navigation and its panel on the dashboard."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _, ngettext

from cohort.assessment.services import long_date, status_counts
from cohort.models import ActionItem, Institution, Membership, SelfAssessment
from cohort.panels import NavItem, Panel


def nav_items(membership: Membership) -> list[NavItem]:
    slug = membership.cohort.slug
    items = []
    if membership.institution is not None:
        own = {"cohort": slug, "institution": membership.institution.slug}
        items.append(NavItem(_("Self-assessment"), reverse("cohort:workspace", kwargs=own), order=20))
        items.append(NavItem(_("Action plan"), reverse("cohort:action_plan", kwargs=own), order=21))
    items.append(NavItem(_("Progress"), reverse("cohort:progress", kwargs={"cohort": slug}), order=22))
    items.append(NavItem(_("Practice library"), reverse("cohort:practice_library", kwargs={"cohort": slug}), order=70))
    items.append(NavItem(_("Data register"), reverse("cohort:data_register", kwargs={"cohort": slug}), order=75))
    return items


def dashboard_panels(membership: Membership) -> list[Panel]:
    if membership.institution is not None:
        return [_own_self_assessment(membership, membership.institution)]
    if membership.is_assessor:
        return [_waiting(membership)]
    # The facilitator's awards to record are among the dashboard's to-dos (config.dashboard).
    return []


def _own_self_assessment(membership: Membership, institution: Institution) -> Panel:
    own = {"cohort": membership.cohort.slug, "institution": institution.slug}
    # Read only: the dashboard never starts a self-assessment.
    sa = SelfAssessment.objects.current(membership.cohort, institution) or SelfAssessment(
        cohort=membership.cohort, institution=institution
    )
    sa.cohort = membership.cohort
    counts = status_counts(sa)
    overdue = ActionItem.objects.overdue().filter(cohort=membership.cohort, institution=institution)
    workspace = reverse("cohort:workspace", kwargs=own)
    lines = [
        (_("Cycle %(cycle)s: %(status)s") % {"cycle": sa.cycle, "status": sa.get_status_display()}, ""),
        (
            _("%(done)s of %(total)s criteria ready or reviewed")
            % {"done": counts["ready"] + counts["reviewed"], "total": counts["total"]},
            workspace,
        ),
    ]
    if counts["more_evidence"]:
        lines.append((_("%(n)s need more evidence") % {"n": counts["more_evidence"]}, workspace))
    if sa.expires_on:
        lines.append(
            (
                _("Mid-point review %(midpoint)s; expires %(expires)s")
                % {"midpoint": long_date(sa.midpoint_review_on), "expires": long_date(sa.expires_on)},
                "",
            )
        )
    n_overdue = overdue.count()
    if n_overdue:
        lines.append(
            (
                ngettext("%(n)s overdue action", "%(n)s overdue actions", n_overdue) % {"n": n_overdue},
                reverse("cohort:action_plan", kwargs=own),
            )
        )
    links = [
        (_("Open the self-assessment"), reverse("cohort:workspace", kwargs=own)),
        (_("Action plan"), reverse("cohort:action_plan", kwargs=own)),
    ]
    return Panel("cohort/assessment/_panel.html", {"title": _("Self-assessment"), "lines": lines, "links": links}, 10)


def _waiting(membership: Membership) -> Panel:
    """The self-assessments waiting for the assessor's review, each a link to its workspace."""
    waiting = SelfAssessment.objects.filter(
        cohort=membership.cohort,
        status=SelfAssessment.Status.SUBMITTED,
        institution__participations__cohort=membership.cohort,
        institution__participations__assessor=membership.user,
    ).select_related("institution")
    title = _("Waiting for your review")
    slug = membership.cohort.slug
    lines = [
        (sa.institution.name, reverse("cohort:workspace", kwargs={"cohort": slug, "institution": sa.institution.slug}))
        for sa in waiting[:10]
    ] or [(_("Nothing waiting."), "")]
    links = [(_("Cohort progress"), reverse("cohort:progress", kwargs={"cohort": membership.cohort.slug}))]
    return Panel("cohort/assessment/_panel.html", {"title": title, "lines": lines, "links": links}, 10)
