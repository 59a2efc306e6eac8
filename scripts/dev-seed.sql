-- Development seed, applied by `npm run dev` and by the test setup. Idempotent: re-running it
-- puts the demo rows back to what is written here (a local database from an older checkout is
-- brought up to date); other rows are left alone. Never apply it to a production database.
INSERT INTO apis (id, identifier, name, scopes, scope_descriptions, signing_alg)
VALUES ('api_demo', 'https://api.example.com', 'Example API', '["read:items","write:items"]',
  '{"read:items":"See your items","write:items":"Add, change and delete your items"}', 'ES256')
ON CONFLICT (id) DO UPDATE SET identifier = excluded.identifier, name = excluded.name, scopes = excluded.scopes,
  scope_descriptions = excluded.scope_descriptions, signing_alg = excluded.signing_alg;

-- demo-app lets people create their own account on its login page (allow_signup); the others do not.
-- It may also ask for delete:account, so the app can offer "Delete account" (DELETE /account).
-- Its native apps (example ids) may use passkeys with this server: they appear in
-- /.well-known/apple-app-site-association and /.well-known/assetlinks.json.
INSERT INTO clients (id, name, type, secret_hash, redirect_uris, post_logout_redirect_uris, grant_types, scopes, audiences, allow_signup, ios_app_ids, android_packages)
VALUES
  ('demo-app', 'Demo App', 'public', NULL,
   '["com.example.demo:/callback","http://127.0.0.1/callback","https://demo.example.com/callback"]', '["com.example.demo:/signed-out"]',
   '["authorization_code","refresh_token"]',
   '["openid","profile","email","offline_access","read:items","write:items","delete:account"]', '["https://api.example.com"]', 1,
   '["ABCDE12345.com.example.demo"]',
   '[{"package_name":"com.example.demo","sha256_cert_fingerprints":["14:6D:E9:83:C5:73:06:50:D8:EE:B9:95:2F:34:FC:64:16:A0:83:42:E6:1D:BE:A8:8A:04:96:B2:3F:CF:44:E5"]}]'),
  ('other-app', 'Other App', 'public', NULL,
   '["com.example.other:/callback"]', '[]',
   '["authorization_code","refresh_token"]', '["openid","offline_access","read:items"]', '["https://api.example.com"]', 0, '[]', '[]'),
  -- The Example API's own credentials, for token introspection (RFC 7662). The secret is
  -- "demo-api-secret"; only its SHA-256 (base64url) is stored.
  ('demo-api', 'Example API (resource server)', 'confidential', 'AAeye3Tcu2S26eziBuh9Ebp3r6Hw9UkcMqkwtVL_ygQ',
   '[]', '[]', '[]', '[]', '["https://api.example.com"]', 0, '[]', '[]'),
  -- The local operator's Management API client (`npm run admin` uses it against `npm run dev`).
  -- The secret is "dev-admin-secret". In production, create one with `npm run admin -- bootstrap --remote`.
  ('dev-admin', 'edge-auth admin (development)', 'confidential', '8PZCtpK6kIyRqa_jxTh4cAsy5myBMvwHEQm0r0hiXUY',
   '[]', '[]', '["client_credentials"]', '[]', '[]', 0, '[]', '[]')
ON CONFLICT (id) DO UPDATE SET name = excluded.name, type = excluded.type, secret_hash = excluded.secret_hash,
  redirect_uris = excluded.redirect_uris, post_logout_redirect_uris = excluded.post_logout_redirect_uris,
  grant_types = excluded.grant_types, scopes = excluded.scopes, audiences = excluded.audiences,
  -- Columns left out of the VALUES above are put back to their defaults too.
  require_consent = excluded.require_consent, sso_confirmation = excluded.sso_confirmation, allow_signup = excluded.allow_signup,
  require_verified_email = excluded.require_verified_email, default_locale = excluded.default_locale, require_mfa = excluded.require_mfa,
  require_pushed_authorization_requests = excluded.require_pushed_authorization_requests,
  dpop_bound_access_tokens = excluded.dpop_bound_access_tokens,
  logo_uri = excluded.logo_uri, primary_color = excluded.primary_color, access_token_ttl_seconds = excluded.access_token_ttl_seconds,
  registration = excluded.registration, last_used_at = excluded.last_used_at, registration_token_hash = excluded.registration_token_hash,
  token_endpoint_auth_method = excluded.token_endpoint_auth_method, jwks = excluded.jwks, jwks_uri = excluded.jwks_uri, connections = excluded.connections,
  ios_app_ids = excluded.ios_app_ids, android_packages = excluded.android_packages,
  refresh_token_absolute_ttl_seconds = excluded.refresh_token_absolute_ttl_seconds,
  refresh_token_idle_ttl_seconds = excluded.refresh_token_idle_ttl_seconds,
  refresh_token_reuse_leeway_seconds = excluded.refresh_token_reuse_leeway_seconds;

-- The example MCP server (examples/mcp-server, `npm run dev:mcp`): its URL is its API identifier, the
-- resource (RFC 8707) MCP clients ask tokens for; mcp-client is a pre-registered public client for it
-- (loopback redirects on any port, as MCP clients on a desktop use).
INSERT INTO apis (id, identifier, name, scopes, scope_descriptions, signing_alg)
VALUES ('api_mcp_example', 'http://127.0.0.1:8788/mcp', 'Example MCP server', '["mcp:tools"]',
  '{"mcp:tools":"Use the example MCP server''s tools"}', 'ES256')
