"""The production watch (docs/watch.md): what changed since the last watch
(`changes`) and the Slack-compatible webhook (`webhook`). The alert issue is the Action's
(`launchgate.action.watch`)."""
