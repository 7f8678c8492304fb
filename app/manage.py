#!/usr/bin/env python
"""Django's command-line utility for the haven reference app."""

import os
import sys


def main():
    # Production is the default so that a command run on an instance or in a
    # pod never falls back to development settings by accident.
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
