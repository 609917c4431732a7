from __future__ import annotations

from datetime import datetime

import pytest

from checks.digital_signature import CHECK
from models import Signature


def _sig(**kw) -> Signature:
    base = {"field": "CustomerSignature", "file": "letter.pdf", "signer_name": "A New User",
                "signer_email": "a.user@callowaybev.com", "signing_time": datetime(2025, 3, 20, 20, 45),
                "intact": True, "trusted": True, "summary": "INTACT:TRUSTED"}
    return Signature(**{**base, **kw})


@pytest.mark.parametrize(
    ("sigs", "status", "word"),
    [
        pytest.param((_sig(),), "pass", None, id="valid"),
        pytest.param((_sig(intact=False, summary="hash mismatch"),), "fail", "broken", id="tampered"),
        pytest.param((_sig(trusted=False, summary="untrusted root"),), "fail", "untrusted", id="untrusted"),
        pytest.param((_sig(modified_after=True),), "fail", "modified", id="modified-after"),
        pytest.param((_sig(), _sig(field="Partner", trusted=False)), "fail", "untrusted", id="one-of-two-bad"),
    ],
)
def test_digital_signature(build, sigs, status, word):
    claim = build.claim()
    res = CHECK.run(claim, [build.pdf("Letter", signatures=sigs)], build.ctx(claim))
    assert res.status == status, res.message
    assert res.blocking
    assert all(e.start == e.end == 0 and e.file == "letter.pdf" and e.note for e in res.evidence)
    if word:
        assert word in res.message and res.remediation


def test_not_applicable_without_signatures_even_with_certificate_text(build):
    claim = build.claim()
    cert = "Certificate Of Completion\nEnvelope Id B9DB685B1AF1FECD1A52042D9384E7F7\nSigned: 1/20/2025"
    assert CHECK.run(claim, [build.pdf(cert)], build.ctx(claim)).status == "not_applicable"
