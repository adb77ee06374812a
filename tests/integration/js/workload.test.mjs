// Roles for workloads, not access keys (issue 7): a process with no AWS keys at all, only the
// container credential provider's variables, sends and receives as its role through the
// current @aws-sdk/client-sqs default credential chain, and gets exactly the role's rights.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import {
  CreateRoleCommand, DeleteRoleCommand, DeleteRolePolicyCommand, IAMClient, PutRolePolicyCommand,
} from '@aws-sdk/client-iam';

import { JSON_PROTOCOL as P, ENDPOINT, ACCOUNT, REGION, Queues } from './helpers.mjs';

const run = promisify(execFile);
const ROLE = process.env.WHARF_WORKLOAD_ROLE;
const TOKEN = process.env.WHARF_WORKLOAD_TOKEN;
assert.ok(ROLE && TOKEN, 'run through tests/integration/run.sh (it binds the workload token)');

// The worker: a separate Node process whose environment holds no key, no profile, only the
// container credentials endpoint and its token. It prints what it managed to do as JSON.
const WORKER = `
const { SQSClient, SendMessageCommand, ReceiveMessageCommand, DeleteMessageCommand,
        CreateQueueCommand } = require('@aws-sdk/client-sqs');
const { STSClient, GetCallerIdentityCommand } = require('@aws-sdk/client-sts');
(async () => {
  const out = {};
  const sqs = new SQSClient({ endpoint: process.env.WHARF_ENDPOINT, region: '${REGION}' });
  const sts = new STSClient({ endpoint: process.env.WHARF_ENDPOINT, region: '${REGION}' });
  try {
    out.arn = (await sts.send(new GetCallerIdentityCommand({}))).Arn;
    const url = process.env.QUEUE_URL;
    out.sent = (await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'from a role' }))).MessageId;
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 2 }));
    out.body = got.Messages?.[0]?.Body;
    await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: got.Messages[0].ReceiptHandle }));
    try {
      await sqs.send(new CreateQueueCommand({ QueueName: 'workload-may-not' }));
      out.create = 'allowed';
    } catch (e) { out.create = e.name; }
  } catch (e) { out.error = e.name + ': ' + e.message; }
  console.log(JSON.stringify(out));
})();
`;

async function runWorker(env) {
  const { stdout } = await run(process.execPath, ['-e', WORKER], {
    cwd: fileURLToPath(new URL('.', import.meta.url)),
    env: {
      PATH: process.env.PATH,
      WHARF_ENDPOINT: ENDPOINT,
      AWS_REGION: REGION,
      AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials',
      AWS_CONFIG_FILE: '/nonexistent/config',
      AWS_EC2_METADATA_DISABLED: 'true',
      // Over HTTPS the worker trusts the test CA, as a container would be given it.
      ...(process.env.NODE_EXTRA_CA_CERTS ? { NODE_EXTRA_CA_CERTS: process.env.NODE_EXTRA_CA_CERTS } : {}),
      ...env,
    },
    timeout: 60_000,
  });
  return JSON.parse(stdout.trim().split('\n').pop());
}

describe('Workload credentials (container credential provider)', () => {
  const iam = new IAMClient({
    endpoint: ENDPOINT, region: REGION, credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  const queues = new Queues(P);
  let queue;

  before(async () => {
    queue = await queues.create('workload');
    await iam.send(new CreateRoleCommand({
      RoleName: ROLE,
      AssumeRolePolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' }],
      }),
    }));
    await iam.send(new PutRolePolicyCommand({
      RoleName: ROLE,
      PolicyName: 'use-one-queue',
      PolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{
          Effect: 'Allow',
          Action: ['sqs:SendMessage', 'sqs:ReceiveMessage', 'sqs:DeleteMessage'],
          Resource: `arn:aws:sqs:${REGION}:${ACCOUNT}:${queue.name}`,
        }],
      }),
    }));
  });

  after(async () => {
    await iam.send(new DeleteRolePolicyCommand({ RoleName: ROLE, PolicyName: 'use-one-queue' })).catch(() => {});
    await iam.send(new DeleteRoleCommand({ RoleName: ROLE })).catch(() => {});
    await queues.cleanup();
  });

  test('a worker with only the endpoint and its token sends and receives as its role, and no more', async () => {
    const out = await runWorker({
      AWS_CONTAINER_CREDENTIALS_FULL_URI: `${ENDPOINT}/_wharf/credentials`,
      AWS_CONTAINER_AUTHORIZATION_TOKEN: TOKEN,
      QUEUE_URL: queue.url,
    });
    assert.equal(out.error, undefined, `worker failed: ${out.error}`);
    assert.equal(out.arn, `arn:aws:sts::${ACCOUNT}:assumed-role/${ROLE}/wharf-workload`);
    assert.match(out.sent, /^[0-9a-f-]{36}$/);
    assert.equal(out.body, 'from a role');
    assert.equal(out.create, 'AccessDenied', 'the role may not create queues');
  });

  test('a wrong token gets no credentials at all', async () => {
    const out = await runWorker({
      AWS_CONTAINER_CREDENTIALS_FULL_URI: `${ENDPOINT}/_wharf/credentials`,
      AWS_CONTAINER_AUTHORIZATION_TOKEN: `${TOKEN}x`,
      QUEUE_URL: queue.url,
    });
    assert.ok(out.error, 'the worker must fail');
    assert.equal(out.arn, undefined);
    assert.equal(out.sent, undefined);
  });
});
