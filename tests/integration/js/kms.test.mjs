// KMS with the AWS SDK for JavaScript v3 (@aws-sdk/client-kms: AWS JSON 1.1) against Wharf
// (security.md §4.4–4.6): keys and aliases, the cryptographic operations, key states, key
// policies with IAM users, and KMS's own error shapes (HTTP 400, exact messages).

import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, test } from 'node:test';

import {
  CreateAccessKeyCommand,
  CreateUserCommand,
  DeleteAccessKeyCommand,
  DeleteUserCommand,
  DeleteUserPolicyCommand,
  IAMClient,
  PutUserPolicyCommand,
} from '@aws-sdk/client-iam';
import {
  CancelKeyDeletionCommand,
  CreateAliasCommand,
  CreateKeyCommand,
  DecryptCommand,
  DeleteAliasCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  EnableKeyCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  GenerateDataKeyWithoutPlaintextCommand,
  GetKeyPolicyCommand,
  GetKeyRotationStatusCommand,
  EnableKeyRotationCommand,
  KMSClient,
  ListAliasesCommand,
  ListKeysCommand,
  ListResourceTagsCommand,
  PutKeyPolicyCommand,
  ReEncryptCommand,
  RotateKeyOnDemandCommand,
  ScheduleKeyDeletionCommand,
  TagResourceCommand,
  UpdateAliasCommand,
} from '@aws-sdk/client-kms';

const ENDPOINT = process.env.WHARF_ENDPOINT;
if (!ENDPOINT) throw new Error('WHARF_ENDPOINT is not set (run through tests/integration/run.sh)');
const ACCOUNT = '000000000000';
const REGION = 'us-east-1';
const ROOT = { accessKeyId: 'test', secretAccessKey: 'test' };

const kms = (credentials = ROOT) =>
  new KMSClient({ endpoint: ENDPOINT, region: REGION, credentials, maxAttempts: 1 });
const iam = () => new IAMClient({ endpoint: ENDPOINT, region: REGION, credentials: ROOT, maxAttempts: 1 });

const suffix = crypto.randomBytes(5).toString('hex');
const alias = `alias/js-kms-${suffix}`;
const userName = `js-kms-user-${suffix}`;
const bytes = (text) => new TextEncoder().encode(text);
const text = (array) => new TextDecoder().decode(array);

// A KMS error as a user's code sees it: class name, HTTP status and, where given, the message.
async function rejectsWith(promise, name, message) {
  await assert.rejects(promise, (err) => {
    assert.equal(err.name, name, `${err.name}: ${err.message}`);
    assert.equal(err.$metadata.httpStatusCode, 400, 'KMS answers client errors with 400');
    if (message instanceof RegExp) assert.match(err.message, message);
    // An empty message (InvalidCiphertextException, §4.6) reaches users as the SDK's placeholder.
    else if (message === '') assert.equal(err.message, 'UnknownError');
    else if (message !== undefined) assert.equal(err.message, message);
    return true;
  });
}

