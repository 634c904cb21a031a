#!/usr/bin/env python3
"""Prints the HS256 tokens the benchmark's HTTP load rotates through, one per line: one per tenant
(sub and tenant_id differ; role and expiry do not), valid for an hour. Standard library only.

  bench/tokens.py SECRET_FILE ROLE [COUNT]      (COUNT defaults to 16)
"""
import base64
import hashlib
import hmac
import json
import sys
import time


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=")


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__.strip().splitlines()[-1].strip())
    secret = open(sys.argv[1], "rb").read()
    secret = secret[:-1] if secret.endswith(b"\n") else secret  # pgmcp ignores one trailing newline
    role, count = sys.argv[2], int(sys.argv[3]) if len(sys.argv) == 4 else 16
    head = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    for tenant in range(1, count + 1):
        claims = {"role": role, "sub": f"bench-tenant-{tenant}", "tenant_id": tenant, "exp": int(time.time()) + 3600}
        signing_input = head + b"." + b64(json.dumps(claims, separators=(",", ":")).encode())
        print((signing_input + b"." + b64(hmac.new(secret, signing_input, hashlib.sha256).digest())).decode())


if __name__ == "__main__":
    main()
