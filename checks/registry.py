"""The explicit, ordered list of checks (POE_RULES.md §4)."""
from __future__ import annotations

from checks import (
    activity_detail,
    applicable_activities,
    customer_acknowledgement,
    customer_eligibility,
    dates,
    digital_signature,
    email_provenance,
    engagement_timeline,
    generic_content,
    licensing_only,
    party_names,
    public_sector_disclosure,
    template_reuse,
    tenant_match,
    user_counts,
    workload_match,
)

DEFAULT_CHECKS = (
    party_names.CHECK,
    tenant_match.CHECK,
    customer_acknowledgement.CHECK,
    digital_signature.CHECK,
    email_provenance.CHECK,
    licensing_only.CHECK,
    dates.CHECK,
    workload_match.CHECK,
    applicable_activities.CHECK,
    activity_detail.CHECK,
    engagement_timeline.CHECK,
    user_counts.CHECK,
    generic_content.CHECK,
    template_reuse.CHECK,
    public_sector_disclosure.CHECK,
    customer_eligibility.CHECK,
)

CHECK_IDS = tuple(c.id for c in DEFAULT_CHECKS)
