/**
 * Issue 12, finding 2: client-credentials tokens (the Management API's among them) are checked
 * against their client on every call, can be revoked one by one at /oauth/revoke, and never live
 * longer than their API allows.
 */
import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { expectTokenResponse } from '../helpers/assertions';
import { form, call } from '../helpers/http';
import { clientCredentials, createMachineClient, management, MANAGEMENT_AUDIENCE, ok } from '../helpers/management';
import { DEMO_API_BASIC } from '../helpers/fixtures';

/** A confidential client with read:users at the Management API, and a token of it. */
async function operator() {
  const client = await createMachineClient(MANAGEMENT_AUDIENCE, ['read:users']);
  const token = (await expectTokenResponse(await clientCredentials({ audience: MANAGEMENT_AUDIENCE }, client.basic))).access_token;
  return { client, token };
}

const listUsers = (token: string) => management('GET', '/users', undefined, token);

describe('Management API tokens (issue 12, finding 2)', () => {
  it('can be revoked one by one at /oauth/revoke', async () => {
    const { client, token } = await operator();
    expect((await listUsers(token)).status).toBe(200);
    const revoked = await call('/oauth/revoke', form({ token }, { headers: { Authorization: client.basic } }));
    expect(revoked.status).toBe(200);
    expect((await listUsers(token)).status).toBe(401);
    // Another token of the same client is not affected.
    const fresh = (await expectTokenResponse(await clientCredentials({ audience: MANAGEMENT_AUDIENCE }, client.basic))).access_token;
    expect((await listUsers(fresh)).status).toBe(200);
  });

  it('only by the client they were issued to', async () => {
    const { token } = await operator();
    const other = await operator();
    expect((await call('/oauth/revoke', form({ token }, { headers: { Authorization: other.client.basic } }))).status).toBe(200);
    expect((await listUsers(token)).status).toBe(200);
  });

  it('stop working when their client is deleted', async () => {
    const { client, token } = await operator();
    expect((await management('DELETE', `/clients/${client.id}`)).status).toBe(204);
    expect((await listUsers(token)).status).toBe(401);
  });

  it('stop working when their client grant is deleted', async () => {
    const { client, token } = await operator();
    expect((await management('DELETE', `/client-grants/${client.grantId}`)).status).toBe(204);
    expect((await listUsers(token)).status).toBe(401);
  });

  it('never live longer than the API allows, whatever the client sets', async () => {
    const { client } = await operator();
    await ok(await management('PATCH', `/clients/${client.id}`, { access_token_ttl_seconds: 86_400 }));
    const issued = await expectTokenResponse(await clientCredentials({ audience: MANAGEMENT_AUDIENCE }, client.basic));
    expect(issued.expires_in).toBe(900);
    const claims = decodeJwt(issued.access_token);
    expect(claims.exp! - claims.iat!).toBe(900);
  });
});

describe('introspection of client-credentials tokens', () => {
  it('answers inactive once the token is revoked or its client gone', async () => {
    const machine = await createMachineClient('https://api.example.com', ['read:items']);
    const token = (await expectTokenResponse(await clientCredentials({ audience: 'https://api.example.com' }, machine.basic))).access_token;
    const introspect = async () => (await (await call('/oauth/introspect', form({ token }, { headers: { Authorization: DEMO_API_BASIC } }))).json()) as { active: boolean };
    expect(await introspect()).toMatchObject({ active: true });
    await call('/oauth/revoke', form({ token }, { headers: { Authorization: machine.basic } }));
    expect(await introspect()).toEqual({ active: false });
  });
});
