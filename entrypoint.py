"""The container's exec-form ENTRYPOINT (`python /app/entrypoint.py`).

Exec form, not a shell script: the runner passes inputs as `INPUT_<NAME>` with hyphens kept
(`INPUT_GITHUB-TOKEN`), and Debian's /bin/sh drops such variables. All the work is in
`launchgate.action`.
"""

import sys

if __name__ == "__main__":
    try:
        from launchgate.action import main
    except KeyboardInterrupt:  # cancelled (SIGINT) before main() installed its handlers
        print("::error title=launchgate::the run was cancelled while starting")
        sys.exit(3)
    except Exception as exc:  # a broken install must still end the step with a clear line
        print(f"::error title=launchgate::cannot start: {type(exc).__name__}: {exc}")
        sys.exit(3)
    sys.exit(main())
