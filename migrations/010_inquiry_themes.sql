-- Cached theme clusterings, one per (tenant, industry, window length). Clustering 20,000 inquiries
-- takes tens of seconds, so GET /v1/inquiries/themes answers from here and a job recomputes.
-- `stamp` is the number of inquiries in the clustered span (both windows) when the result was
-- computed, `window_to` the day after the window's last day: the result is fresh while both still
-- match (inquiries are never deleted, so a new inquiry in the span always moves the count).

CREATE TABLE inquiry_theme_sets (
  tenant_id    text NOT NULL REFERENCES tenants(id),
  industry     text NOT NULL,
  days         integer NOT NULL,
  state        text NOT NULL CHECK (state IN ('queued', 'running', 'idle', 'failed')),
  progress     integer NOT NULL DEFAULT 0,
  -- what the running or queued job will produce: a refresh is not queued twice for the same stamp
  target_stamp bigint,
  target_to    date,
  result       jsonb,
  stamp        bigint,
  window_to    date,
  computed_at  timestamptz,
  error        text,
  updated_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, industry, days)
);
