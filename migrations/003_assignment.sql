-- Lead assignment: reps, leads, outcomes, versioned rule sets and the assignment log.

CREATE TABLE reps (
  tenant_id        text NOT NULL REFERENCES tenants(id),
  id               text NOT NULL,
  name             text NOT NULL DEFAULT '',
  email            text,
  industries       text[] NOT NULL DEFAULT '{}',   -- hierarchical paths: education/vocational
  skills           text[] NOT NULL DEFAULT '{}',
  capacity         integer NOT NULL CHECK (capacity >= 0),
  active           boolean NOT NULL DEFAULT true,
  timezone         text NOT NULL DEFAULT 'Asia/Shanghai',
  working_hours    jsonb,
  wecom_webhook    text,
  open_leads       integer NOT NULL DEFAULT 0 CHECK (open_leads >= 0),
  last_assigned_at timestamptz,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);

CREATE TABLE leads (
  tenant_id      text NOT NULL REFERENCES tenants(id),
  id             text NOT NULL,
  source         text NOT NULL,
  industry       text NOT NULL,
  budget_band    text,
  tech_need      text,
  region         text,
  intent_score   double precision,
  concerns       text[] NOT NULL DEFAULT '{}',
  company        text,
  contact_name   text,
  status         text NOT NULL CHECK (status IN ('assigned', 'pool', 'closed')),
  rep_id         text,
  assigned_at    timestamptz,
  first_touch_at timestamptz,
  sla_deadline   timestamptz,
  sla_state      text CHECK (sla_state IN ('pending', 'met', 'breached')),
  sla_round      integer NOT NULL DEFAULT 0,     -- bumped per assignment: one SLA check per deadline
  created_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX leads_rep ON leads (tenant_id, rep_id) WHERE status = 'assigned';
CREATE INDEX leads_sla ON leads (sla_deadline) WHERE sla_state = 'pending';

CREATE TABLE lead_outcomes (
  tenant_id  text NOT NULL REFERENCES tenants(id),
  id         text NOT NULL,
  lead_id    text,
  rep_id     text NOT NULL,
  segment    text NOT NULL DEFAULT 'general',
  result     text NOT NULL CHECK (result IN ('won', 'lost')),
  closed_at  timestamptz NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX lead_outcomes_window ON lead_outcomes (tenant_id, closed_at);

CREATE TABLE assignment_rule_sets (
  tenant_id  text NOT NULL REFERENCES tenants(id),
  version    integer NOT NULL,
  rules      jsonb NOT NULL,
  created_by text,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, version)
);

CREATE TABLE assignment_log (
  id              uuid PRIMARY KEY,
  tenant_id       text NOT NULL,
  lead_id         text NOT NULL,
  kind            text NOT NULL CHECK (kind IN ('auto', 'pool', 'import', 'override', 'claim', 'sla_reassign', 'sla_escalate')),
  rep_id          text,
  previous_rep_id text,
  rule_version    integer,
  score           double precision,
  industry_match  double precision,
  breakdown       jsonb,
  reasons         text[] NOT NULL DEFAULT '{}',
  candidates      jsonb,
  note            text,                          -- override reason, pool reason
  actor           text,                          -- API key id for manual actions
  created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX assignment_log_tenant_time ON assignment_log (tenant_id, created_at DESC);
CREATE INDEX assignment_log_rep ON assignment_log (tenant_id, rep_id, created_at DESC);
