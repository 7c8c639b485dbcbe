-- Inquiries, their per-day term counts (so hot keywords never re-read every inquiry) and decision maps.

CREATE TABLE inquiries (
  id          uuid PRIMARY KEY,
  tenant_id   text NOT NULL REFERENCES tenants(id),
  industry    text NOT NULL,
  source      text NOT NULL,
  lead_key    text NOT NULL DEFAULT '',        -- lead id, or '' when unknown
  text        text NOT NULL,
  text_hash   text NOT NULL,                   -- of the normalised text: near-duplicates from one lead are kept once
  truncated   boolean NOT NULL DEFAULT false,
  terms       text[] NOT NULL DEFAULT '{}',
  asked_at    timestamptz NOT NULL,
  recording_id uuid,
  created_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, lead_key, text_hash)
);
CREATE INDEX inquiries_window ON inquiries (tenant_id, industry, asked_at);

CREATE TABLE inquiry_term_days (
  tenant_id text NOT NULL,
  industry  text NOT NULL,
  day       date NOT NULL,
  term      text NOT NULL,
  n         integer NOT NULL,
  PRIMARY KEY (tenant_id, industry, day, term)
);

CREATE TABLE inquiry_days (
  tenant_id text NOT NULL,
  industry  text NOT NULL,
  day       date NOT NULL,
  n         integer NOT NULL,
  PRIMARY KEY (tenant_id, industry, day)
);

CREATE TABLE decision_maps (
  id         uuid PRIMARY KEY,
  tenant_id  text NOT NULL REFERENCES tenants(id),
  industry   text NOT NULL,
  days       integer NOT NULL,
  status     text NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed')),
  progress   integer NOT NULL DEFAULT 0,
  error      text,
  result     jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX decision_maps_tenant ON decision_maps (tenant_id, created_at DESC);
