-- Conversation analysis, semantic search, tenant settings and outbound webhooks.

CREATE TABLE tenant_settings (
  tenant_id  text PRIMARY KEY REFERENCES tenants(id),
  redact_pii boolean NOT NULL DEFAULT false,   -- mask PII before text leaves for a model, and in stored transcripts
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Tenant additions to the built-in concern taxonomy: new codes, extra triggers for existing ones.
CREATE TABLE tenant_taxonomies (
  tenant_id  text PRIMARY KEY REFERENCES tenants(id),
  additions  jsonb NOT NULL,
  version    integer NOT NULL DEFAULT 1,
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE recording_analyses (
  recording_id   uuid PRIMARY KEY REFERENCES recordings(id) ON DELETE CASCADE,
  tenant_id      text NOT NULL,
  engine         text NOT NULL CHECK (engine IN ('lexicon', 'llm', 'ensemble')),
  model          text,
  prompt_version text,
  fallback       text,                      -- why the LLM result was not used, when it was not
  result         jsonb NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX recording_analyses_tenant ON recording_analyses (tenant_id, created_at DESC);

-- One vector per transcript segment. Dimensions depend on the provider, so the column is untyped
-- and each dimension count gets its own partial HNSW index (pgvector's recipe for mixed sizes).
CREATE TABLE segment_embeddings (
  recording_id uuid NOT NULL REFERENCES recordings(id) ON DELETE CASCADE,
  tenant_id    text NOT NULL,
  idx          integer NOT NULL,
  model        text NOT NULL,
  dims         integer NOT NULL,
  embedding    vector NOT NULL,
  PRIMARY KEY (recording_id, idx)
);
CREATE INDEX segment_embeddings_hnsw_512 ON segment_embeddings
  USING hnsw ((embedding::vector(512)) vector_cosine_ops) WHERE dims = 512;
CREATE INDEX segment_embeddings_tenant ON segment_embeddings (tenant_id, model);

CREATE TABLE webhook_endpoints (
  id         uuid PRIMARY KEY,
  tenant_id  text NOT NULL REFERENCES tenants(id),
  url        text NOT NULL,
  events     text[] NOT NULL,
  secret     text NOT NULL,                 -- HMAC key; needed in clear to sign
  active     boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhook_endpoints_tenant ON webhook_endpoints (tenant_id) WHERE active;

-- The outbox: every event meant for the outside world is written here first, in the same
-- transaction as the change it reports; delivery happens afterwards, with retries.
CREATE TABLE outbox_events (
  id            uuid PRIMARY KEY,
  tenant_id     text NOT NULL,
  type          text NOT NULL,
  dedupe_key    text NOT NULL,              -- one event per fact, however often a job is retried
  payload       jsonb NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  dispatched_at timestamptz,                -- every endpoint answered or gave up
  UNIQUE (tenant_id, dedupe_key)
);
CREATE INDEX outbox_events_pending ON outbox_events (created_at) WHERE dispatched_at IS NULL;

CREATE TABLE webhook_deliveries (
  id           uuid PRIMARY KEY,
  tenant_id    text NOT NULL,
  event_id     uuid NOT NULL REFERENCES outbox_events(id) ON DELETE CASCADE,
  endpoint_id  uuid NOT NULL REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
  status       text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
  attempts     integer NOT NULL DEFAULT 0,
  last_status  integer,
  last_error   text,
  delivered_at timestamptz,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  UNIQUE (event_id, endpoint_id)
);
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, created_at DESC);
