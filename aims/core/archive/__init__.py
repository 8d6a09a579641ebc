"""The whole AIMS as one ZIP archive, and back (`manage.py export_aims` / `import_aims`).

An archive holds one JSON file per model under `data/` (every row of every model, history and
guardian's object permissions included; see `contents.EXCLUDED` for what is left out and why),
every stored file under `files/`, and `manifest.json`: the schema (latest applied migrations per
app), the SHA-256 and size of every entry, row counts. Content types and permissions are
written by natural key, since their ids differ between databases; everything else keeps its
primary key, so hashes, history and references survive unchanged.
"""

FORMAT = "aims-archive"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
