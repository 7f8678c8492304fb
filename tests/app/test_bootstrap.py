"""The instance bootstrap as the launch template holds it passes shellcheck
once Fn::Sub has filled in the stack's values, and so do the repository's
other shell scripts."""

import re
import subprocess

import pytest
import yaml
from servers import REPO
from tools import require

COMPUTE = REPO / "templates" / "compute.yaml"

# Values of the parameters without a default, as an environment would have
# them, and of the stack's own names and attributes.
REALISTIC = {
    "EnvironmentName": "alpha",
    "AppRepository": "https://github.com/example/haven-app.git",
    "DBEndpointParameterName": "/haven/alpha/database/endpoint",
    "StaticBucketName": "haven-alpha-static-123456789012",
    "DBInstanceIdentifier": "alpha-db",
    "DjangoSecretKeyName": "haven/alpha/django-secret-key-6a1f2b3c",
    "SslRedirect": "false",
    "LoadBalancer.DNSName": "alpha-alb-123456789.us-east-1.elb.amazonaws.com",
}


class CloudFormationLoader(yaml.SafeLoader):
    """Reads the short forms (!Sub, !Ref, ...) as their Fn:: mappings."""


def _function(loader, suffix, node):
    name = "Ref" if suffix == "Ref" else f"Fn::{suffix}"
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)

    return {name: value}


CloudFormationLoader.add_multi_constructor("!", _function)


def rendered_user_data() -> str:
    """The launch template's user data with every placeholder filled in."""
    template = yaml.load(COMPUTE.read_text(), Loader=CloudFormationLoader)  # noqa: S506 - a SafeLoader subclass
    data = template["Resources"]["AppLaunchTemplate"]["Properties"]["LaunchTemplateData"]
    script, _ = data["UserData"]["Fn::Base64"]["Fn::Sub"]
    defaults = {
        name: str(parameter["Default"])
        for name, parameter in template["Parameters"].items()
        if "Default" in parameter
    }
    values = {**defaults, **REALISTIC}

    def fill(match: re.Match) -> str:
        name = match.group(1)
        if name.startswith("!"):
            return "${" + name[1:] + "}"
        assert name in values, f"no value for the placeholder {name}"

        return values[name]

    return re.sub(r"\$\{([^}]+)\}", fill, script)


@pytest.fixture(scope="module")
def shellcheck():
    return require("shellcheck", "Debian package shellcheck; tests/app/install-servers.sh")


def test_rendered_user_data_passes_shellcheck(shellcheck):
    script = rendered_user_data()

    result = subprocess.run(
        [shellcheck, "--shell=bash", "--external-sources", "-"],
        input=script,
        capture_output=True,
        text=True,
    )

    assert result.returncode == 0, result.stdout
    assert 'get_parameter(Name="/haven/alpha/database/endpoint")' in script


def test_shell_scripts_of_the_repository_pass_shellcheck(shellcheck):
    listed = subprocess.run(
        ["git", "ls-files", "*.sh", ".ci/run"], capture_output=True, text=True, cwd=REPO
    )
    # The bootstrap's placeholders are no shell; its rendered form is checked above.
    scripts = [path for path in listed.stdout.split() if path != "app/deploy/bootstrap.sh"]
    if listed.returncode != 0 or not scripts:
        pytest.fail(f"git lists no shell scripts: {listed.stderr}")

    result = subprocess.run([shellcheck, *scripts], capture_output=True, text=True, cwd=REPO)

    assert result.returncode == 0, result.stdout