ON CONFLICT (id) DO UPDATE SET identifier = excluded.identifier, name = excluded.name, scopes = excluded.scopes,
  scope_descriptions = excluded.scope_descriptions, signing_alg = excluded.signing_alg;

INSERT INTO clients (id, name, type, redirect_uris, grant_types, scopes, audiences)
VALUES ('mcp-client', 'MCP client (development)', 'public', '["http://127.0.0.1/callback"]',
        '["authorization_code","refresh_token"]', '["openid","offline_access","mcp:tools"]', '["http://127.0.0.1:8788/mcp"]')
ON CONFLICT (id) DO UPDATE SET name = excluded.name, type = excluded.type, secret_hash = excluded.secret_hash,
  redirect_uris = excluded.redirect_uris, post_logout_redirect_uris = excluded.post_logout_redirect_uris,
  grant_types = excluded.grant_types, scopes = excluded.scopes, audiences = excluded.audiences,
  require_consent = excluded.require_consent, sso_confirmation = excluded.sso_confirmation, allow_signup = excluded.allow_signup,
  require_verified_email = excluded.require_verified_email, default_locale = excluded.default_locale, require_mfa = excluded.require_mfa,
  registration = excluded.registration, last_used_at = excluded.last_used_at, registration_token_hash = excluded.registration_token_hash,
  require_pushed_authorization_requests = excluded.require_pushed_authorization_requests,
  dpop_bound_access_tokens = excluded.dpop_bound_access_tokens,
  logo_uri = excluded.logo_uri, primary_color = excluded.primary_color, access_token_ttl_seconds = excluded.access_token_ttl_seconds,
  token_endpoint_auth_method = excluded.token_endpoint_auth_method, jwks = excluded.jwks, jwks_uri = excluded.jwks_uri, connections = excluded.connections,
  ios_app_ids = excluded.ios_app_ids, android_packages = excluded.android_packages,
  refresh_token_absolute_ttl_seconds = excluded.refresh_token_absolute_ttl_seconds,
  refresh_token_idle_ttl_seconds = excluded.refresh_token_idle_ttl_seconds,
  refresh_token_reuse_leeway_seconds = excluded.refresh_token_reuse_leeway_seconds;

-- A third-party app: the user is asked to consent, on a page in its brand colour.
INSERT INTO clients (id, name, type, redirect_uris, grant_types, scopes, audiences, require_consent, primary_color)
VALUES ('partner-app', 'Partner App', 'public', '["com.example.partner:/callback","http://127.0.0.1/callback","https://partner.example.com/callback"]',
        '["authorization_code"]', '["openid","email","read:items"]', '["https://api.example.com"]', 1, '#0a7d32')
ON CONFLICT (id) DO UPDATE SET name = excluded.name, type = excluded.type, secret_hash = excluded.secret_hash,
  redirect_uris = excluded.redirect_uris, post_logout_redirect_uris = excluded.post_logout_redirect_uris,
  grant_types = excluded.grant_types, scopes = excluded.scopes, audiences = excluded.audiences,
  require_consent = excluded.require_consent, sso_confirmation = excluded.sso_confirmation, allow_signup = excluded.allow_signup,
  require_verified_email = excluded.require_verified_email, default_locale = excluded.default_locale, require_mfa = excluded.require_mfa,
  require_pushed_authorization_requests = excluded.require_pushed_authorization_requests,
  dpop_bound_access_tokens = excluded.dpop_bound_access_tokens,
  logo_uri = excluded.logo_uri, primary_color = excluded.primary_color, access_token_ttl_seconds = excluded.access_token_ttl_seconds,
  registration = excluded.registration, last_used_at = excluded.last_used_at, registration_token_hash = excluded.registration_token_hash,
  token_endpoint_auth_method = excluded.token_endpoint_auth_method, jwks = excluded.jwks, jwks_uri = excluded.jwks_uri, connections = excluded.connections,
  ios_app_ids = excluded.ios_app_ids, android_packages = excluded.android_packages,
  refresh_token_absolute_ttl_seconds = excluded.refresh_token_absolute_ttl_seconds,
  refresh_token_idle_ttl_seconds = excluded.refresh_token_idle_ttl_seconds,
  refresh_token_reuse_leeway_seconds = excluded.refresh_token_reuse_leeway_seconds;

-- dev-admin holds every Management API scope the migrations define, grant:management_api among them.
INSERT INTO client_grants (id, client_id, audience, scopes)
SELECT 'cg_dev_admin', 'dev-admin', identifier, scopes FROM apis WHERE identifier = 'urn:edge-auth:management-api'
ON CONFLICT (id) DO UPDATE SET scopes = excluded.scopes;

-- The password hash is PBKDF2-SHA256 at 100,000 iterations of "demo-password".
INSERT INTO users (id, email, name, email_verified, password_hash)
VALUES ('user_demo', 'demo@example.com', 'Demo User', 1,
        'pbkdf2-sha256$100000$Zvr8ou8USnmQ4BUl6QHR7Q$iIatyt4fazvj0sfktA_-0SPikMFlB4VobLjE2pWVoDs')
ON CONFLICT (id) DO UPDATE SET email = excluded.email, name = excluded.name, email_verified = excluded.email_verified,
  password_hash = excluded.password_hash, blocked = 0;
