-- Development seed, applied by `npm run dev` and by the test setup. Idempotent: re-running it
-- leaves existing rows alone. Never apply it to a production database.
-- The password hash is PBKDF2-SHA256 at 100,000 iterations of "demo-password".
INSERT OR IGNORE INTO apis (id, identifier, name, scopes, signing_alg)
VALUES ('api_demo', 'https://api.example.com', 'Example API', '["read:items","write:items"]', 'ES256');

INSERT OR IGNORE INTO clients (id, name, type, redirect_uris, grant_types, scopes, audiences)
VALUES
  ('demo-app', 'Demo App', 'public',
   '["com.example.demo:/callback","http://127.0.0.1/callback"]',
   '["authorization_code"]', '["openid","read:items","write:items"]', '["https://api.example.com"]'),
  ('other-app', 'Other App', 'public',
   '["com.example.other:/callback"]',
   '["authorization_code"]', '["openid","read:items"]', '["https://api.example.com"]');

INSERT OR IGNORE INTO users (id, email, password_hash)
VALUES ('user_demo', 'demo@example.com',
        'pbkdf2-sha256$100000$Zvr8ou8USnmQ4BUl6QHR7Q$iIatyt4fazvj0sfktA_-0SPikMFlB4VobLjE2pWVoDs');
