-- Browser sessions of the managers' console. A session borrows the tenant, scopes (and rep binding)
-- of the API key that signed in; revoking that key ends its sessions (the key is re-read on every request).
CREATE TABLE console_sessions (
  id_hash    text PRIMARY KEY,                 -- sha256 of the cookie value; the value itself is never stored
  tenant_id  text NOT NULL REFERENCES tenants(id),
  key_id     text NOT NULL REFERENCES api_keys(id) ON DELETE CASCADE,
  csrf_token text NOT NULL,                    -- sent back in X-CSRF-Token on every state-changing console request
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL
);
CREATE INDEX console_sessions_expires ON console_sessions (expires_at);
