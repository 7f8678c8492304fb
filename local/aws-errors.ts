import type { AwsCall } from './aws-call';

/** An answer the fault proxy gives instead of the emulator's. */
export interface FaultResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const requestId = '00000000-0000-4000-8000-00000000fa17';

function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

/**
 * An AWS error in the shape the call's protocol uses, so the SDK parses it
 * as it parses a real one: `error.name` is `code`, and the retry strategy
 * classifies it (throttling, transient or not) by that code and status.
 */
export function errorResponse(
  call: AwsCall,
  status: number,
  code: string,
  message: string
): FaultResponse {
  const text = escapeXml(message);
  switch (call.protocol) {
    case 'query':
      return {
        status,
        headers: { 'content-type': 'text/xml' },
        body:
          '<ErrorResponse><Error>' +
          `<Type>${status >= 500 ? 'Receiver' : 'Sender'}</Type>` +
          `<Code>${code}</Code><Message>${text}</Message></Error>` +
          `<RequestId>${requestId}</RequestId></ErrorResponse>`,
      };
    case 'ec2':
      return {
        status,
        headers: { 'content-type': 'text/xml' },
        body:
          '<Response><Errors><Error>' +
          `<Code>${code}</Code><Message>${text}</Message>` +
          `</Error></Errors><RequestID>${requestId}</RequestID></Response>`,
      };
    case 'rest-xml':
      return {
        status,
        headers: { 'content-type': 'application/xml' },
        body:
          `<Error><Code>${code}</Code><Message>${text}</Message>` +
          `<RequestId>${requestId}</RequestId></Error>`,
      };
    case 'json':
    case 'rest-json':
      return {
        status,
        headers: {
          'content-type': 'application/x-amz-json-1.0',
          'x-amzn-errortype': code,
          'x-amzn-requestid': requestId,
        },
        body: JSON.stringify({ __type: code, message }),
      };
  }
}

/** The code each protocol's services use when they throttle a caller. */
export function throttlingCode(call: AwsCall): string {
  if (call.protocol === 'rest-xml') return 'SlowDown';
  if (call.protocol === 'ec2') return 'RequestLimitExceeded';
  if (call.protocol === 'query') return 'Throttling';

  return 'ThrottlingException';
}

/** The answer of a service that throttles the call. */
export function throttlingResponse(call: AwsCall): FaultResponse {
  const status = call.protocol === 'rest-xml' ? 503 : 400;

  return errorResponse(call, status, throttlingCode(call), 'Rate exceeded');
}
