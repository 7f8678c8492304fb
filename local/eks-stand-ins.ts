import {
  chmodSync,
  mkdirSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import {
  CreateSecurityGroupCommand,
  CreateVpcCommand,
  DescribeSecurityGroupsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import {
  CreateClusterCommand,
  DescribeClusterCommand,
  EKSClient,
} from '@aws-sdk/client-eks';
import { repoRoot } from './emulator';
import { binDir, helmPath } from './helm-binaries';

/**
 * What an EKS request runs against locally. The emulator keeps EKS
 * clusters as records with no Kubernetes API behind them, so helm and
 * kubectl are stand-ins here: the helm one renders each release with the
 * real helm (`helm template`, same chart, namespace and values) into
 * .haven/rendered and installs nothing; the kubectl one applies nothing.
 */

/** Where the stand-in helm writes each release's manifests. */
export const renderedDir = join(repoRoot, '.haven', 'rendered');

// `upgrade --install RELEASE CHART ... --values FILE`: rendered, not
// installed. The answer has the shape of `helm upgrade --output json`.
const helmSource = `#!/usr/bin/env node
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const argv = process.argv.slice(2);
const after = (flag) => {
  const i = argv.indexOf(flag);
  return i < 0 ? undefined : argv[i + 1];
};
switch (argv[0]) {
  case 'status':
    process.stderr.write('Error: release: not found\\n');
    process.exit(1);
    break;
  case 'upgrade': {
    const [, release, chart] = argv;
    const args = ['template', release, chart, '--namespace', after('--namespace')];
    if (after('--values')) args.push('--values', after('--values'));
    const run = spawnSync(process.env.HAVEN_REAL_HELM, args, { encoding: 'utf8' });
    if (run.status !== 0) {
      process.stderr.write(run.stderr || String(run.error));
      process.exit(run.status || 1);
    }
    const dir = process.env.HAVEN_RENDERED_DIR;
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, release + '.yaml'), run.stdout, { mode: 0o600 });
    process.stdout.write(JSON.stringify({
      name: release,
      version: 1,
      info: { status: 'rendered', description: 'rendered locally, not installed' },
    }));
    break;
  }
  case 'uninstall':
    process.stdout.write('release "' + argv[1] + '" uninstalled (nothing was installed)\\n');
    break;
  default:
    process.stderr.write('helm stand-in: ' + argv[0] + ' is not emulated\\n');
    process.exit(1);
}
`;

// stdin carries the database Secret: read to the end and dropped, never
// written anywhere. The app's Service is reported as ClusterIP, so the
// handler returns a port-forward hint and claims no load balancer address.
const kubectlSource = `#!/usr/bin/env node
const fs = require('node:fs');
const argv = process.argv.slice(2);
fs.readFileSync(0);
switch (argv[0]) {
  case 'apply':
  case 'delete':
    break;
  case 'get':
    process.stdout.write(JSON.stringify({
      spec: { type: 'ClusterIP', ports: [{ port: 8000 }] },
    }));
    break;
  default:
    process.stderr.write('kubectl stand-in: ' + argv[0] + ' is not emulated\\n');
    process.exit(1);
}
`;

/**
 * Writes the stand-ins into .haven/bin and returns the variables that
 * point the Helm function at them (and them at the real helm). What an
 * earlier run rendered is removed first.
 */
export function eksStandIns(): Record<string, string> {
  mkdirSync(binDir, { recursive: true });
  rmSync(renderedDir, { recursive: true, force: true });
  const helm = join(binDir, 'helm-stand-in');
  const kubectl = join(binDir, 'kubectl-stand-in');
  writeFileSync(helm, helmSource);
  writeFileSync(kubectl, kubectlSource);
  chmodSync(helm, 0o755);
  chmodSync(kubectl, 0o755);

  return {
    HELM_PATH: helm,
    KUBECTL_PATH: kubectl,
    HAVEN_REAL_HELM: helmPath(),
    HAVEN_RENDERED_DIR: renderedDir,
  };
}

/** The files the stand-in helm rendered, by name. */
export function renderedFiles(): string[] {
  try {
    return readdirSync(renderedDir).filter((f) => f.endsWith('.yaml'));
  } catch {
    return [];
  }
}

/** A named cluster as the local run made it ready. */
export interface LocalCluster {
  name: string;
  created: boolean;
  nodeSecurityGroupId: string;
  /** The request's group id, when the emulator had no such group. */
  replacedGroupId?: string;
}

async function ensureCluster(name: string): Promise<boolean> {
  const eks = new EKSClient({});
  try {
    await eks.send(new DescribeClusterCommand({ name }));

    return false;
  } catch (error) {
    if ((error as Error).name !== 'ResourceNotFoundException') throw error;
  }
  await eks.send(
    new CreateClusterCommand({
      name,
      version: '1.35',
      roleArn: `arn:aws:iam::123456789012:role/${name}-cluster`,
      resourcesVpcConfig: { subnetIds: [] },
    })
  );

  return true;
}

async function groupExists(ec2: EC2Client, groupId: string) {
  try {
    const { SecurityGroups = [] } = await ec2.send(
      new DescribeSecurityGroupsCommand({ GroupIds: [groupId] })
    );

    return SecurityGroups.length > 0;
  } catch (error) {
    if ((error as Error).name === 'InvalidGroup.NotFound') return false;
    throw error;
  }
}

// A security group id cannot be chosen on the emulator (nor in AWS), so a
// missing one is replaced by a group made in a VPC of its own.
async function ensureNodeGroup(clusterName: string, groupId: string) {
  const ec2 = new EC2Client({});
  if (await groupExists(ec2, groupId)) return groupId;
  const { Vpc } = await ec2.send(
    new CreateVpcCommand({ CidrBlock: '172.31.0.0/16' })
  );
  const { GroupId = '' } = await ec2.send(
    new CreateSecurityGroupCommand({
      GroupName: `${clusterName}-cluster-nodes`,
      Description: `nodes of the ${clusterName} cluster (local stand-in)`,
      VpcId: Vpc?.VpcId,
    })
  );

  return GroupId;
}

/**
 * Makes the cluster a request names exist on the emulator: the cluster
 * through the EKS API (Kubernetes 1.35) and its node security group.
 */
export async function prepareNamedCluster(cluster: {
  name: string;
  nodeSecurityGroupId: string;
}): Promise<LocalCluster> {
  const created = await ensureCluster(cluster.name);
  const groupId = await ensureNodeGroup(
    cluster.name,
    cluster.nodeSecurityGroupId
  );

  return {
    name: cluster.name,
    created,
    nodeSecurityGroupId: groupId,
    ...(groupId !== cluster.nodeSecurityGroupId && {
      replacedGroupId: cluster.nodeSecurityGroupId,
    }),
  };
}
