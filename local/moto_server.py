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
- EKS manages who may use a cluster through access entries. moto has no
  access entries (the calls answer 404), so the step that gives haven's
  Helm function access to a cluster a team names could not run. The
  launcher keeps access entries and their associated policies per cluster,
  answering CreateAccessEntry, DescribeAccessEntry, AssociateAccessPolicy
  and ListAssociatedAccessPolicies as EKS does; nothing else uses them.
- RDS keeps the master password of an instance created with
  ManageMasterUserPassword in a secret of its own. moto honours that
  property through the RDS API but drops it in CloudFormation, so the data
  tier's instance had no secret to read. The launcher passes it on, and
  moto then keeps the secret as RDS does.

Usage: python local/moto_server.py PORT
"""

import sys
from urllib.parse import unquote
from collections import defaultdict

from moto.autoscaling.models import FakeAutoScalingGroup
from moto.cloudformation.parsing import ResourceMap
from moto.ec2.models import ec2_backends
from moto.rds.models import DBInstance
from moto.core.utils import utcnow
from moto.core.responses import ActionResult
from moto.eks import urls as eks_urls
from moto.eks.exceptions import ResourceInUseException, ResourceNotFoundException
from moto.eks.responses import EKSResponse
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


# EKS access entries, per account, region and cluster.
_access_entries: dict = {}


def _cluster_entries(response: EKSResponse) -> dict:
    cluster = response._get_param("name")
    response.eks_backend.describe_cluster(name=cluster)
    key = (response.current_account, response.region, cluster)
    return _access_entries.setdefault(key, {})


def _principal(response: EKSResponse) -> str:
    return unquote(response._get_param("principalArn"))


def _entry_or_fail(response: EKSResponse) -> dict:
    entry = _cluster_entries(response).get(_principal(response))
    if entry is None:
        raise ResourceNotFoundException(
            clusterName=response._get_param("name"),
            nodegroupName=None,
            fargateProfileName=None,
            addonName=None,
            message=f"The specified access entry {_principal(response)} "
            "could not be found.",
        )
    return entry


def _create_access_entry(self: EKSResponse) -> ActionResult:
    entries = _cluster_entries(self)
    principal = _principal(self)
    if principal in entries:
        raise ResourceInUseException(
            clusterName=self._get_param("name"),
            nodegroupName=None,
            addonName=None,
            message="The specified access entry resource is already in use "
            "on this cluster.",
        )
    cluster = self._get_param("name")
    entries[principal] = {
        "clusterName": cluster,
        "principalArn": principal,
        "type": self._get_param("type") or "STANDARD",
        "kubernetesGroups": self._get_param("kubernetesGroups") or [],
        "accessEntryArn": f"arn:aws:eks:{self.region}:{self.current_account}"
        f":access-entry/{cluster}/role/{len(entries)}",
        "tags": self._get_param("tags") or {},
        "policies": [],
    }
    return ActionResult({"accessEntry": _public(entries[principal])})


def _public(entry: dict) -> dict:
    return {key: value for key, value in entry.items() if key != "policies"}


def _describe_access_entry(self: EKSResponse) -> ActionResult:
    return ActionResult({"accessEntry": _public(_entry_or_fail(self))})


def _associate_access_policy(self: EKSResponse) -> ActionResult:
    entry = _entry_or_fail(self)
    policy = {
        "policyArn": self._get_param("policyArn"),
        "accessScope": self._get_param("accessScope"),
    }
    entry["policies"] = [
        p for p in entry["policies"] if p["policyArn"] != policy["policyArn"]
    ] + [policy]
    return ActionResult(
        {
            "clusterName": entry["clusterName"],
            "principalArn": entry["principalArn"],
            "associatedAccessPolicy": policy,
        }
    )


def _list_associated_access_policies(self: EKSResponse) -> ActionResult:
    entry = _entry_or_fail(self)
    return ActionResult(
        {
            "clusterName": entry["clusterName"],
            "principalArn": entry["principalArn"],
            "associatedAccessPolicies": entry["policies"],
        }
    )


EKSResponse.create_access_entry = _create_access_entry
EKSResponse.describe_access_entry = _describe_access_entry
EKSResponse.associate_access_policy = _associate_access_policy
EKSResponse.list_associated_access_policies = _list_associated_access_policies
eks_urls.url_paths.update(
    {
        "{0}/clusters/(?P<name>[^/]+)/access-entries$": eks_urls.response.dispatch,
        "{0}/clusters/(?P<name>[^/]+)/access-entries/(?P<principalArn>.+)"
        "/access-policies$": eks_urls.response.dispatch,
        "{0}/clusters/(?P<name>[^/]+)/access-entries/(?P<principalArn>.+)"
        "/access-policies/(?P<policyArn>.+)$": eks_urls.response.dispatch,
        "{0}/clusters/(?P<name>[^/]+)/access-entries/(?P<principalArn>.+)$": (
            eks_urls.response.dispatch
        ),
    }
)


_original_db_from_cloudformation = DBInstance.create_from_cloudformation_json.__func__


def _db_from_cloudformation(cls, resource_name, cloudformation_json, *args, **kwargs):
    database = _original_db_from_cloudformation(
        cls, resource_name, cloudformation_json, *args, **kwargs
    )
    properties = cloudformation_json.get("Properties", {})
    if str(properties.get("ManageMasterUserPassword")).lower() == "true":
        database.update(manage_master_user_password=True)
    return database


DBInstance.create_from_cloudformation_json = classmethod(_db_from_cloudformation)

if __name__ == "__main__":
    port = sys.argv[1] if len(sys.argv) > 1 else "5000"
    moto_main(["-H", "127.0.0.1", "-p", port])
