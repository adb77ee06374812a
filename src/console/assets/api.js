// The console's only way to the server: ordinary API calls to this origin, each signed with
// SigV4 as the user who logged in, so the server authorises every one of them as it would the
// same call from an SDK (docs/console.md).

import { signPost } from './sigv4.js';

export class ApiError extends Error {
  constructor(code, message, status) {
    super(message || code);
    this.code = code;
    this.status = status;
  }
}

// The error code of an AWS JSON 1.0 error: "com.amazonaws.sqs#QueueDoesNotExist" -> the name.
function jsonErrorCode(type) {
  if (!type) return 'UnknownError';
  const hash = type.lastIndexOf('#');
  return hash >= 0 ? type.slice(hash + 1) : type;
}

export class Api {
  // credentials: { accessKeyId, secretAccessKey, sessionToken? }
  constructor(credentials, region) {
    this.credentials = credentials;
    this.region = region || 'us-east-1';
  }

  async post(headers, body, service) {
    const signed = signPost({
      host: location.host,
      headers,
      body,
      credentials: this.credentials,
      region: this.region,
      service,
    });
    const response = await fetch('/', {
      method: 'POST',
      headers: signed,
      body,
      credentials: 'omit',
      cache: 'no-store',
    });
    return { response, text: await response.text() };
  }

  async json(target, params) {
    const body = JSON.stringify(params || {});
    const { response, text } = await this.post(
      { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': target },
      body,
      'sqs',
    );
    let parsed = {};
    try {
      parsed = text ? JSON.parse(text) : {};
    } catch {
      throw new ApiError('InvalidResponse', `The server answered ${response.status}.`, response.status);
    }
    if (!response.ok) {
      throw new ApiError(jsonErrorCode(parsed.__type), parsed.message || parsed.Message, response.status);
    }
    return parsed;
  }

  // An SQS action (AWS JSON 1.0): X-Amz-Target: AmazonSQS.<action>.
  sqs(action, params) {
    return this.json(`AmazonSQS.${action}`, params);
  }

  // One of Wharf's own actions (PeekMessages, GetQueueStats): X-Amz-Target: Wharf.<action>.
  wharf(action, params) {
    return this.json(`Wharf.${action}`, params);
  }

  // sts:GetCallerIdentity (AWS Query): who these credentials are. Needs no permission, only a
  // valid signature, so it is how the login checks the keys.
  async callerIdentity() {
    const { response, text } = await this.post(
      { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
      'Action=GetCallerIdentity&Version=2011-06-15',
      'sts',
    );
    const xml = new DOMParser().parseFromString(text, 'application/xml');
    const pick = (name) => xml.getElementsByTagName(name)[0]?.textContent ?? '';
    if (!response.ok) {
      throw new ApiError(pick('Code') || 'AccessDenied', pick('Message'), response.status);
    }
    return { arn: pick('Arn'), account: pick('Account'), userId: pick('UserId') };
  }
}
