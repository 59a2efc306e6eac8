-- The built-in Management API: edge-auth's own resource server. Operators' tools get tokens for it
-- with the client credentials grant (see the README, "Operating edge-auth").
INSERT OR IGNORE INTO apis (id, identifier, name, scopes, access_token_ttl_seconds, signing_alg)
VALUES (
  'api_management',
  'urn:edge-auth:management-api',
  'edge-auth Management API',
  '["read:clients","create:clients","update:clients","delete:clients","read:apis","create:apis","update:apis","delete:apis","read:client_grants","create:client_grants","update:client_grants","delete:client_grants","read:users","create:users","update:users","delete:users","read:keys","rotate:keys","read:audit"]',
  900,
  'ES256'
);
