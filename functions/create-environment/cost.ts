import { costAssumptions, priceTable } from '../shared/prices';
import type { EnvironmentRequest } from '../shared/request';

/** One line of an estimate: what is billed, how much of it, per month. */
export interface CostLine {
  item: string;
  quantity: number;
  unit: string;
  unitPrice: number;
  monthly: number;
}

/** An environment's estimated monthly cost and what it rests on. */
export interface CostEstimate {
  currency: string;
  region: string;
  pricesAsOf: string;
  monthlyTotal: number;
  lines: CostLine[];
  assumptions: typeof costAssumptions;
  note: string;
}

/**
 * An amount in whole cents, rounded half up as on paper (the product of
 * two binary fractions can fall a hair below the half), so the lines add
 * up to the total exactly.
 */
function cents(amount: number): number {
  return Math.round(Number((amount * 100).toFixed(6)));
}

function line(
  item: string,
  quantity: number,
  unit: string,
  unitPrice: number
): CostLine {
  return {
    item,
    quantity,
    unit,
    unitPrice,
    monthly: cents(quantity * unitPrice) / 100,
  };
}

function priceOf(prices: Record<string, number>, key: string): number {
  const price = prices[key];
  if (price === undefined) {
    throw new Error(`the price table has no price for ${key}`);
  }

  return price;
}

/**
 * Estimates what an environment of this request costs a month, on demand,
 * from the price table: the app instances at their desired capacity, the
 * bastion, their volumes, the Multi-AZ database and its storage, the load
 * balancer, the NAT gateways, the interface endpoints and the bucket.
 * Data transfer, CloudWatch and requests are left out.
 */
export function estimateCost(request: EnvironmentRequest): CostEstimate {
  const { sizes } = request;
  const hours = priceTable.hoursPerMonth;
  const a = costAssumptions;
  const ec2 = priceOf(priceTable.ec2Hourly, sizes.instanceType);
  const rds = priceOf(priceTable.rdsMultiAzHourly, sizes.dbInstanceClass);
  const natGateways = request.singleNatGateway ? 1 : 2;

  const lines = [
    line(
      `App instances (${sizes.instanceType})`,
      sizes.desiredCapacity * hours,
      'instance-hour',
      ec2
    ),
    line(`Bastion (${sizes.instanceType})`, hours, 'instance-hour', ec2),
    line(
      'Instance volumes (gp3)',
      sizes.desiredCapacity * a.appVolumeGb + a.bastionVolumeGb,
      'GB-month',
      priceTable.gp3GbMonth
    ),
    line(
      `Database (${sizes.dbInstanceClass} Multi-AZ)`,
      hours,
      'instance-hour',
      rds
    ),
    line(
      'Database storage (gp2 Multi-AZ)',
      sizes.dbAllocatedStorage,
      'GB-month',
      priceTable.rdsGp2MultiAzGbMonth
    ),
    line('Load balancer', hours, 'hour', priceTable.albHourly),
    line(
      'Load balancer capacity',
      a.albLcu * hours,
      'LCU-hour',
      priceTable.albLcuHourly
    ),
    line(
      `NAT gateways (${natGateways})`,
      natGateways * hours,
      'hour',
      priceTable.natGatewayHourly
    ),
    line(
      'Interface endpoints (3 in 2 zones)',
      a.interfaceEndpoints * a.zones * hours,
      'endpoint-hour',
      priceTable.interfaceEndpointHourly
    ),
    line(
      'Media bucket (S3 Standard)',
      a.s3Gb,
      'GB-month',
      priceTable.s3GbMonth
    ),
  ];
  const total = lines.reduce((sum, l) => sum + cents(l.monthly), 0);

  return {
    currency: priceTable.currency,
    region: priceTable.region,
    pricesAsOf: priceTable.asOf,
    monthlyTotal: total / 100,
    lines,
    assumptions: a,
    note:
      'On-demand prices; data transfer, NAT data processing, CloudWatch ' +
      'and S3 requests are not included.',
  };
}
