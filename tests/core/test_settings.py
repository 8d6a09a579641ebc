"""Production settings and the settings helpers."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from aims.core.env import env, env_bool

ROOT = Path(__file__).resolve().parents[2]


def manage(*args, **environment):
    env_vars = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env_vars.update(environment)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env_vars,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_the_deployment_check_without_warnings(tmp_path):
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="k8#Qz!r2Vw9@Lp4$Tn7^Xb1&Hm6*Jd3(Fs5)Gy0_Ce8+Ua2=Wo4",
        DJANGO_ALLOWED_HOSTS="aims.example.com",
        AIMS_VAR_DIR=str(tmp_path),
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = manage(
        "check", DJANGO_DEBUG="0", DJANGO_ALLOWED_HOSTS="x.example", AIMS_VAR_DIR=str(tmp_path)
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_secrets_can_come_from_files(tmp_path, monkeypatch):
    secret = tmp_path / "secret"
    secret.write_text("from-a-file\n")
    monkeypatch.setenv("AIMS_TEST_SECRET_FILE", str(secret))
    assert env("AIMS_TEST_SECRET") == "from-a-file"


def test_booleans_are_strict(monkeypatch):
    monkeypatch.setenv("AIMS_TEST_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured):
        env_bool("AIMS_TEST_FLAG", False)


def test_production_refuses_a_host_list_without_hosts(tmp_path):
    result = manage(
        "check",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="k8#Qz!r2Vw9@Lp4$Tn7^Xb1&Hm6*Jd3(Fs5)Gy0_Ce8+Ua2=Wo4",
        DJANGO_ALLOWED_HOSTS=" , ",
        AIMS_VAR_DIR=str(tmp_path),
    )
    assert result.returncode != 0
    assert "DJANGO_ALLOWED_HOSTS names no host" in result.stderr


def test_development_makes_a_secret_key_of_its_own(tmp_path):
    code = "from django.conf import settings; print(settings.SECRET_KEY)"
    first = manage("shell", "-c", code, AIMS_VAR_DIR=str(tmp_path))
    second = manage("shell", "-c", code, AIMS_VAR_DIR=str(tmp_path))
    assert first.returncode == 0, first.stderr
    key = first.stdout.strip().splitlines()[-1]
    assert len(key) >= 50
    assert second.stdout.strip().splitlines()[-1] == key
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_evidence_moves_to_an_s3_bucket_when_one_is_named(tmp_path):
    # The settings module alone: the S3 backend itself is an optional extra.
    script = "import json, aims.settings as s; print(json.dumps(s.STORAGES['evidence']))"
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={
            **os.environ,
            "AIMS_VAR_DIR": str(tmp_path),
            "AIMS_EVIDENCE_S3_BUCKET": "aims-evidence",
            "AIMS_EVIDENCE_S3_ENDPOINT_URL": "https://s3.example.test",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    storage = json.loads(result.stdout.strip().splitlines()[-1])
    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    assert storage["OPTIONS"]["bucket_name"] == "aims-evidence"
    assert storage["OPTIONS"]["endpoint_url"] == "https://s3.example.test"
    assert storage["OPTIONS"]["default_acl"] == "private"
    assert storage["OPTIONS"]["file_overwrite"] is False


def test_evidence_stays_in_the_private_folder_by_default(tmp_path):
    result = manage(
        "shell",
        "-c",
        "from controls.models.evidence import STORAGE; print(STORAGE.location)",
        AIMS_VAR_DIR=str(tmp_path),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == str(tmp_path / "private")


def test_every_scheduled_sweep_names_a_task_the_worker_knows():
    from django.conf import settings

    from aims import celery_app

    celery_app.loader.import_default_modules()
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "aims.core.tasks.send_review_reminders" in scheduled
    assert scheduled <= set(celery_app.tasks)
