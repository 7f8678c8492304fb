import type { IncomingHttpHeaders } from 'node:http';

/** How an AWS service encodes its requests and, above all, its errors. */
export type AwsProtocol = 'query' | 'ec2' | 'json' | 'rest-xml' | 'rest-json';

/** One AWS API call as it crosses the fault proxy. */
export interface AwsCall {
  /** The signing name: cloudformation, rds, elasticloadbalancing, s3 ... */
  service: string;
  /** DescribeStacks, PutItem ...; for REST services the HTTP method. */
  operation: string;
  protocol: AwsProtocol;
  /** Form parameters of a query call, top-level fields of a JSON call. */
  params: Record<string, string>;
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

// Credential=AKID/20260101/us-east-1/cloudformation/aws4_request
const credentialScope = /Credential=[^/]+\/\d{8}\/[^/]+\/([^/]+)\/aws4_request/;

function header(headers: IncomingHttpHeaders, name: string): string {
  const value = headers[name];

  return (Array.isArray(value) ? value[0] : value) ?? '';
}

function serviceOf(headers: IncomingHttpHeaders): string {
  const scope = header(headers, 'authorization').match(credentialScope);

  return scope?.[1] ?? 'unknown';
}

function formParams(body: string): Record<string, string> {
  return Object.fromEntries(new URLSearchParams(body).entries());
}

function jsonParams(body: string): Record<string, string> {
  try {
    const parsed = JSON.parse(body || '{}') as Record<string, unknown>;

    return Object.fromEntries(
      Object.entries(parsed).map(([key, value]) => [
        key,
        typeof value === 'string' ? value : JSON.stringify(value),
      ])
    );
  } catch {
    return {};
  }
}

/**
 * Names the service and operation of a request from what every SDK sends:
 * the service in the signature's credential scope, the operation in the
 * X-Amz-Target header (JSON protocols) or the Action form field (query
 * protocols). REST services name the operation by method and path only.
 */
export function identifyCall(
  method: string,
  path: string,
  headers: IncomingHttpHeaders,
  body: string
): AwsCall {
  const service = serviceOf(headers);
  const base = { service, method, path, headers, body };
  const target = header(headers, 'x-amz-target');
  if (target) {
    const operation = target.slice(target.lastIndexOf('.') + 1);

    return { ...base, operation, protocol: 'json', params: jsonParams(body) };
  }

  const contentType = header(headers, 'content-type');
  const form = contentType.startsWith('application/x-www-form-urlencoded')
    ? formParams(body)
    : {};
  if (form.Action) {
    const protocol = service === 'ec2' ? 'ec2' : 'query';

    return { ...base, operation: form.Action, protocol, params: form };
  }

  return {
    ...base,
    operation: method,
    protocol: service === 's3' ? 'rest-xml' : 'rest-json',
    params: service === 's3' ? {} : jsonParams(body),
  };
}
