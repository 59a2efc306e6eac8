-- Development seed, applied by `npm run dev` and by the test setup. Idempotent: re-running it
-- leaves existing rows alone. Never apply it to a production database.
INSERT OR IGNORE INTO apis (id, identifier, name, scopes, signing_alg)
VALUES ('api_demo', 'https://api.example.com', 'Example API', '["read:items","write:items"]', 'ES256');

INSERT OR IGNORE INTO clients (id, name, type, secret_hash, redirect_uris, post_logout_redirect_uris, grant_types, scopes, audiences)
VALUES
  ('demo-app', 'Demo App', 'public', NULL,
   '["com.example.demo:/callback","http://127.0.0.1/callback"]', '["com.example.demo:/signed-out"]',
   '["authorization_code","refresh_token"]',
   '["openid","profile","email","offline_access","read:items","write:items"]', '["https://api.example.com"]'),
  ('other-app', 'Other App', 'public', NULL,
   '["com.example.other:/callback"]', '[]',
   '["authorization_code","refresh_token"]', '["openid","offline_access","read:items"]', '["https://api.example.com"]'),
  -- The Example API's own credentials, for token introspection (RFC 7662). The secret is
  -- "demo-api-secret"; only its SHA-256 (base64url) is stored.
  ('demo-api', 'Example API (resource server)', 'confidential', 'AAeye3Tcu2S26eziBuh9Ebp3r6Hw9UkcMqkwtVL_ygQ',
   '[]', '[]', '[]', '[]', '["https://api.example.com"]'),
  -- The local operator's Management API client (`npm run admin` uses it against `npm run dev`).
  -- The secret is "dev-admin-secret". In production, create one with `npm run admin -- bootstrap --remote`.
  ('dev-admin', 'edge-auth admin (development)', 'confidential', '8PZCtpK6kIyRqa_jxTh4cAsy5myBMvwHEQm0r0hiXUY',
   '[]', '[]', '["client_credentials"]', '[]', '[]');

-- A third-party app: the user is asked to consent, on a page in its brand colour.
INSERT OR IGNORE INTO clients (id, name, type, redirect_uris, grant_types, scopes, audiences, require_consent, primary_color)
VALUES ('partner-app', 'Partner App', 'public', '["com.example.partner:/callback","http://127.0.0.1/callback"]',
        '["authorization_code"]', '["openid","email","read:items"]', '["https://api.example.com"]', 1, '#0a7d32');

INSERT OR IGNORE INTO client_grants (id, client_id, audience, scopes)
SELECT 'cg_dev_admin', 'dev-admin', identifier, scopes FROM apis WHERE identifier = 'urn:edge-auth:management-api';

-- The password hash is PBKDF2-SHA256 at 100,000 iterations of "demo-password".
INSERT OR IGNORE INTO users (id, email, name, email_verified, password_hash)
VALUES ('user_demo', 'demo@example.com', 'Demo User', 1,
        'pbkdf2-sha256$100000$Zvr8ou8USnmQ4BUl6QHR7Q$iIatyt4fazvj0sfktA_-0SPikMFlB4VobLjE2pWVoDs');
