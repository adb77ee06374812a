// IAM and STS with the AWS SDK for JavaScript v3 (@aws-sdk/client-iam, @aws-sdk/client-sts:
// AWS Query protocol, XML responses) against Wharf (security.md §3).

import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, test } from 'node:test';

import {
  AddUserToGroupCommand,
  AttachUserPolicyCommand,
  CreateAccessKeyCommand,
  CreateGroupCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  DeleteAccessKeyCommand,
  DeleteGroupCommand,
  DeletePolicyCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  DeleteUserCommand,
  DeleteUserPolicyCommand,
  DetachUserPolicyCommand,
  GetGroupCommand,
  GetPolicyCommand,
  GetRoleCommand,
  GetUserPolicyCommand,
  IAMClient,
  ListAttachedUserPoliciesCommand,
  ListUsersCommand,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
  RemoveUserFromGroupCommand,
} from '@aws-sdk/client-iam';
import {
  AssumeRoleCommand,
  GetCallerIdentityCommand,
  GetSessionTokenCommand,
  STSClient,
} from '@aws-sdk/client-sts';

const ENDPOINT = process.env.WHARF_ENDPOINT;
if (!ENDPOINT) throw new Error('WHARF_ENDPOINT is not set (run through tests/integration/run.sh)');
const ACCOUNT = '000000000000';
const ROOT = { accessKeyId: 'test', secretAccessKey: 'test' };

const iam = (credentials = ROOT) =>
  new IAMClient({ endpoint: ENDPOINT, region: 'us-east-1', credentials, maxAttempts: 1 });
const sts = (credentials = ROOT) =>
  new STSClient({ endpoint: ENDPOINT, region: 'us-east-1', credentials, maxAttempts: 1 });

const suffix = crypto.randomBytes(5).toString('hex');
const userName = `js-user-${suffix}`;
const roleName = `js-role-${suffix}`;
const groupName = `js-group-${suffix}`;
const policyName = `js-policy-${suffix}`;
const sendOnly = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: '*' }],
});

async function rejectsWith(promise, name, status) {
  await assert.rejects(promise, (err) => {
    assert.equal(err.name, name, `${err.name}: ${err.message}`);
    if (status) assert.equal(err.$metadata.httpStatusCode, status);
    return true;
  });
}

