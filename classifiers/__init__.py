"""Theme classification, language detection and redaction for Engage concerns.

Never imports Flask: the web service uses :mod:`classifiers.service`, the CLI uses
:mod:`classifiers.cli`.
"""
