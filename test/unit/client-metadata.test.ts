import { describe, expect, it } from 'vitest';
import { OAuthClientInformationFullSchema, OAuthClientMetadataSchema } from '@modelcontextprotocol/sdk/shared/auth.js';
import { clientInformation, parseClientMetadata, redirectDestination, registrationOffer } from '../../src/oauth/client-metadata';

describe('what dynamically registered clients are offered', () => {
  const apis = [
    { identifier: 'https://api.example.com', scopes: ['read:items', 'write:items'] },
    { identifier: 'https://mcp.example.com/mcp', scopes: ['mcp:tools'] },
    { identifier: 'urn:edge-auth:management-api', scopes: ['read:clients', 'delete:users'] },
  ];

  it('every API but the Management API when none is listed, with the OpenID Connect scopes', () => {
    expect(registrationOffer(apis, undefined)).toEqual({
      audiences: ['https://api.example.com', 'https://mcp.example.com/mcp'],
      scopes: ['openid', 'profile', 'email', 'offline_access', 'read:items', 'write:items', 'mcp:tools'],
    });
  });

  it('only the listed APIs, and never the Management API even when listed', () => {
    expect(registrationOffer(apis, ['https://mcp.example.com/mcp', 'urn:edge-auth:management-api'])).toEqual({
      audiences: ['https://mcp.example.com/mcp'],
      scopes: ['openid', 'profile', 'email', 'offline_access', 'mcp:tools'],
    });
  });
});

describe('where the code goes, as the consent page of an unverified client says it', () => {
  it.each([
    ['https://app.example.com/callback', 'app.example.com', false],
    ['http://127.0.0.1:49200/callback', '127.0.0.1:49200', true],
    ['http://[::1]/cb', '[::1]', true],
    ['com.example.app:/callback', 'com.example.app:', true],
  ])('%s: %s (on this device: %s)', (uri, place, onThisDevice) => {
    expect(redirectDestination(uri)).toEqual({ place, onThisDevice });
  });
});

describe('interoperability with the official MCP TypeScript SDK', () => {
  it('takes the metadata its client sends, and answers in the shape its client parses', () => {
    const sent = OAuthClientMetadataSchema.parse({
      client_name: 'MCP SDK client',
      redirect_uris: ['http://localhost:8090/callback'],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
      scope: 'read:items',
    });
    const registration = parseClientMetadata(sent, ['openid', 'offline_access', 'read:items']);
    expect(registration).toEqual({
      clientName: 'MCP SDK client',
      redirectUris: ['http://localhost:8090/callback'],
      grantTypes: ['authorization_code', 'refresh_token'],
      scopes: ['read:items', 'offline_access'],
    });
    const answer = clientInformation(
      { id: 'abc', name: registration.clientName, redirectUris: registration.redirectUris, grantTypes: registration.grantTypes, scopes: registration.scopes, createdAt: new Date(0) },
      { accessToken: 't', clientUri: 'https://auth.example.com/register/abc' },
    );
    const parsed = OAuthClientInformationFullSchema.parse(JSON.parse(JSON.stringify(answer)));
    expect(parsed).toMatchObject({ client_id: 'abc', client_id_issued_at: 0, redirect_uris: ['http://localhost:8090/callback'], scope: 'read:items offline_access' });
  });
});