describe('IAM and STS with the JS SDK v3', () => {
  let userKey;
  let policyArn;
  let roleArn;

  before(async () => {
    await iam().send(new CreateUserCommand({ UserName: userName, Path: '/js/' }));
    const created = await iam().send(new CreateAccessKeyCommand({ UserName: userName }));
    userKey = {
      accessKeyId: created.AccessKey.AccessKeyId,
      secretAccessKey: created.AccessKey.SecretAccessKey,
    };
  });

  after(async () => {
    const quiet = (p) => p.catch(() => {});
    const root = iam();
    await quiet(root.send(new DeleteRolePolicyCommand({ RoleName: roleName, PolicyName: 'send' })));
    await quiet(root.send(new DeleteRoleCommand({ RoleName: roleName })));
    await quiet(root.send(new RemoveUserFromGroupCommand({ GroupName: groupName, UserName: userName })));
    await quiet(root.send(new DeleteGroupCommand({ GroupName: groupName })));
    await quiet(root.send(new DetachUserPolicyCommand({ UserName: userName, PolicyArn: policyArn })));
    await quiet(root.send(new DeletePolicyCommand({ PolicyArn: policyArn })));
    await quiet(root.send(new DeleteUserPolicyCommand({ UserName: userName, PolicyName: 'send' })));
    await quiet(
      root.send(new DeleteAccessKeyCommand({ UserName: userName, AccessKeyId: userKey?.accessKeyId })),
    );
    await quiet(root.send(new DeleteUserCommand({ UserName: userName })));
  });

  test('GetCallerIdentity of the root and of the user', async () => {
    const root = await sts().send(new GetCallerIdentityCommand({}));
    assert.equal(root.Arn, `arn:aws:iam::${ACCOUNT}:root`);
    assert.equal(root.UserId, ACCOUNT);
    assert.equal(root.Account, ACCOUNT);
    const user = await sts(userKey).send(new GetCallerIdentityCommand({}));
    assert.equal(user.Arn, `arn:aws:iam::${ACCOUNT}:user/js/${userName}`);
    assert.match(user.UserId, /^AIDA[A-Z2-7]{17}$/);
  });

  test('users: listing, dates, duplicates', async () => {
    const listed = await iam().send(new ListUsersCommand({ PathPrefix: '/js/' }));
    const me = listed.Users.find((u) => u.UserName === userName);
    assert.ok(me, 'the user is listed');
    assert.ok(me.CreateDate instanceof Date);
    assert.ok(Math.abs(me.CreateDate.getTime() - Date.now()) < 120_000);
    assert.equal(listed.IsTruncated, false);
    await rejectsWith(iam().send(new CreateUserCommand({ UserName: userName })), 'EntityAlreadyExistsException', 409);
  });

  test('inline policies come back URL-encoded', async () => {
    await iam().send(new PutUserPolicyCommand({ UserName: userName, PolicyName: 'send', PolicyDocument: sendOnly }));
    const got = await iam().send(new GetUserPolicyCommand({ UserName: userName, PolicyName: 'send' }));
    assert.equal(decodeURIComponent(got.PolicyDocument), sendOnly);
    await rejectsWith(
      iam().send(new PutUserPolicyCommand({ UserName: userName, PolicyName: 'bad', PolicyDocument: '{' })),
      'MalformedPolicyDocumentException',
      400,
    );
  });

  test('managed policies and groups', async () => {
    const created = await iam().send(new CreatePolicyCommand({ PolicyName: policyName, PolicyDocument: sendOnly }));
    policyArn = created.Policy.Arn;
    assert.equal(policyArn, `arn:aws:iam::${ACCOUNT}:policy/${policyName}`);
    assert.equal(created.Policy.DefaultVersionId, 'v1');
    assert.equal(created.Policy.IsAttachable, true);
    await iam().send(new AttachUserPolicyCommand({ UserName: userName, PolicyArn: policyArn }));
    const attached = await iam().send(new ListAttachedUserPoliciesCommand({ UserName: userName }));
    assert.deepEqual(attached.AttachedPolicies, [{ PolicyName: policyName, PolicyArn: policyArn }]);
    const policy = await iam().send(new GetPolicyCommand({ PolicyArn: policyArn }));
    assert.equal(policy.Policy.AttachmentCount, 1);
    await rejectsWith(iam().send(new DeletePolicyCommand({ PolicyArn: policyArn })), 'DeleteConflictException', 409);

    await iam().send(new CreateGroupCommand({ GroupName: groupName }));
    await iam().send(new AddUserToGroupCommand({ GroupName: groupName, UserName: userName }));
    const group = await iam().send(new GetGroupCommand({ GroupName: groupName }));
    assert.equal(group.Group.GroupName, groupName);
    assert.deepEqual(group.Users.map((u) => u.UserName), [userName]);
  });

  test('a user without IAM permissions is denied', async () => {
    await rejectsWith(iam(userKey).send(new ListUsersCommand({})), 'AccessDenied', 403);
  });

  test('AssumeRole, the session identity, and tampered tokens', async () => {
    const trust = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/js/${userName}` },
          Action: 'sts:AssumeRole',
        },
      ],
    });
    const role = await iam().send(
      new CreateRoleCommand({ RoleName: roleName, AssumeRolePolicyDocument: trust, MaxSessionDuration: 7200 }),
    );
    roleArn = role.Role.Arn;
    assert.equal(decodeURIComponent(role.Role.AssumeRolePolicyDocument), trust);
    assert.equal(role.Role.MaxSessionDuration, 7200);
    await iam().send(new PutRolePolicyCommand({ RoleName: roleName, PolicyName: 'send', PolicyDocument: sendOnly }));
    const fetched = await iam().send(new GetRoleCommand({ RoleName: roleName }));
    assert.equal(fetched.Role.RoleId, role.Role.RoleId);

    await rejectsWith(
      sts().send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'root' })),
      'AccessDenied',
      403,
    );
    await rejectsWith(
      sts(userKey).send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'long', DurationSeconds: 7201 })),
      'ValidationError',
      400,
    );
    const assumed = await sts(userKey).send(
      new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'worker-1', DurationSeconds: 7200 }),
    );
    const creds = assumed.Credentials;
    assert.match(creds.AccessKeyId, /^ASIA[A-Z2-7]{16}$/);
    assert.ok(creds.Expiration instanceof Date);
    assert.ok(Math.abs(creds.Expiration.getTime() - Date.now() - 7200_000) < 120_000);
    assert.equal(assumed.AssumedRoleUser.Arn, `arn:aws:sts::${ACCOUNT}:assumed-role/${roleName}/worker-1`);
    assert.equal(assumed.AssumedRoleUser.AssumedRoleId, `${role.Role.RoleId}:worker-1`);

    const session = {
      accessKeyId: creds.AccessKeyId,
      secretAccessKey: creds.SecretAccessKey,
      sessionToken: creds.SessionToken,
    };
    const who = await sts(session).send(new GetCallerIdentityCommand({}));
    assert.equal(who.Arn, assumed.AssumedRoleUser.Arn);
    assert.equal(who.UserId, assumed.AssumedRoleUser.AssumedRoleId);

    await rejectsWith(
      sts({ ...session, sessionToken: `${creds.SessionToken}x` }).send(new GetCallerIdentityCommand({})),
      'InvalidClientTokenId',
      403,
    );
    await rejectsWith(
      sts({ accessKeyId: creds.AccessKeyId, secretAccessKey: creds.SecretAccessKey }).send(
        new GetCallerIdentityCommand({}),
      ),
      'InvalidClientTokenId',
      403,
    );
    // The trust policy names the user, not the role's own sessions (role chaining is denied).
    await rejectsWith(
      sts(session).send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'chained' })),
      'AccessDenied',
      403,
    );
  });

  test('GetSessionToken for the user', async () => {
    const out = await sts(userKey).send(new GetSessionTokenCommand({ DurationSeconds: 900 }));
    const session = {
      accessKeyId: out.Credentials.AccessKeyId,
      secretAccessKey: out.Credentials.SecretAccessKey,
      sessionToken: out.Credentials.SessionToken,
    };
    const who = await sts(session).send(new GetCallerIdentityCommand({}));
    assert.equal(who.Arn, `arn:aws:iam::${ACCOUNT}:user/js/${userName}`);
  });
});
