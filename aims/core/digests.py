"""Content hashes of records that must stay as they were approved or issued."""

import hashlib
import json


def canonical_sha256(data):
    """The SHA-256 of JSON-like data written canonically: sorted keys, no spaces, UTF-8."""
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
