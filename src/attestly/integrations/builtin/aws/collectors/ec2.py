"""EC2: security groups, instances, EBS volumes and each region's EBS default encryption.

Per region, five listings and no per-resource call whatever the number of resources:
`DescribeSecurityGroups`, `DescribeNetworkInterfaces` (to tell which groups are in use),
`DescribeInstances` and `DescribeVolumes` (1,000 items a page), plus one
`GetEbsEncryptionByDefault`. The four listings of a region run concurrently.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from attestly.integrations.base import MalformedResponse, Record
from attestly.integrations.builtin.aws.client import AwsClient
from attestly.integrations.builtin.aws.service import AwsService, Probe, jsonable

KIND_REGION = "aws.ec2.region"
KIND_SECURITY_GROUP = "aws.ec2.security_group"
KIND_INSTANCE = "aws.ec2.instance"
KIND_VOLUME = "aws.ec2.volume"
PAGE = 1000  # the largest page EC2's Describe* calls accept


def resource_id(item: Mapping[str, Any], field: str, operation: str) -> str:
    """The item's id, or MalformedResponse when the answer lacks it."""
    value = item.get(field)
    if not isinstance(value, str) or not value:
        raise MalformedResponse(f"ec2:{operation} answered an item without {field}")
    return value


def _tags(resource: Mapping[str, Any]) -> dict[str, str]:
    return {str(t.get("Key")): str(t.get("Value", "")) for t in resource.get("Tags") or []}


def _security_groups(client: AwsClient, region: str) -> list[dict[str, Any]]:
    return list(
        client.paginate("ec2", "DescribeSecurityGroups", "SecurityGroups", region, MaxResults=PAGE)
    )


def _interfaces_per_group(client: AwsClient, region: str) -> Counter[str]:
    """security group id -> how many network interfaces (instances, load balancers, RDS,
    Lambda…) it is attached to."""
    counts: Counter[str] = Counter()
    interfaces = client.paginate(
        "ec2", "DescribeNetworkInterfaces", "NetworkInterfaces", region, MaxResults=PAGE
    )
    for interface in interfaces:
        for group in interface.get("Groups") or []:
            if group.get("GroupId"):
                counts[group["GroupId"]] += 1
    return counts


