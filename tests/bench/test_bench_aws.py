"""bench/bench_aws.py cannot rot: its seeding and its Attestly side run at a small N (no
Prowler here: it is installed only by the bench itself), its failure matching is exact, and
Attestly fails exactly the seeded resources the seeding makes fail."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from bench.aws import overlap

pytestmark = pytest.mark.slow
N = 100  # enough for every index rule of the seeding to make some resource fail
REGIONS = ["us-east-1", "eu-west-1"]


def test_normalised_resources_match_across_tools() -> None:
    assert overlap.attestly_key("aws:1:global:iam:user/alice", overlap.RESOURCE) == "alice"
    assert overlap.norm_id("arn:aws:iam::1:user/alice") == "alice"
    assert overlap.attestly_key("aws:1:eu-west-1:s3:bench-b", overlap.RESOURCE) == "bench-b"
    assert overlap.norm_id("arn:aws:s3:::bench-b") == "bench-b"
    sg = "arn:aws:ec2:eu-west-1:1:security-group/sg-0abc"
    assert overlap.norm_id(sg) == "sg-0abc"
    assert overlap.attestly_key(f"aws:1:eu-west-1:ec2:{sg}", overlap.RESOURCE) == "sg-0abc"
    log_arn = "arn:aws:logs:us-east-1:1:log-group:/bench/group-1:*"
    assert overlap.norm_id(log_arn) == "/bench/group-1"
    assert overlap.attestly_key("aws:1:us-east-1:logs:/bench/group-1", overlap.RESOURCE) == (
        "/bench/group-1"
    )
    assert overlap.norm_id("arn:aws:rds:us-east-1:1:db:bench-db-1") == "bench-db-1"
    assert overlap.attestly_key("aws:1:eu-west-1:guardduty:x", overlap.REGION) == "eu-west-1"
    assert overlap.attestly_key("aws:1:global:iam:account", overlap.ACCOUNT) == "account"


def test_compare_counts_missed_and_extra() -> None:
    def finding(code: str, status: str, uid: str) -> dict[str, object]:
        return {
            "metadata": {"event_code": code},
            "status_code": status,
            "resources": [{"uid": uid, "region": "us-east-1"}],
        }

    code = "s3_bucket_default_encryption"
    pairs = overlap.compare(
        [
            finding(code, "FAIL", "arn:aws:s3:::a"),
            finding(code, "FAIL", "arn:aws:s3:::b"),
            finding(code, "PASS", "arn:aws:s3:::c"),
        ],
        [
            ("aws_s3_bucket_default_encryption", "aws:1:us-east-1:s3:a", "fail"),
            ("aws_s3_bucket_default_encryption", "aws:1:us-east-1:s3:c", "fail"),
        ],
        ["aws_s3_bucket_default_encryption"],
    )
    pair = next(p for p in pairs if p.attestly == "aws_s3_bucket_default_encryption")
    assert pair.comparable
    assert (pair.both, pair.missed, pair.extra) == ({"a"}, {"b"}, {"c"})
    assert not next(p for p in pairs if p.attestly == "aws_kms_key_rotation").comparable


def test_seed_and_attestly_side_at_tiny_n(tmp_path: Path) -> None:
    if importlib.util.find_spec("moto") is None:
        pytest.skip("moto is not installed (pip install -e '.[dev]')")
    from bench.aws.attestly_side import aws_available

    why_not = aws_available()
    if why_not is not None:
        pytest.skip(f"the AWS integration is needed: {why_not}")
    from bench.aws.seed import expected_results, seed
    from bench.bench_aws import MotoServer, run_attestly

    server = MotoServer(tmp_path / "moto.log")
    try:
        seeded = seed(server.endpoint, N, REGIONS, workers=4)
        assert seeded.total == N
        assert min(seeded.counts.values()) >= 1
        run = run_attestly(server, REGIONS, tmp_path / "attestly")
    finally:
        server.stop()
    assert run.measured.returncode == 0
    assert run.scan_s is not None and run.scan_s > 0
    assert run.measured.peak_mb > 0
    assert run.api_calls > 0
    assert run.extra["api_calls"] > 0  # the run records its own count too
    assert run.extra["status"] == "succeeded", run.extra["errors"]
    pairs = overlap.compare([], [tuple(x) for x in run.extra["current"]], run.extra["checks"])
    failing = {p.attestly: p.attestly_fail for p in pairs}
    # the seeding makes user 2 a console user without MFA, and user 0 an administrator
    assert "bench-user-00002" in failing["aws_iam_user_console_mfa"]
    assert "bench-user-00000" in failing["aws_iam_user_no_admin_policy"]
    # every resource the seeding names fails exactly the checks it is made to fail
    scope = {"aws_backup_plan_exists": overlap.REGION}
    scope.update({a: s for a, _p, s in overlap.PAIRS if a != "aws_backup_plan_exists"})
    status = {
        (check, overlap.attestly_key(key, scope.get(check, overlap.RESOURCE))): found
        for check, key, found in run.extra["current"]
    }
    wrong = [
        (check, resource, status.get((check, resource)))
        for check, expected in expected_results(N, REGIONS).items()
        for resource, fails in expected.items()
        if (status.get((check, resource)) == "fail") != fails
        or status.get((check, resource)) not in {"fail", "pass", "not_applicable"}
    ]
    assert not wrong
