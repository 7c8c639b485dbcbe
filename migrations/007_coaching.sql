-- Coaching: CRM activity events, the per-entity tables derived from them on ingest (what the
-- health score and the funnel read), health snapshots, interventions, suggestions and their audit.

-- Teams for reps; a key may be bound to one rep ("reps see only what their manager accepted").
ALTER TABLE reps ADD COLUMN team text;
ALTER TABLE reps ADD COLUMN manager_id text;
CREATE INDEX reps_team ON reps (tenant_id, team);
ALTER TABLE api_keys ADD COLUMN rep_id text;

-- Raw events, exactly as received (idempotent by the CRM's event id).
CREATE TABLE coaching_activities (
  tenant_id   text NOT NULL REFERENCES tenants(id),
  id          text NOT NULL,
  type        text NOT NULL,
  rep_id      text,
  lead_id     text,
  occurred_at timestamptz NOT NULL,
  payload     jsonb NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX coaching_activities_rep ON coaching_activities (tenant_id, rep_id, occurred_at);

-- One row per (customer, rep) relationship: when the rep got the customer, first touched them,
-- handed them over. Earliest timestamps win, so late and out-of-order events converge.
CREATE TABLE coaching_lead_reps (
  tenant_id      text NOT NULL,
  lead_id        text NOT NULL,
  rep_id         text NOT NULL,
  assigned_at    timestamptz,
  source         text,                 -- crm | handover (dealsense's own assignments are read from assignment)
  first_touch_at timestamptz,
  handed_over_at timestamptz,
  handed_to      text,
  -- The customer's stages (coaching_lead_stages), copied here so a team's health page and funnel read one index.
  responded_at   timestamptz,
  need_at        timestamptz,
  demo_at        timestamptz,
  signed_at      timestamptz,
  lost_at        timestamptz,
  PRIMARY KEY (tenant_id, lead_id, rep_id)
);
CREATE INDEX coaching_lead_reps_rep ON coaching_lead_reps (tenant_id, rep_id, assigned_at)
  INCLUDE (lead_id, source, first_touch_at, handed_over_at, responded_at, need_at, demo_at, signed_at, lost_at);

-- Funnel stages per customer (earliest time each stage was reached).
CREATE TABLE coaching_lead_stages (
  tenant_id    text NOT NULL,
  lead_id      text NOT NULL,
  responded_at timestamptz,
  need_at      timestamptz,
  demo_at      timestamptz,
  signed_at    timestamptz,
  lost_at      timestamptz,
  PRIMARY KEY (tenant_id, lead_id)
);

CREATE TABLE coaching_quotes (
  tenant_id    text NOT NULL,
  quote_id     text NOT NULL,
  rep_id       text,
  lead_id      text,
  submitted_at timestamptz,
  feedback_at  timestamptz,
  PRIMARY KEY (tenant_id, quote_id)
);
CREATE INDEX coaching_quotes_rep ON coaching_quotes (tenant_id, rep_id, submitted_at);

CREATE TABLE coaching_tasks (
  tenant_id    text NOT NULL,
  task_id      text NOT NULL,
  rep_id       text,
  lead_id      text,
  created_at   timestamptz,
  responded_at timestamptz,
  PRIMARY KEY (tenant_id, task_id)
);
CREATE INDEX coaching_tasks_rep ON coaching_tasks (tenant_id, rep_id, created_at);

-- Value-metric updates counted per rep, customer and month (the metric looks at a rolling quarter).
CREATE TABLE coaching_value_updates (
  tenant_id text NOT NULL,
  rep_id    text NOT NULL,
  lead_id   text NOT NULL,
  month     date NOT NULL,
  updates   integer NOT NULL,
  PRIMARY KEY (tenant_id, rep_id, month, lead_id)
);

CREATE TABLE coaching_departures (
  tenant_id   text NOT NULL,
  rep_id      text NOT NULL,
  departed_at timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, rep_id)
);

-- Rep-months whose stored health must be recomputed (filled on ingest, drained by the job).
CREATE TABLE coaching_dirty (
  tenant_id text NOT NULL,
  rep_id    text NOT NULL,
  month     date NOT NULL,
  marked_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, rep_id, month)
);

CREATE TABLE coaching_settings (
  tenant_id  text PRIMARY KEY REFERENCES tenants(id),
  settings   jsonb NOT NULL,
  updated_by text,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Health per rep-month as last computed by the job: what intervention detection reads.
CREATE TABLE coaching_health_months (
  tenant_id   text NOT NULL,
  rep_id      text NOT NULL,
  month       date NOT NULL,
  score       double precision,        -- NULL: no metric applied that month
  metrics     jsonb NOT NULL,
  computed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, rep_id, month)
);

-- One intervention per rep per episode (an episode starts with its first month below threshold).
CREATE TABLE coaching_interventions (
  id            uuid PRIMARY KEY,
  tenant_id     text NOT NULL,
  rep_id        text NOT NULL,
  episode_start date NOT NULL,
  months        date[] NOT NULL,
  pack          jsonb NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, rep_id, episode_start)
);

-- The review queue: call-based suggestions and intervention packs awaiting a manager.
CREATE TABLE coaching_suggestions (
  id              uuid PRIMARY KEY,
  tenant_id       text NOT NULL,
  rep_id          text NOT NULL,
  kind            text NOT NULL CHECK (kind IN ('call', 'intervention')),
  rule            text NOT NULL,
  dedupe_key      text NOT NULL,
  recording_id    uuid,
  intervention_id uuid,
  status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'accepted', 'edited', 'dismissed')),
  text            text NOT NULL,
  better_wording  text,
  wording_model   text,
  evidence        jsonb NOT NULL DEFAULT '[]',
  details         jsonb NOT NULL DEFAULT '{}',
  review_note     text,
  reviewed_by     text,
  reviewed_at     timestamptz,
  created_at      timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, dedupe_key)
);
CREATE INDEX coaching_suggestions_queue ON coaching_suggestions (tenant_id, status, created_at DESC);
CREATE INDEX coaching_suggestions_rep ON coaching_suggestions (tenant_id, rep_id, created_at DESC);

CREATE TABLE coaching_review_audit (
  id            uuid PRIMARY KEY,
  tenant_id     text NOT NULL,
  suggestion_id uuid NOT NULL REFERENCES coaching_suggestions(id) ON DELETE CASCADE,
  actor         text NOT NULL,
  action        text NOT NULL CHECK (action IN ('accept', 'edit', 'dismiss')),
  before        jsonb NOT NULL,
  after         jsonb NOT NULL,
  note          text,
  at            timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX coaching_review_audit_suggestion ON coaching_review_audit (suggestion_id, at);