def _instances(client: AwsClient, region: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for page in client.pages("ec2", "DescribeInstances", region, MaxResults=PAGE):
        for reservation in page.get("Reservations") or []:
            found.extend(reservation.get("Instances") or [])
    return found


def _volumes(client: AwsClient, region: str) -> list[dict[str, Any]]:
    return list(client.paginate("ec2", "DescribeVolumes", "Volumes", region, MaxResults=PAGE))


def security_group_data(group: Mapping[str, Any], interfaces: int) -> dict[str, Any]:
    return {
        "group_id": group.get("GroupId"),
        "name": group.get("GroupName"),
        "description": group.get("Description"),
        "vpc_id": group.get("VpcId"),
        "owner_id": group.get("OwnerId"),
        "arn": group.get("SecurityGroupArn"),
        # AWS's IpPermissions as given: IpProtocol ("-1" = all), FromPort/ToPort, IpRanges,
        # Ipv6Ranges, PrefixListIds, UserIdGroupPairs.
        "ingress": group.get("IpPermissions") or [],
        "egress": group.get("IpPermissionsEgress") or [],
        "network_interfaces": interfaces,
        "tags": _tags(group),
    }


def instance_data(instance: Mapping[str, Any]) -> dict[str, Any]:
    profile = instance.get("IamInstanceProfile") or {}
    return {
        "instance_id": instance.get("InstanceId"),
        "state": (instance.get("State") or {}).get("Name"),
        "instance_type": instance.get("InstanceType"),
        "image_id": instance.get("ImageId"),
        "launch_time": instance.get("LaunchTime"),
        "platform": instance.get("PlatformDetails") or instance.get("Platform"),
        "vpc_id": instance.get("VpcId"),
        "subnet_id": instance.get("SubnetId"),
        "private_ip": instance.get("PrivateIpAddress"),
        "public_ip": instance.get("PublicIpAddress"),
        "iam_instance_profile": profile.get("Arn"),
        "security_groups": [g.get("GroupId") for g in instance.get("SecurityGroups") or []],
        # HttpTokens (required = IMDSv2 only), HttpEndpoint, HttpPutResponseHopLimit…;
        # None when the answer has no metadata options at all.
        "metadata_options": instance.get("MetadataOptions"),
        "volumes": [
            {"device": m.get("DeviceName"), "volume_id": (m.get("Ebs") or {}).get("VolumeId")}
            for m in instance.get("BlockDeviceMappings") or []
        ],
        "tags": _tags(instance),
    }


def volume_data(volume: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "volume_id": volume.get("VolumeId"),
        "state": volume.get("State"),
        "size_gib": volume.get("Size"),
        "volume_type": volume.get("VolumeType"),
        "availability_zone": volume.get("AvailabilityZone"),
        "created": volume.get("CreateTime"),
        "snapshot_id": volume.get("SnapshotId") or None,
        "encrypted": volume.get("Encrypted"),
        "kms_key_id": volume.get("KmsKeyId"),
        "attachments": [
            {"instance_id": a.get("InstanceId"), "device": a.get("Device"), "state": a.get("State")}
            for a in volume.get("Attachments") or []
        ],
        "tags": _tags(volume),
    }


def collect_region(client: AwsClient, region: str) -> Iterator[Record]:
    listings: dict[str, Callable[[AwsClient, str], Any]] = {
        "groups": _security_groups,
        "interfaces": _interfaces_per_group,
        "instances": _instances,
        "volumes": _volumes,
    }
    with ThreadPoolExecutor(max_workers=len(listings), thread_name_prefix="aws-ec2") as pool:
        futures = {name: pool.submit(fn, client, region) for name, fn in listings.items()}
        default = client.call("ec2", "GetEbsEncryptionByDefault", region) or {}
        found = {name: future.result() for name, future in futures.items()}

    groups: Iterable[dict[str, Any]] = found["groups"]
    interfaces: Counter[str] = found["interfaces"]
    instances: list[dict[str, Any]] = found["instances"]
    volumes: list[dict[str, Any]] = found["volumes"]

    yield Record(
        KIND_REGION,
        client.key(region, "ec2", "settings"),
        jsonable(
            {
                "region": region,
                # None if the answer lacks the field (the check then says it cannot judge)
                "ebs_encryption_by_default": default.get("EbsEncryptionByDefault"),
                "ebs_default_sse_type": default.get("SseType"),
                "volumes": len(volumes),
                "instances": len(instances),
            }
        ),
    )
    for group in groups:
        group_id = resource_id(group, "GroupId", "DescribeSecurityGroups")
        yield Record(
            KIND_SECURITY_GROUP,
            client.key(region, "ec2", f"security-group/{group_id}"),
            jsonable(security_group_data(group, interfaces.get(group_id, 0))),
        )
    for instance in instances:
        instance_id = resource_id(instance, "InstanceId", "DescribeInstances")
        yield Record(
            KIND_INSTANCE,
            client.key(region, "ec2", f"instance/{instance_id}"),
            jsonable(instance_data(instance)),
        )
    for volume in volumes:
        volume_id = resource_id(volume, "VolumeId", "DescribeVolumes")
        yield Record(
            KIND_VOLUME,
            client.key(region, "ec2", f"volume/{volume_id}"),
            jsonable(volume_data(volume)),
        )


def collect(client: AwsClient) -> list[Record]:
    return client.per_region(lambda region: collect_region(client, region))


SERVICE = AwsService(
    name="ec2",
    kinds=(KIND_REGION, KIND_SECURITY_GROUP, KIND_INSTANCE, KIND_VOLUME),
    collect=collect,
    probe=Probe("ec2", "DescribeSecurityGroups", {"MaxResults": 5}),
    description="Security groups, instances' metadata options, EBS volumes and default "
    "encryption (per region).",
    permissions=(
        "ec2:DescribeSecurityGroups",
        "ec2:DescribeNetworkInterfaces",
        "ec2:DescribeInstances",
        "ec2:DescribeVolumes",
        "ec2:GetEbsEncryptionByDefault",
    ),
    operations={
        "ec2": (
            "DescribeSecurityGroups",
            "DescribeNetworkInterfaces",
            "DescribeInstances",
            "DescribeVolumes",
            "GetEbsEncryptionByDefault",
        ),
    },
)
