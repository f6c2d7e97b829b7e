"""The secrets engine: detect-secrets' judgement over git diffs, history and fetched text."""

from launchgate.secrets.textscan import SecretHit, scan_text

__all__ = ["SecretHit", "scan_text"]
