"""Email authentication of the domain: MX (when it sends mail), DMARC and DKIM."""

from __future__ import annotations

from launchgate.checks.dns.state import IMPORTANT, LATER, DnsRun, finding
from launchgate.dns import dkim, dmarc
from launchgate.dns.resolver import normalize

MIN_DKIM_RSA_BITS = 1024


def check_mx(run: DnsRun) -> None:
    assert run.domain
    found = run.client.lookup(run.domain, "MX")
    names = [
        normalize(r.exchange.to_text()) for r in sorted(found.records, key=lambda r: r.preference)
    ]
    null_mx = len(names) == 1 and names[0] == ""
    run.mx_hosts = [] if null_mx else names
    if run.cfg.sends_email and not run.mx_hosts:
        what = "publishes a null MX (accepts no mail)" if null_mx else "has no MX record"
        run.findings.append(
            finding(
                "mx-missing",
                IMPORTANT,
                f"{run.domain} {what}",
                f"{run.domain} sends email (checks.dns.sends_email) but {what}: replies and "
                "bounces are lost and many receivers reject mail from such domains.",
                "Publish MX records for the mailbox provider, or set sends_email: false.",
                run.domain,
            )
        )


def check_dmarc(run: DnsRun) -> None:
    assert run.domain
    name = f"_dmarc.{run.domain}"
    _, texts = run.client.txt(name)
    records = [t for t in texts if dmarc.is_dmarc(t)]
    if not records:
        # Important whether or not the domain sends mail: without a policy anyone can
        # spoof it; a domain that sends nothing should say so with p=reject.
        remedy = (
            f'Publish TXT at {name}: "v=DMARC1; p=none; '
            f'rua=mailto:dmarc@{run.domain}", read the reports, then move to '
            "p=quarantine or p=reject."
            if run.cfg.sends_email
            else f'The domain sends no mail: publish TXT at {name}: "v=DMARC1; '
            'p=reject;" (with SPF "v=spf1 -all") so receivers reject forgeries.'
        )
        run.findings.append(
            finding(
                "dmarc-missing",
                IMPORTANT,
                f"no DMARC record for {run.domain}",
                f"{name} has no v=DMARC1 record: receivers have no policy for mail that "
                "fails SPF and DKIM, and you get no reports of spoofing.",
                remedy,
                run.domain,
            )
        )
        return
    if len(records) > 1:
        run.findings.append(
            finding(
                "dmarc-invalid",
                IMPORTANT,
                f"{len(records)} DMARC records for {run.domain}",
                f"{name} has {len(records)} v=DMARC1 records; receivers then apply none.",
                "Keep exactly one DMARC record.",
                run.domain,
            )
        )
        return
    try:
        policy = dmarc.parse(records[0])
    except dmarc.DmarcError as exc:
        run.findings.append(
            finding(
                "dmarc-invalid",
                IMPORTANT,
                f"the DMARC record of {run.domain} is invalid",
                f"{name}: {exc}. Receivers ignore an invalid record.",
                "Fix the record (v=DMARC1; p=none|quarantine|reject; rua=mailto:...).",
                run.domain,
            )
        )
        return
    run.dmarc_policy = policy.policy
    run.dmarc_record = records[0]
    run.dmarc_rua = policy.rua
    if policy.policy == "none":
        run.findings.append(
            finding(
                "dmarc-p-none",
                LATER,
                f"DMARC policy of {run.domain} is p=none",
                "p=none only monitors: spoofed mail is still delivered. It is the right "
                "first step while you read the aggregate reports.",
                "Once the reports show only your senders, move to p=quarantine, then p=reject.",
                run.domain,
            )
        )
    if not policy.rua:
        run.findings.append(
            finding(
                "dmarc-no-rua",
                LATER,
                f"DMARC of {run.domain} asks for no reports",
                "Without rua= you never learn who sends mail as your domain.",
                f"Add rua=mailto:dmarc@{run.domain} (or a DMARC report service).",
                run.domain,
            )
        )
    if policy.ignored:
        run.notes.append(
            f"DMARC tags {', '.join(policy.ignored)} are removed by DMARCbis (RFC 9989) and ignored"
        )


def check_dkim(run: DnsRun) -> None:
    assert run.domain
    selectors = run.cfg.dkim_selectors
    if not selectors:
        run.notes.append("DKIM not checked (no checks.dns.dkim_selectors)")
        return
    for selector in selectors:
        _check_selector(run, selector)


def _check_selector(run: DnsRun, selector: str) -> None:
    assert run.domain
    name = f"{selector}._domainkey.{run.domain}"
    _, texts = run.client.txt(name)
    records = [t for t in texts if "p=" in t]
    run.dkim_status[selector] = "missing" if not records else "invalid"
    if not records:
        run.findings.append(
            finding(
                "dkim-missing",
                IMPORTANT,
                f"no DKIM key for selector {selector!r}",
                f"{name} has no DKIM key record: mail signed with this selector fails DKIM.",
                "Publish the key your mail provider shows for this selector, or remove the "
                "selector from checks.dns.dkim_selectors.",
                name,
            )
        )
        return
    try:
        key = dkim.parse(records[0])
    except dkim.DkimError as exc:
        run.findings.append(
            finding(
                "dkim-invalid",
                IMPORTANT,
                f"the DKIM key for selector {selector!r} is unusable",
                f"{name}: {exc}.",
                "Publish the key again exactly as the provider shows it "
                "(long keys are split into several quoted strings).",
                name,
            )
        )
        return
    run.dkim_status[selector] = f"{key.key_type} {key.bits} bits" if key.bits else key.key_type
    if key.key_type == "rsa" and key.bits < MIN_DKIM_RSA_BITS:
        run.findings.append(
            finding(
                "dkim-weak-key",
                IMPORTANT,
                f"the DKIM key for selector {selector!r} is {key.bits} bits",
                f"{name} publishes a {key.bits}-bit RSA key; keys under 1024 bits "
                "can be factored and receivers treat them as failing (RFC 8301).",
                "Rotate to a 2048-bit RSA key (or add an ed25519 selector).",
                name,
            )
        )
        return
    run.dkim_ok += 1
