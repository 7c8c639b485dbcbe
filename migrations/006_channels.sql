-- Delivery channels besides the CRM webhooks. A WeCom group-robot message travels with its event
-- ({ webhookUrl, markdown }); it is kept apart from `payload`, so it never enters the signed CRM body.
ALTER TABLE outbox_events ADD COLUMN wecom jsonb;

-- One delivery per event and channel, with its attempts, like webhook_deliveries per endpoint:
-- a retried deliver job skips a channel that already succeeded.
CREATE TABLE channel_deliveries (
  id           uuid PRIMARY KEY,
  tenant_id    text NOT NULL,
  event_id     uuid NOT NULL REFERENCES outbox_events(id) ON DELETE CASCADE,
  channel      text NOT NULL CHECK (channel IN ('wecom')),
  status       text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
  attempts     integer NOT NULL DEFAULT 0,
  last_status  integer,                     -- HTTP status of the last attempt
  last_error   text,                        -- e.g. "errcode 93000: invalid webhook url"
  delivered_at timestamptz,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  UNIQUE (event_id, channel)
);
CREATE INDEX channel_deliveries_tenant ON channel_deliveries (tenant_id, created_at DESC);
