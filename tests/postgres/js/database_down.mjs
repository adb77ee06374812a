// Run by two_nodes.sh after it stopped the PostgreSQL cluster: a node that cannot reach the
// database answers a lookup it cannot serve from its cache with 503 ServiceUnavailable (SDKs
// retry it), never QueueDoesNotExist (which they do not retry and which would be false).

import assert from 'node:assert/strict';
import { JsonSdk } from '../../integration/js/helpers.mjs';

const endpoint = process.env.WHARF_NODE2;
const client = new JsonSdk.SQSClient({
  endpoint,
  region: 'us-east-1',
  credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  maxAttempts: 1,
});
try {
  await client.send(new JsonSdk.GetQueueUrlCommand({ QueueName: `not-cached-${Date.now()}` }));
  assert.fail('GetQueueUrl succeeded with the database down');
} catch (e) {
  assert.equal(e.name, 'ServiceUnavailable', `${e.name}: ${e.message}`);
  assert.equal(e.$metadata?.httpStatusCode, 503);
  console.log('database down: GetQueueUrl answered 503 ServiceUnavailable');
} finally {
  client.destroy();
}