describe('KMS with the JS SDK v3', () => {
  let keyId;
  let keyArn;
  let userKey;

  before(async () => {
    const created = await kms().send(
      new CreateKeyCommand({ Description: 'js integration', Tags: [{ TagKey: 'suite', TagValue: 'js' }] }),
    );
    keyId = created.KeyMetadata.KeyId;
    keyArn = created.KeyMetadata.Arn;
    await kms().send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: keyId }));
    await iam().send(new CreateUserCommand({ UserName: userName }));
    const key = await iam().send(new CreateAccessKeyCommand({ UserName: userName }));
    userKey = { accessKeyId: key.AccessKey.AccessKeyId, secretAccessKey: key.AccessKey.SecretAccessKey };
  });

  after(async () => {
    const quiet = (p) => p.catch(() => {});
    await quiet(kms().send(new DeleteAliasCommand({ AliasName: alias })));
    await quiet(kms().send(new ScheduleKeyDeletionCommand({ KeyId: keyId, PendingWindowInDays: 7 })));
    await quiet(iam().send(new DeleteUserPolicyCommand({ UserName: userName, PolicyName: 'kms' })));
    await quiet(iam().send(new DeleteAccessKeyCommand({ UserName: userName, AccessKeyId: userKey?.accessKeyId })));
    await quiet(iam().send(new DeleteUserCommand({ UserName: userName })));
  });

  test('CreateKey and DescribeKey by id, ARN, alias name and alias ARN', async () => {
    assert.match(keyId, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(keyArn, `arn:aws:kms:${REGION}:${ACCOUNT}:key/${keyId}`);
    for (const ref of [keyId, keyArn, alias, `arn:aws:kms:${REGION}:${ACCOUNT}:${alias}`]) {
      const { KeyMetadata: m } = await kms().send(new DescribeKeyCommand({ KeyId: ref }));
      assert.equal(m.KeyId, keyId, ref);
      assert.equal(m.Arn, keyArn);
      assert.equal(m.AWSAccountId, ACCOUNT);
      assert.equal(m.KeyState, 'Enabled');
      assert.equal(m.Enabled, true);
      assert.equal(m.KeyManager, 'CUSTOMER');
      assert.equal(m.KeySpec, 'SYMMETRIC_DEFAULT');
      assert.equal(m.KeyUsage, 'ENCRYPT_DECRYPT');
      assert.deepEqual(m.EncryptionAlgorithms, ['SYMMETRIC_DEFAULT']);
      assert.equal(m.Description, 'js integration');
      assert.ok(m.CreationDate instanceof Date);
      assert.ok(Math.abs(m.CreationDate.getTime() - Date.now()) < 120_000);
    }
    const tags = await kms().send(new ListResourceTagsCommand({ KeyId: keyId }));
    assert.deepEqual(tags.Tags, [{ TagKey: 'suite', TagValue: 'js' }]);
    await kms().send(new TagResourceCommand({ KeyId: keyId, Tags: [{ TagKey: 'b', TagValue: '2' }] }));
    const more = await kms().send(new ListResourceTagsCommand({ KeyId: keyId }));
    assert.deepEqual(more.Tags.map((t) => t.TagKey), ['b', 'suite']);
  });

  test('ListKeys pages with Limit and Marker; ListAliases shows the alias', async () => {
    for (let i = 0; i < 2; i++) await kms().send(new CreateKeyCommand({ Description: `page ${i}` }));
    const seen = [];
    let marker;
    let pages = 0;
    do {
      const page = await kms().send(new ListKeysCommand({ Limit: 1, Marker: marker }));
      assert.ok(page.Keys.length <= 1);
      for (const k of page.Keys) {
        assert.equal(k.KeyArn, `arn:aws:kms:${REGION}:${ACCOUNT}:key/${k.KeyId}`);
        seen.push(k.KeyId);
      }
      assert.equal(page.Truncated, page.NextMarker !== undefined);
      marker = page.NextMarker;
      pages++;
    } while (marker);
    assert.ok(pages >= 3, `${pages} pages`);
    assert.ok(seen.includes(keyId));
    assert.equal(new Set(seen).size, seen.length, 'no key twice');
    const aliases = await kms().send(new ListAliasesCommand({ KeyId: keyId }));
    assert.equal(aliases.Aliases.length, 1);
    assert.equal(aliases.Aliases[0].AliasName, alias);
    assert.equal(aliases.Aliases[0].AliasArn, `arn:aws:kms:${REGION}:${ACCOUNT}:${alias}`);
    assert.equal(aliases.Aliases[0].TargetKeyId, keyId);
  });

  test('Encrypt and Decrypt round trip with an encryption context; a wrong context fails', async () => {
    const context = { purpose: 'integration', order: '42' };
    const encrypted = await kms().send(
      new EncryptCommand({ KeyId: alias, Plaintext: bytes('attack at dawn'), EncryptionContext: context }),
    );
    assert.equal(encrypted.KeyId, keyArn, 'KeyId is the key ARN even when called with an alias');
    assert.equal(encrypted.EncryptionAlgorithm, 'SYMMETRIC_DEFAULT');
    assert.equal(encrypted.CiphertextBlob.length, 49 + 14);
    const decrypted = await kms().send(
      new DecryptCommand({ CiphertextBlob: encrypted.CiphertextBlob, EncryptionContext: context }),
    );
    assert.equal(text(decrypted.Plaintext), 'attack at dawn');
    assert.equal(decrypted.KeyId, keyArn);
    await rejectsWith(
      kms().send(new DecryptCommand({ CiphertextBlob: encrypted.CiphertextBlob, EncryptionContext: { purpose: 'other' } })),
      'InvalidCiphertextException',
      '',
    );
    const tampered = Uint8Array.from(encrypted.CiphertextBlob);
    tampered[tampered.length - 1] ^= 1;
    await rejectsWith(
      kms().send(new DecryptCommand({ CiphertextBlob: tampered, EncryptionContext: context })),
      'InvalidCiphertextException',
    );
    const other = await kms().send(new CreateKeyCommand({}));
    await rejectsWith(
      kms().send(
        new DecryptCommand({ CiphertextBlob: encrypted.CiphertextBlob, EncryptionContext: context, KeyId: other.KeyMetadata.KeyId }),
      ),
      'IncorrectKeyException',
      'The key ID in the request does not identify a CMK that can perform this operation.',
    );
    const moved = await kms().send(
      new ReEncryptCommand({
        CiphertextBlob: encrypted.CiphertextBlob,
        SourceEncryptionContext: context,
        DestinationKeyId: other.KeyMetadata.KeyId,
      }),
    );
    assert.equal(moved.SourceKeyId, keyArn);
    assert.equal(moved.KeyId, other.KeyMetadata.Arn);
    const reopened = await kms().send(new DecryptCommand({ CiphertextBlob: moved.CiphertextBlob }));
    assert.equal(text(reopened.Plaintext), 'attack at dawn');
  });

  test('GenerateDataKey: a 32-byte key whose blob decrypts to it', async () => {
    const context = { 'aws:sqs:arn': `arn:aws:sqs:${REGION}:${ACCOUNT}:orders` };
    const dk = await kms().send(new GenerateDataKeyCommand({ KeyId: alias, KeySpec: 'AES_256', EncryptionContext: context }));
    assert.equal(dk.Plaintext.length, 32);
    assert.equal(dk.KeyId, keyArn);
    const back = await kms().send(new DecryptCommand({ CiphertextBlob: dk.CiphertextBlob, EncryptionContext: context }));
    assert.deepEqual(Buffer.from(back.Plaintext), Buffer.from(dk.Plaintext));
    const bare = await kms().send(new GenerateDataKeyWithoutPlaintextCommand({ KeyId: keyId, NumberOfBytes: 64 }));
    assert.equal(bare.Plaintext, undefined);
    const opened = await kms().send(new DecryptCommand({ CiphertextBlob: bare.CiphertextBlob }));
    assert.equal(opened.Plaintext.length, 64);
  });

  test('bad inputs get KMS errors with AWS wording', async () => {
    await rejectsWith(
      kms().send(new CreateAliasCommand({ AliasName: `js-no-prefix-${suffix}`, TargetKeyId: keyId })),
      'ValidationException',
      /^Alias must start with the prefix "alias\/"\./,
    );
    await rejectsWith(
      kms().send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: keyId })),
      'AlreadyExistsException',
      `An alias with the name arn:aws:kms:${REGION}:${ACCOUNT}:${alias} already exists`,
    );
    await rejectsWith(
      kms().send(new DescribeKeyCommand({ KeyId: '11111111-2222-3333-4444-555555555555' })),
      'NotFoundException',
      `Key 'arn:aws:kms:${REGION}:${ACCOUNT}:key/11111111-2222-3333-4444-555555555555' does not exist`,
    );
    await rejectsWith(
      kms().send(new EncryptCommand({ KeyId: `alias/missing-${suffix}`, Plaintext: bytes('x') })),
      'NotFoundException',
      `Alias arn:aws:kms:${REGION}:${ACCOUNT}:alias/missing-${suffix} is not found.`,
    );
    await rejectsWith(
      kms().send(new GenerateDataKeyCommand({ KeyId: keyId, NumberOfBytes: 0 })),
      'ValidationException',
      "1 validation error detected: Value '0' at 'numberOfBytes' failed to satisfy constraint: Member must have value greater than or equal to 1",
    );
    await rejectsWith(
      kms().send(new GenerateDataKeyCommand({ KeyId: keyId, NumberOfBytes: 1025 })),
      'ValidationException',
      "1 validation error detected: Value '1025' at 'numberOfBytes' failed to satisfy constraint: Member must have value less than or equal to 1024",
    );
    await rejectsWith(kms().send(new GenerateDataKeyCommand({ KeyId: keyId })), 'ValidationException', 'NumberOfBytes is required.');
    await rejectsWith(
      kms().send(new ScheduleKeyDeletionCommand({ KeyId: keyId, PendingWindowInDays: 6 })),
      'ValidationException',
      /Member must have value greater than or equal to 7$/,
    );
    await rejectsWith(kms().send(new PutKeyPolicyCommand({ KeyId: keyId, Policy: '{', PolicyName: 'default' })), 'MalformedPolicyDocumentException');
  });

  test('DisableKey → DisabledException; EnableKey; ScheduleKeyDeletion and CancelKeyDeletion', async () => {
    const { KeyMetadata: k } = await kms().send(new CreateKeyCommand({ Description: 'states' }));
    const blob = (await kms().send(new EncryptCommand({ KeyId: k.KeyId, Plaintext: bytes('state') }))).CiphertextBlob;
    await kms().send(new DisableKeyCommand({ KeyId: k.KeyId }));
    await rejectsWith(kms().send(new EncryptCommand({ KeyId: k.KeyId, Plaintext: bytes('x') })), 'DisabledException', `${k.Arn} is disabled.`);
    await rejectsWith(kms().send(new DecryptCommand({ CiphertextBlob: blob })), 'DisabledException');
    await kms().send(new EnableKeyCommand({ KeyId: k.KeyId }));
    assert.equal(text((await kms().send(new DecryptCommand({ CiphertextBlob: blob }))).Plaintext), 'state');

    const scheduled = await kms().send(new ScheduleKeyDeletionCommand({ KeyId: k.KeyId, PendingWindowInDays: 7 }));
    assert.equal(scheduled.KeyId, k.Arn);
    assert.equal(scheduled.KeyState, 'PendingDeletion');
    assert.equal(scheduled.PendingWindowInDays, 7);
    const days = (scheduled.DeletionDate.getTime() - Date.now()) / 86_400_000;
    assert.ok(days > 6.9 && days < 7.1, `${days} days`);
    await rejectsWith(
      kms().send(new EncryptCommand({ KeyId: k.KeyId, Plaintext: bytes('x') })),
      'KMSInvalidStateException',
      `${k.Arn} is pending deletion.`,
    );
    await rejectsWith(kms().send(new EnableKeyCommand({ KeyId: k.KeyId })), 'KMSInvalidStateException');
    const cancelled = await kms().send(new CancelKeyDeletionCommand({ KeyId: k.KeyId }));
    assert.equal(cancelled.KeyId, k.Arn);
    const { KeyMetadata: after } = await kms().send(new DescribeKeyCommand({ KeyId: k.KeyId }));
    assert.equal(after.KeyState, 'Disabled', 'CancelKeyDeletion leaves the key Disabled');
    assert.equal(after.DeletionDate, undefined);
  });

  test('rotation: a new material version, and old ciphertexts still decrypt', async () => {
    const old = await kms().send(new EncryptCommand({ KeyId: keyId, Plaintext: bytes('before rotation') }));
    await kms().send(new EnableKeyRotationCommand({ KeyId: keyId }));
    const status = await kms().send(new GetKeyRotationStatusCommand({ KeyId: keyId }));
    assert.equal(status.KeyRotationEnabled, true);
    assert.equal(status.RotationPeriodInDays, 365);
    const before = (await kms().send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata.CurrentKeyMaterialId;
    await kms().send(new RotateKeyOnDemandCommand({ KeyId: keyId }));
    const after = (await kms().send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata.CurrentKeyMaterialId;
    assert.notEqual(after, before);
    const fresh = await kms().send(new EncryptCommand({ KeyId: keyId, Plaintext: bytes('after rotation') }));
    assert.notDeepEqual(Buffer.from(fresh.CiphertextBlob.subarray(17, 21)), Buffer.from(old.CiphertextBlob.subarray(17, 21)));
    assert.equal(text((await kms().send(new DecryptCommand({ CiphertextBlob: old.CiphertextBlob }))).Plaintext), 'before rotation');
    assert.equal(text((await kms().send(new DecryptCommand({ CiphertextBlob: fresh.CiphertextBlob }))).Plaintext), 'after rotation');
  });

  test('an IAM user needs an identity policy on a key whose policy delegates to the account', async () => {
    const user = kms(userKey);
    await rejectsWith(
      user.send(new EncryptCommand({ KeyId: keyId, Plaintext: bytes('x') })),
      'AccessDeniedException',
      `User: arn:aws:iam::${ACCOUNT}:user/${userName} is not authorized to perform: kms:Encrypt on resource: ${keyArn} because no identity-based policy allows the kms:Encrypt action`,
    );
    await rejectsWith(user.send(new ListKeysCommand({})), 'AccessDeniedException');
    await iam().send(
      new PutUserPolicyCommand({
        UserName: userName,
        PolicyName: 'kms',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:DescribeKey'], Resource: keyArn }],
        }),
      }),
    );
    const encrypted = await user.send(new EncryptCommand({ KeyId: alias, Plaintext: bytes('for the user') }));
    assert.equal(text((await user.send(new DecryptCommand({ CiphertextBlob: encrypted.CiphertextBlob }))).Plaintext), 'for the user');
    await rejectsWith(user.send(new DisableKeyCommand({ KeyId: keyId })), 'AccessDeniedException');
  });

  test('a key policy without the account root shuts out even the root; the lockout check guards it', async () => {
    const onlyUser = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/${userName}` }, Action: 'kms:*', Resource: '*' }],
    });
    await rejectsWith(kms().send(new CreateKeyCommand({ Policy: onlyUser })), 'MalformedPolicyDocumentException');
    const { KeyMetadata: k } = await kms().send(new CreateKeyCommand({ Policy: onlyUser, BypassPolicyLockoutSafetyCheck: true }));
    await rejectsWith(
      kms().send(new EncryptCommand({ KeyId: k.KeyId, Plaintext: bytes('x') })),
      'AccessDeniedException',
      /because no resource-based policy allows the kms:Encrypt action$/,
    );
    // The user the policy names may use it without any identity policy for this key.
    const encrypted = await kms(userKey).send(new EncryptCommand({ KeyId: k.Arn, Plaintext: bytes('named') }));
    assert.equal(encrypted.KeyId, k.Arn);
    const policy = await kms(userKey).send(new GetKeyPolicyCommand({ KeyId: k.KeyId, PolicyName: 'default' }));
    assert.equal(policy.Policy, onlyUser);
  });

  test('alias/aws/sqs: created by DescribeKey, managed by AWS, usable only through SQS', async () => {
    const { KeyMetadata: m } = await kms().send(new DescribeKeyCommand({ KeyId: 'alias/aws/sqs' }));
    assert.equal(m.KeyManager, 'AWS');
    const again = await kms().send(new DescribeKeyCommand({ KeyId: 'alias/aws/sqs' }));
    assert.equal(again.KeyMetadata.KeyId, m.KeyId, 'one per account');
    await rejectsWith(kms().send(new EncryptCommand({ KeyId: 'alias/aws/sqs', Plaintext: bytes('x') })), 'AccessDeniedException');
    await rejectsWith(kms().send(new DisableKeyCommand({ KeyId: m.KeyId })), 'AccessDeniedException');
    await rejectsWith(kms().send(new ScheduleKeyDeletionCommand({ KeyId: m.KeyId })), 'AccessDeniedException');
    await rejectsWith(
      kms().send(new UpdateAliasCommand({ AliasName: 'alias/aws/sqs', TargetKeyId: keyId })),
      'InvalidAliasNameException',
    );
    const policy = JSON.parse((await kms().send(new GetKeyPolicyCommand({ KeyId: m.KeyId, PolicyName: 'default' }))).Policy);
    assert.equal(policy.Statement[0].Condition.StringEquals['kms:ViaService'], `sqs.${REGION}.amazonaws.com`);
    assert.equal(policy.Statement[0].Condition.StringEquals['kms:CallerAccount'], ACCOUNT);
  });
});
