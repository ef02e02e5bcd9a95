"""The `qms` command: this project's manage.py, installed as a console script."""

import os
import sys


def main() -> None:
    if sys.argv[1:2] == ["spc"]:
        # Control charts from a file need no database, no settings and no Django.
        from qms.stats.cli import main as spc

        sys.exit(spc(sys.argv[2:]))
    if sys.argv[1:2] == ["funnel"]:
        # So do funnel plots from a file.
        from qms.stats.funnel_cli import main as funnel

        sys.exit(funnel(sys.argv[2:]))
    if sys.argv[1:3] == ["feedback", "classify"]:
        # And classifying comments: a fresh install needs no migrated database for it.
        from qms.text.feedback_cli import main as classify

        sys.exit(classify(sys.argv[3:]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qms.config.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
