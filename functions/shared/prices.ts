/**
 * The prices haven estimates an environment's monthly cost from: AWS's
 * public on-demand prices for us-east-1 (N. Virginia), Linux, no free tier,
 * no savings plan, as the services' pricing pages below listed them in
 * mid-2025 (`asOf`). haven never fetches prices, and AWS changes them:
 * re-check the pages and change `asOf` together with the numbers.
 *
 * Sources: aws.amazon.com/ec2/pricing/on-demand/, /ebs/pricing/,
 * /rds/postgresql/pricing/, /elasticloadbalancing/pricing/,
 * /vpc/pricing/ (NAT gateway), /privatelink/pricing/, /s3/pricing/.
 */
export const priceTable = {
  region: 'us-east-1',
  currency: 'USD',
  asOf: '2025-06-01',
  /** AWS bills a month as 730 hours. */
  hoursPerMonth: 730,
  /** EC2 on-demand, Linux, per instance-hour. */
  ec2Hourly: {
    't2.nano': 0.0058,
    't2.micro': 0.0116,
    't2.small': 0.023,
    't2.medium': 0.0464,
    't2.large': 0.0928,
    't3.nano': 0.0052,
    't3.micro': 0.0104,
    't3.small': 0.0208,
    't3.medium': 0.0416,
    't3.large': 0.0832,
  } as Record<string, number>,
  /** EBS gp3 per GB-month, the app and bastion volumes' type. */
  gp3GbMonth: 0.08,
  /** RDS for PostgreSQL on-demand, Multi-AZ deployment, per hour. */
  rdsMultiAzHourly: {
    'db.t3.micro': 0.036,
    'db.t3.small': 0.072,
    'db.t3.medium': 0.144,
    'db.t3.large': 0.29,
  } as Record<string, number>,
  /** RDS General Purpose (gp2) storage, Multi-AZ, per GB-month. */
  rdsGp2MultiAzGbMonth: 0.23,
  /** Application Load Balancer, per hour and per LCU-hour. */
  albHourly: 0.0225,
  albLcuHourly: 0.008,
  /** NAT gateway, per hour (data processed is not estimated). */
  natGatewayHourly: 0.045,
  /** Interface VPC endpoint, per endpoint and zone, per hour. */
  interfaceEndpointHourly: 0.01,
  /** S3 Standard, first 50 TB, per GB-month. */
  s3GbMonth: 0.023,
} as const;

/**
 * What the estimate assumes where the request says nothing: traffic and
 * stored data are the team's, so a small site's figures are used.
 */
export const costAssumptions = {
  /** Load balancer capacity units used on average. */
  albLcu: 1,
  /** Gigabytes kept in the media bucket. */
  s3Gb: 10,
  /** Root volume of each app instance and of the bastion (compute.yaml). */
  appVolumeGb: 20,
  bastionVolumeGb: 8,
  /** ssm, ssmmessages and ec2messages, each in both zones. */
  interfaceEndpoints: 3,
  zones: 2,
} as const;
