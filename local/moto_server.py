"""Starts the moto AWS emulator for haven's local runs and tests.

moto is used as it is, with two gaps filled where real AWS holds data that
moto lacks. Both only add what AWS itself publishes; neither changes how
haven calls AWS, so the cloud path and the local path stay the same:

- Canonical publishes the Ubuntu AMI ids as public SSM parameters under
  /aws/service/canonical/. moto ships only the Amazon Linux ones, and refuses
  to let a client create a name under /aws/, so the compute template's
  default (the Ubuntu 22.04 parameter) would fail CreateStack. The launcher
  registers that parameter, pointing at a Canonical-owned image moto knows.
- RDS reports the standby of a Multi-AZ instance as SecondaryAvailabilityZone.
  moto records MultiAZ but never a standby, so the workflow's check that the
  standby really exists could never pass. The launcher reports, for Multi-AZ
  instances only, another zone of the region, as RDS does once the standby is
  up. A single-AZ instance still has none, so the check can still fail here.
- An Auto Scaling group spreads its instances over the zones of its subnets.
  moto launches them all in the first subnet, so the workflow's check that
  the healthy instances span two zones could never pass. The launcher
  launches each instance in the subnet that has the fewest, as AWS balances
  zones. A group given a single subnet still stays in one zone.
- Deleting a stack deletes its route tables, NAT gateways and VPC endpoints.
  moto keeps all three, so the VPC they belong to cannot be deleted and
  DeleteStack of the network tier fails with DependencyViolation, where AWS
  deletes the stack. The launcher deletes them through the EC2 API, as
  CloudFormation does, so the workflow's rollback can be shown end to end.

Usage: python local/moto_server.py PORT
"""

import sys
from collections import defaultdict

from moto.autoscaling.models import FakeAutoScalingGroup
from moto.cloudformation.parsing import ResourceMap
from moto.ec2.models import ec2_backends
from moto.rds.models import DBInstance
from moto.core.utils import utcnow
from moto.server import main as moto_main
from moto.ssm.models import Parameter, ParameterDict

UBUNTU_PARAMETERS = {
    "/aws/service/canonical/ubuntu/server/22.04/stable/current/"
    "amd64/hvm/ebs-gp2/ami-id": "ami-785db401",
}

_original_check_loading_status = ParameterDict._check_loading_status


def _check_loading_status(self: ParameterDict, key: str) -> None:
    _original_check_loading_status(self, key)
    for name, image_id in UBUNTU_PARAMETERS.items():
        if name == str(key or "") and not dict.get(self, name):
            defaultdict.__getitem__(self, name).append(
                Parameter(
                    account_id=self.account_id,
                    name=name,
                    value=image_id,
                    parameter_type="String",
                    description="Canonical Ubuntu 22.04 LTS (emulated)",
                    allowed_pattern=None,
                    keyid=None,
                    last_modified_date=utcnow(),
                    version=1,
                    data_type="aws:ec2:image",
                )
            )


def _secondary_availability_zone(self: DBInstance) -> str | None:
    if not self.multi_az:
        return None
    primary = self.availability_zone
    return f"{self.region}b" if primary.endswith("a") else f"{self.region}a"


_original_replace_instances = (
    FakeAutoScalingGroup.replace_autoscaling_group_instances
)


def _replace_instances_balanced(
    self: FakeAutoScalingGroup, count_needed: int, propagated_tags: dict
) -> None:
    subnet_ids = (self.vpc_zone_identifier or "").split(",")
    if len(subnet_ids) < 2:
        _original_replace_instances(self, count_needed, propagated_tags)
        return

    ec2 = self.autoscaling_backend.ec2_backend
    zone_of = {
        subnet.id: subnet.availability_zone
        for subnet in ec2.describe_subnets(subnet_ids=subnet_ids)
    }
    identifier, zones = self.vpc_zone_identifier, self.availability_zones
    try:
        for _ in range(count_needed):
            counts = {subnet_id: 0 for subnet_id in subnet_ids}
            for state in self.instance_states:
                subnet_id = state.instance.subnet_id
                if subnet_id in counts:
                    counts[subnet_id] += 1
            emptiest = min(subnet_ids, key=lambda subnet_id: counts[subnet_id])
            self.vpc_zone_identifier = emptiest
            self.availability_zones = [zone_of[emptiest]]
            _original_replace_instances(self, 1, dict(propagated_tags))
    finally:
        self.vpc_zone_identifier, self.availability_zones = identifier, zones


_original_delete_resource = ResourceMap._delete_resource


def _delete_resource_with_ec2(
    self: ResourceMap, parsed_resource: object, resource_json: dict
) -> None:
    kind = resource_json.get("Type")
    ec2 = ec2_backends[self._account_id][self._region_name]
    physical_id = getattr(parsed_resource, "id", None)
    if kind == "AWS::EC2::RouteTable" and physical_id in ec2.route_tables:
        ec2.delete_route_table(physical_id)
    elif kind == "AWS::EC2::NatGateway" and physical_id in ec2.nat_gateways:
        ec2.nat_gateways.pop(physical_id)
    elif kind == "AWS::EC2::VPCEndpoint" and physical_id:
        ec2.delete_vpc_endpoints([physical_id])
        ec2.vpc_end_points.pop(physical_id, None)
    else:
        _original_delete_resource(self, parsed_resource, resource_json)


ParameterDict._check_loading_status = _check_loading_status
ResourceMap._delete_resource = _delete_resource_with_ec2
FakeAutoScalingGroup.replace_autoscaling_group_instances = (
    _replace_instances_balanced
)
DBInstance.secondary_availability_zone = property(_secondary_availability_zone)

if __name__ == "__main__":
    port = sys.argv[1] if len(sys.argv) > 1 else "5000"
    moto_main(["-H", "127.0.0.1", "-p", port])
