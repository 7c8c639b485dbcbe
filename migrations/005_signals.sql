-- Browsing signals (tracker beacons and server-side events), rules, pushes, the content library.

-- Public, ingest-only keys the website tracker carries; each answers only to its allowed origins.
CREATE TABLE signal_site_keys (
  id              uuid PRIMARY KEY,
  tenant_id       text NOT NULL REFERENCES tenants(id),
  name            text NOT NULL DEFAULT '',
  key_hash        text NOT NULL UNIQUE,
  prefix          text NOT NULL,
  allowed_origins text[] NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  revoked_at      timestamptz
);
CREATE INDEX signal_site_keys_tenant ON signal_site_keys (tenant_id);

-- Per-tenant signal settings: timezone and quiet hours for pushes; the secret that signs link tokens.
CREATE TABLE signal_settings (
  tenant_id   text PRIMARY KEY REFERENCES tenants(id),
  timezone    text NOT NULL DEFAULT 'Asia/Shanghai',
  quiet_start text,                       -- 'HH:MM' local time, or NULL for no quiet hours
  quiet_end   text,
  -- 'lead-id': a beacon may name its lead (the tracker's identify()); 'token': only a signed link
  -- token identifies from a beacon (a public site key cannot then attribute reading to any lead).
  beacon_identify text NOT NULL DEFAULT 'lead-id' CHECK (beacon_identify IN ('lead-id', 'token')),
  link_secret text NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now()
);

-- One row per event id: a replayed event is stored once. lead_id is filled when the event names
-- its lead, or later, once its visitor is identified (pre-identification attribution).
CREATE TABLE signal_events (
  tenant_id   text NOT NULL,
  id          text NOT NULL,
  visitor_id  text NOT NULL,
  lead_id     text,
  type        text NOT NULL CHECK (type IN ('pageview', 'heartbeat', 'leave', 'download', 'identify')),
  url         text NOT NULL,
  title       text,
  tags        text[] NOT NULL DEFAULT '{}',
  ts          timestamptz NOT NULL,
  dwell_ms    integer,
  received_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX signal_events_lead ON signal_events (tenant_id, lead_id, ts) WHERE lead_id IS NOT NULL;
CREATE INDEX signal_events_anonymous ON signal_events (tenant_id, visitor_id) WHERE lead_id IS NULL;
-- Which leads had events lately (the periodic intent update).
CREATE INDEX signal_events_received ON signal_events (tenant_id, received_at);

-- Which lead a browser (visitorId from the tracker's localStorage) belongs to.
CREATE TABLE signal_visitors (
  tenant_id     text NOT NULL,
  visitor_id    text NOT NULL,
  lead_id       text NOT NULL,
  identified_at timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, visitor_id)
);
CREATE INDEX signal_visitors_lead ON signal_visitors (tenant_id, lead_id);

CREATE TABLE signal_rules (
  id         uuid PRIMARY KEY,
  tenant_id  text NOT NULL REFERENCES tenants(id),
  name       text NOT NULL,
  enabled    boolean NOT NULL DEFAULT true,
  definition jsonb NOT NULL,
  version    integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX signal_rules_tenant ON signal_rules (tenant_id) WHERE enabled;

-- Delivered pushes are numbered in delivery order: SSE clients resume after `Last-Event-ID`.
CREATE SEQUENCE pushes_seq;

-- One push per rule, lead and cooldown window: the unique key is what stops concurrent workers and
-- retried jobs from pushing twice.
CREATE TABLE pushes (
  id           uuid PRIMARY KEY,
  tenant_id    text NOT NULL,
  rule_id      uuid NOT NULL,
  lead_id      text NOT NULL,
  rep_id       text,
  window_start timestamptz NOT NULL,
  trigger_ts   timestamptz NOT NULL,      -- the event that crossed the rule's threshold
  reason       text NOT NULL,
  page         jsonb NOT NULL,            -- { url, title, dwellMs, tags }
  content      jsonb,                     -- { id, title, url, language, score } or NULL
  rule_name    text NOT NULL,
  status       text NOT NULL CHECK (status IN ('scheduled', 'delivered')),
  deliver_at   timestamptz NOT NULL,      -- end of the quiet hours when it fired during them
  delivered_at timestamptz,
  seq          bigint UNIQUE,             -- from pushes_seq when delivered
  created_at   timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, rule_id, lead_id, window_start)
);
CREATE INDEX pushes_rep ON pushes (tenant_id, rep_id, created_at DESC);
CREATE INDEX pushes_last ON pushes (tenant_id, rule_id, lead_id, trigger_ts DESC);
CREATE INDEX pushes_scheduled ON pushes (deliver_at) WHERE status = 'scheduled';

-- The content library reps send next; embedded for "best match" (dimensions vary per provider,
-- as in segment_embeddings).
CREATE TABLE content_items (
  id          uuid PRIMARY KEY,
  tenant_id   text NOT NULL REFERENCES tenants(id),
  title       text NOT NULL,
  url         text NOT NULL,
  language    text NOT NULL,
  industries  text[] NOT NULL DEFAULT '{}',
  tags        text[] NOT NULL DEFAULT '{}',
  description text NOT NULL DEFAULT '',
  model       text,
  dims        integer,
  embedding   vector,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, url)
);
CREATE INDEX content_items_tenant ON content_items (tenant_id, language);
