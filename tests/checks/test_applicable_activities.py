from __future__ import annotations

import pytest

from checks.applicable_activities import CHECK


@pytest.mark.parametrize(
    ("text", "status"),
    [
        pytest.param("Brightwater onboarded 1,200 devices to Defender for Endpoint and configured ASR rules.", "pass",
                     id="deployment"),
        pytest.param("- Migrated mail flow rules from the previous gateway.\n- Enabled preset security policies.", "pass",
                     id="bullets-without-subject"),
        pytest.param("We ran four administrator training sessions for the IT team.", "pass", id="training"),
        pytest.param("Brightwater Cyber Partners rolled out Intune to 600 laptops.", "pass", id="rolled-out"),
        pytest.param("Brightwater |nstalled sensors and c0nfigured p0licies on 8 domain\ncontrollers | |", "pass",
                     id="ocr-noise"),
        pytest.param("We worked with the customer's team and configured the policies together.", "pass",
                     id="with-the-customer-is-not-the-subject"),
        pytest.param("We held 7 advisory calls and answered questions by email; the customer's staff made all changes "
                     "themselves.", "fail", id="advisory"),
        pytest.param("The customer's IT team deployed Defender for Endpoint; we advised on the rollout.", "fail",
                     id="customer-deployed"),
        pytest.param("Defender for Endpoint was deployed by the customer's in-house team. We reviewed their "
                     "configuration and made recommendations.", "fail", id="passive-customer-agent"),
        pytest.param("We provided lightweight support of the customer's own deployment by phone.", "fail",
                     id="lightweight-support"),
        pytest.param("Our service desk handled 74 end-user tickets, mainly password resets.", "fail", id="helpdesk"),
        pytest.param("Our SOC provided 24x7 monitoring and alert triage under the managed service.", "fail",
                     id="managed-service"),
        pytest.param("No changes to the configuration were made and no devices were onboarded; we monitored alerts.",
                     "fail", id="negated"),
        pytest.param("We will deploy Intune and will configure compliance policies in phase 2. We advised on scope.",
                     "fail", id="future-intent"),
        pytest.param("We advised on configuring Conditional Access and suggested settings to consider.", "fail",
                     id="advice-about-configuring"),
        pytest.param("Thank you for your business.", "warn", id="nothing"),
    ],
)
def test_applicable_activities(build, text, status):
    claim = build.claim()
    res = CHECK.run(claim, [build.pdf(text)], build.ctx(claim))
    assert res.status == status, res.details
    assert res.blocking is (status != "warn")
    if status != "pass":
        assert res.remediation


def test_customer_email_we_is_the_customer(build):
    claim = build.claim()
    ours = build.email("We deployed Defender for Endpoint ourselves; your team answered questions by email.",
                       sender="a.user@callowaybev.com", to=("x@brightwatercyber.com",))
    theirs = build.email("Your team deployed Defender for Endpoint to all 900 laptops.",
                         sender="a.user@callowaybev.com", to=("x@brightwatercyber.com",))
    assert CHECK.run(claim, [ours], build.ctx(claim)).status == "fail"
    assert CHECK.run(claim, [theirs], build.ctx(claim)).status == "pass"


def test_partner_name_words_are_not_cues(build):
    claim = build.claim(partner="Saltmarsh Cloud Advisory Inc.")
    res = CHECK.run(claim, [build.pdf("Saltmarsh Cloud Advisory Inc. deployed and configured Intune.")], build.ctx(claim))
    assert res.status == "pass"


@pytest.mark.parametrize(("case", "status"), [("dev-001", "pass"), ("dev-023", "fail"), ("dev-024", "fail"),
                                              ("dev-025", "fail")])
def test_real_reports(build, case, status):
    claim, docs = build.dev_pdf(case)
    res = CHECK.run(claim, docs, build.ctx(claim))
    assert res.status == status
    assert res.evidence and res.evidence[0].file.endswith(".pdf")


@pytest.mark.parametrize("text", [
    "Configuration of encryption and visual marking; training for 3 IT staff and 14 department leads.",
    "Configuração de criptografia e marcação visual; treinamento de 12 multiplicadores e de 3 administradores.",
    "Configuración de las políticas de acceso condicional y capacitación de los administradores.",
])
def test_work_named_by_its_nouns_counts(build, text):
    """A scope list names work with nouns ("configuration of …", "training for N staff") in any language."""
    claim = build.claim()
    assert CHECK.run(claim, [build.pdf(text)], build.ctx(claim)).status == "pass"


@pytest.mark.parametrize("text", [
    "We answered questions by e-mail and shared Microsoft's published reference material on settings.",
    "All deployment decisions and changes were made by the customer's own staff; we gave advice.",
    "Licences are provisioned to the customer's existing tenant. Prices exclude professional services.",
])
def test_what_is_talked_about_or_bought_is_not_work(build, text):
    """An adjective ("published guidance"), a work noun naming a topic ("deployment decisions") and licences
    provisioned by a purchase describe no delivered work."""
    claim = build.claim()
    assert CHECK.run(claim, [build.pdf(text)], build.ctx(claim)).status != "pass"


def test_a_licence_purchase_alone_is_not_applicable_work(build):
    """A signed licence order describes an activity (buying licences) that does not qualify: fail, not warn."""
    claim = build.claim()
    text = ("Quotation Q-2291. 300 x Microsoft Defender for Endpoint P2 licences, 12-month subscription, "
            "unit price 5.20, annual total 18,720.00. Licence renewal date 1 July 2025.")
    res = CHECK.run(claim, [build.pdf(text)], build.ctx(claim))
    assert res.status == "fail" and "licence" in res.message
