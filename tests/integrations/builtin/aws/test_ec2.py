"""EC2 collector on moto's server, and the EC2 checks on its evidence and on recorded cases."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from attestly.integrations.base import MalformedResponse, PermissionDenied
from attestly.integrations.builtin.aws.client import AwsClient
from attestly.integrations.builtin.aws.collectors import ec2

from ..conftest import record

AMI = "ami-12c6146b"
ACCOUNT = "123456789012"
WORLD4 = [{"CidrIp": "0.0.0.0/0"}]
WORLD6 = [{"CidrIpv6": "::/0"}]
SG_CHECKS = (
    "aws_ec2_sg_no_world_ssh",
    "aws_ec2_sg_no_world_rdp",
    "aws_ec2_sg_no_world_all_ports",
    "aws_ec2_sg_no_world_admin_ports",
)


def tcp(low: int, high: int, ipv4: Any = (), ipv6: Any = ()) -> dict[str, Any]:
    return {
        "IpProtocol": "tcp",
        "FromPort": low,
        "ToPort": high,
        "IpRanges": list(ipv4),
        "Ipv6Ranges": list(ipv6),
    }


def everything(ipv4: Any = (), ipv6: Any = ()) -> dict[str, Any]:
    return {"IpProtocol": "-1", "IpRanges": list(ipv4), "Ipv6Ranges": list(ipv6)}


# group name -> (ingress rules, expected (ssh, rdp, all ports, admin ports))
GROUPS: dict[str, tuple[list[dict[str, Any]], tuple[str, str, str, str]]] = {
    "ssh-world": ([tcp(22, 22, WORLD4)], ("fail", "pass", "pass", "pass")),
    "range-v6": ([tcp(3000, 3400, ipv6=WORLD6)], ("pass", "fail", "pass", "fail")),
    "all-traffic": ([everything(WORLD4)], ("fail", "fail", "fail", "fail")),
    "tcp-every-port": ([tcp(0, 65535, WORLD4)], ("fail", "fail", "fail", "fail")),
    "mysql-world": ([tcp(3306, 3306, WORLD4)], ("pass", "pass", "pass", "fail")),
    "private": (
        [
            tcp(22, 22, [{"CidrIp": "10.0.0.0/8"}]),
            tcp(443, 443, WORLD4),
            everything([{"CidrIp": "192.168.0.0/16"}]),
        ],
        ("pass", "pass", "pass", "pass"),
    ),
}


def key(region: str, resource: str) -> str:
    return f"aws:{ACCOUNT}:{region}:ec2:{resource}"


def seed(aws: Callable[..., Any]) -> dict[str, str]:
    """Groups, instances and volumes in us-east-1, with default encryption on there only.
    Returns name -> resource id."""
    client = aws("ec2", "us-east-1")
    ids: dict[str, str] = {}
    for name, (rules, _expected) in GROUPS.items():
        group = client.create_security_group(GroupName=name, Description=name)["GroupId"]
        client.authorize_security_group_ingress(GroupId=group, IpPermissions=rules)
        ids[name] = group
    launched = {
        "v2-only": {"MetadataOptions": {"HttpTokens": "required"}},
        "v1-allowed": {"MetadataOptions": {"HttpTokens": "optional"}},
        "no-endpoint": {"MetadataOptions": {"HttpEndpoint": "disabled"}},
        "gone": {},
    }
    for name, extra in launched.items():
        answer = client.run_instances(
            ImageId=AMI, MinCount=1, MaxCount=1, SecurityGroupIds=[ids["ssh-world"]], **extra
        )
        ids[name] = answer["Instances"][0]["InstanceId"]
    client.terminate_instances(InstanceIds=[ids["gone"]])
    for name, encrypted in (("encrypted", True), ("plain", False)):
        volume = client.create_volume(Size=1, AvailabilityZone="us-east-1a", Encrypted=encrypted)
        ids[name] = volume["VolumeId"]
    client.enable_ebs_encryption_by_default()
    return ids


def test_collects_groups_instances_volumes_and_regions(
    aws: Callable[..., Any], collect_service: Callable[..., list[Any]]
) -> None:
    ids = seed(aws)
    records = collect_service(ec2.SERVICE)
    by_key = {r.key: r for r in records}
    assert by_key[key("us-east-1", "settings")].data["ebs_encryption_by_default"] is True
    assert by_key[key("eu-west-1", "settings")].data["ebs_encryption_by_default"] is False
    ssh = by_key[key("us-east-1", f"security-group/{ids['ssh-world']}")]
    assert ssh.kind == ec2.KIND_SECURITY_GROUP
    assert ssh.data["ingress"][0]["IpRanges"] == WORLD4
    assert ssh.data["network_interfaces"] >= 3  # the instances still running use it
    unused = by_key[key("us-east-1", f"security-group/{ids['mysql-world']}")]
    assert unused.data["network_interfaces"] == 0
    instance = by_key[key("us-east-1", f"instance/{ids['v2-only']}")]
    assert instance.data["metadata_options"]["HttpTokens"] == "required"
    assert instance.data["security_groups"] == [ids["ssh-world"]]
    volume = by_key[key("us-east-1", f"volume/{ids['plain']}")]
    assert volume.kind == ec2.KIND_VOLUME and volume.data["encrypted"] is False
    assert {r.kind for r in records} == set(ec2.SERVICE.kinds)
    json.dumps([r.data for r in records])  # JSON-safe evidence


def test_one_call_per_listing_per_region(
    aws: Callable[..., Any], aws_ctx: Callable[..., Any]
) -> None:
    seed(aws)
    ctx = aws_ctx()
    list(ec2.SERVICE.collect(AwsClient(ctx)))
    # sts:GetCallerIdentity + 5 calls in each of the two regions, whatever the resources
    assert ctx.calls.count == 1 + 5 * 2


def test_checks_on_moto_evidence(
    aws: Callable[..., Any],
    collect_service: Callable[..., list[Any]],
    judge: Callable[..., Any],
) -> None:
    ids = seed(aws)
    records = collect_service(ec2.SERVICE)
    results = judge(records, prefix="aws_ec2_")
    status = {k: v[0] for k, v in results.items()}
    for name, (_rules, expected) in GROUPS.items():
        group = key("us-east-1", f"security-group/{ids[name]}")
        found = tuple(status[(check, group)] for check in SG_CHECKS)
        assert found == expected, name
    defaults = [
        r.key for r in records if r.kind == ec2.KIND_SECURITY_GROUP and r.data["name"] == "default"
    ]
    assert len(defaults) == 2  # one per region, no ingress from the world
    assert all(status[(check, k)] == "pass" for check in SG_CHECKS for k in defaults)
    ssh = results[(SG_CHECKS[0], key("us-east-1", f"security-group/{ids['ssh-world']}"))][1]
    assert ssh.startswith("SSH (TCP 22) is open to the internet: tcp 22 from 0.0.0.0/0")
    assert "attached to" in ssh
    mysql = results[(SG_CHECKS[3], key("us-east-1", f"security-group/{ids['mysql-world']}"))][1]
    assert mysql == (
        "open to the internet on TCP 3306 (MySQL) "
        "(the group is not attached to any network interface)"
    )

    imds = "aws_ec2_instance_imdsv2"
    assert status[(imds, key("us-east-1", f"instance/{ids['v2-only']}"))] == "pass"
    assert status[(imds, key("us-east-1", f"instance/{ids['v1-allowed']}"))] == "fail"
    assert status[(imds, key("us-east-1", f"instance/{ids['no-endpoint']}"))] == "pass"
    assert status[(imds, key("us-east-1", f"instance/{ids['gone']}"))] == "not_applicable"

    volumes = "aws_ec2_ebs_volume_encrypted"
    assert status[(volumes, key("us-east-1", f"volume/{ids['encrypted']}"))] == "pass"
    assert status[(volumes, key("us-east-1", f"volume/{ids['plain']}"))] == "fail"

    default = "aws_ec2_ebs_default_encryption"
    assert status[(default, key("us-east-1", "settings"))] == "pass"
    assert results[(default, key("eu-west-1", "settings"))] == (
        "fail",
        "EBS encryption by default is off in eu-west-1 (0 volumes in the region)",
    )


def test_a_refused_call_fails_the_collector_naming_the_permission(
    aws_ctx: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    original = AwsClient.call

    def call(self: AwsClient, service: str, operation: str, *args: Any, **kwargs: Any) -> Any:
        if operation == "GetEbsEncryptionByDefault":
            raise PermissionDenied("ec2:GetEbsEncryptionByDefault")
        return original(self, service, operation, *args, **kwargs)

    monkeypatch.setattr(AwsClient, "call", call)
    with pytest.raises(PermissionDenied) as caught:
        list(ec2.SERVICE.collect(AwsClient(aws_ctx())))
    assert caught.value.permission == "ec2:GetEbsEncryptionByDefault"


def test_an_item_without_its_id_is_a_malformed_response(
    aws_ctx: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    original = AwsClient.call

    def call(self: AwsClient, service: str, operation: str, *args: Any, **kwargs: Any) -> Any:
        if operation == "DescribeVolumes":
            return {"Volumes": [{"Size": 8, "Encrypted": False}]}
        return original(self, service, operation, *args, **kwargs)

    monkeypatch.setattr(AwsClient, "call", call)
    with pytest.raises(MalformedResponse, match="DescribeVolumes answered an item without"):
        list(ec2.SERVICE.collect(AwsClient(aws_ctx(regions=["eu-west-1"]))))


def test_the_connection_probe_is_a_valid_call(aws_ctx: Callable[..., Any]) -> None:
    probe = ec2.SERVICE.probe
    answer = AwsClient(aws_ctx()).call(probe.service, probe.operation, **dict(probe.params))
    assert isinstance(answer, dict)


# -- the checks on recorded evidence --------------------------------------------------------

SG, INSTANCE, VOLUME, REGION = (
    "aws.ec2.security_group",
    "aws.ec2.instance",
    "aws.ec2.volume",
    "aws.ec2.region",
)


def group(*rules: dict[str, Any], interfaces: int = 1) -> dict[str, Any]:
    return {"group_id": "sg-1", "ingress": list(rules), "network_interfaces": interfaces}


def udp(low: int, high: int, ipv4: Any = WORLD4) -> dict[str, Any]:
    return {"IpProtocol": "udp", "FromPort": low, "ToPort": high, "IpRanges": list(ipv4)}


def instance(state: str = "running", **options: Any) -> dict[str, Any]:
    return {
        "instance_id": "i-1",
        "state": state,
        "metadata_options": {"HttpEndpoint": "enabled", "HttpTokens": "required", **options},
    }


DENIED = {"error": "ec2:DescribeSecurityGroups was refused"}
NA = "not_applicable"
CASES: list[tuple[str, str, dict[str, Any], str]] = [
    # SSH: exact port, ranges, all traffic, IPv6, other spellings of /0, not-world sources
    ("aws_ec2_sg_no_world_ssh", SG, group(), "pass"),
    ("aws_ec2_sg_no_world_ssh", SG, group(tcp(22, 22, WORLD4)), "fail"),
    ("aws_ec2_sg_no_world_ssh", SG, group(tcp(20, 25, ipv6=WORLD6)), "fail"),
    ("aws_ec2_sg_no_world_ssh", SG, group(everything(ipv6=WORLD6)), "fail"),
    ("aws_ec2_sg_no_world_ssh", SG, group({**tcp(22, 22, WORLD4), "IpProtocol": "6"}), "fail"),
    ("aws_ec2_sg_no_world_ssh", SG, group(tcp(22, 22, ipv6=[{"CidrIpv6": "::0/0"}])), "fail"),
    ("aws_ec2_sg_no_world_ssh", SG, group(tcp(23, 80, WORLD4)), "pass"),
    ("aws_ec2_sg_no_world_ssh", SG, group(udp(22, 22)), "pass"),  # SSH is TCP
    ("aws_ec2_sg_no_world_ssh", SG, group(tcp(22, 22, [{"CidrIp": "203.0.113.0/24"}])), "pass"),
    (
        "aws_ec2_sg_no_world_ssh",
        SG,
        group(
            {
                "IpProtocol": "tcp",
                "FromPort": 22,
                "ToPort": 22,
                "PrefixListIds": [{"PrefixListId": "pl-1"}],
            }
        ),
        "pass",
    ),  # prefix lists: not resolved
    ("aws_ec2_sg_no_world_ssh", SG, DENIED, "error"),
    ("aws_ec2_sg_no_world_ssh", SG, {"group_id": "sg-1"}, "error"),
    # RDP
    ("aws_ec2_sg_no_world_rdp", SG, group(tcp(3389, 3389, [{"CidrIp": "10.0.0.0/8"}])), "pass"),
    ("aws_ec2_sg_no_world_rdp", SG, group(tcp(3389, 3389, WORLD4)), "fail"),
    ("aws_ec2_sg_no_world_rdp", SG, group(tcp(1024, 65535, WORLD4)), "fail"),
    ("aws_ec2_sg_no_world_rdp", SG, group(everything(WORLD4), interfaces=0), "fail"),
    ("aws_ec2_sg_no_world_rdp", SG, DENIED, "error"),
    # all ports
    ("aws_ec2_sg_no_world_all_ports", SG, group(tcp(0, 1023, WORLD4)), "pass"),
    ("aws_ec2_sg_no_world_all_ports", SG, group(everything([{"CidrIp": "10.0.0.0/8"}])), "pass"),
    ("aws_ec2_sg_no_world_all_ports", SG, group(everything(WORLD4)), "fail"),
    ("aws_ec2_sg_no_world_all_ports", SG, group(udp(0, 65535)), "fail"),
    (
        "aws_ec2_sg_no_world_all_ports",
        SG,
        group({"IpProtocol": "icmp", "FromPort": -1, "ToPort": -1, "IpRanges": WORLD4}),
        "pass",
    ),
    ("aws_ec2_sg_no_world_all_ports", SG, DENIED, "error"),
    # admin and database ports
    (
        "aws_ec2_sg_no_world_admin_ports",
        SG,
        group(tcp(80, 80, WORLD4), tcp(443, 443, WORLD4)),
        "pass",
    ),
    ("aws_ec2_sg_no_world_admin_ports", SG, group(tcp(5432, 5432, ipv6=WORLD6)), "fail"),
    ("aws_ec2_sg_no_world_admin_ports", SG, group(tcp(6000, 7000, WORLD4)), "fail"),  # Redis
    ("aws_ec2_sg_no_world_admin_ports", SG, group(tcp(22, 22, WORLD4)), "pass"),  # own check
    ("aws_ec2_sg_no_world_admin_ports", SG, group(udp(11211, 11211)), "pass"),  # TCP only
    ("aws_ec2_sg_no_world_admin_ports", SG, DENIED, "error"),
    # IMDSv2
    ("aws_ec2_instance_imdsv2", INSTANCE, instance(), "pass"),
    ("aws_ec2_instance_imdsv2", INSTANCE, instance(HttpTokens="optional"), "fail"),
    (
        "aws_ec2_instance_imdsv2",
        INSTANCE,
        instance(HttpTokens="optional", HttpEndpoint="disabled"),
        "pass",
    ),
    ("aws_ec2_instance_imdsv2", INSTANCE, instance("stopped", HttpTokens="optional"), "fail"),
    ("aws_ec2_instance_imdsv2", INSTANCE, instance("terminated", HttpTokens="optional"), NA),
    (
        "aws_ec2_instance_imdsv2",
        INSTANCE,
        {"instance_id": "i-1", "state": "running", "metadata_options": None},
        "error",
    ),
    ("aws_ec2_instance_imdsv2", INSTANCE, DENIED, "error"),
    # volumes
    ("aws_ec2_ebs_volume_encrypted", VOLUME, {"encrypted": True}, "pass"),
    ("aws_ec2_ebs_volume_encrypted", VOLUME, {"encrypted": False, "attachments": []}, "fail"),
    ("aws_ec2_ebs_volume_encrypted", VOLUME, {"volume_id": "vol-1"}, "error"),
    ("aws_ec2_ebs_volume_encrypted", VOLUME, DENIED, "error"),
    # default encryption
    (
        "aws_ec2_ebs_default_encryption",
        REGION,
        {"region": "r", "ebs_encryption_by_default": True},
        "pass",
    ),
    (
        "aws_ec2_ebs_default_encryption",
        REGION,
        {"region": "r", "ebs_encryption_by_default": False},
        "fail",
    ),
    (
        "aws_ec2_ebs_default_encryption",
        REGION,
        {"region": "r", "ebs_encryption_by_default": None},
        "error",
    ),
    ("aws_ec2_ebs_default_encryption", REGION, DENIED, "error"),
]


def test_every_ec2_check_has_cases() -> None:
    from attestly.checks.registry import get_registry

    registered = {c.id for c in get_registry() if c.id.startswith("aws_ec2_")}
    covered = {(case[0], case[3]) for case in CASES}
    for check in registered:
        assert {(check, "pass"), (check, "fail"), (check, "error")} <= covered, check


@pytest.mark.parametrize(("check_id", "kind", "data", "expected"), CASES)
def test_ec2_check_cases(
    check_id: str, kind: str, data: dict[str, Any], expected: str, judge: Callable[..., Any]
) -> None:
    found = judge([record(kind, data)], prefix=check_id)
    assert found[(check_id, "r1")][0] == expected, found[(check_id, "r1")]


def test_the_error_detail_is_the_recorded_error(judge: Callable[..., Any]) -> None:
    found = judge([record(SG, DENIED)], prefix="aws_ec2_sg_no_world_ssh")
    assert found[("aws_ec2_sg_no_world_ssh", "r1")] == ("error", DENIED["error"])


def test_a_wide_range_names_the_first_admin_ports_and_counts_the_rest(
    judge: Callable[..., Any],
) -> None:
    found = judge([record(SG, group(tcp(1, 30000, WORLD4)))], prefix="aws_ec2_sg_no_world_admin")
    status, detail = found[("aws_ec2_sg_no_world_admin_ports", "r1")]
    assert status == "fail"
    assert detail.startswith("open to the internet on TCP 20 (FTP data), 21 (FTP), 23 (Telnet)")
    assert "and 21 more (attached to 1 network interface)" in detail
