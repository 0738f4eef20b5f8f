#!/usr/bin/env python3
"""certbot's --manual-auth-hook (and cleanup hook) for dns-01 in Signet's tests.

certbot sets CERTBOT_DOMAIN and CERTBOT_VALIDATION; the test sets SIGNET_DNS_RECORDS to the test DNS server's
records file (see dns_server.py). The auth hook adds the TXT value at _acme-challenge.DOMAIN; with --cleanup,
the hook removes it again.
"""

import json
import os
import sys

path = os.environ["SIGNET_DNS_RECORDS"]
name = "_acme-challenge." + os.environ["CERTBOT_DOMAIN"]
value = os.environ["CERTBOT_VALIDATION"]
try:
    with open(path, encoding="utf-8") as f:
        records = json.load(f)
except FileNotFoundError:
    records = {}
values = records.get(name, [])
if "--cleanup" in sys.argv[1:]:
    values = [v for v in values if v != value]
elif value not in values:
    values.append(value)
records[name] = values
tmp = path + ".tmp"
with open(tmp, "w", encoding="utf-8") as f:
    json.dump(records, f)
os.replace(tmp, path)
