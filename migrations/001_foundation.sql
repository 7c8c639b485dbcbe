-- Tenants, API keys and the recording pipeline.
CREATE EXTENSION IF NOT EXISTS vector;

CREATE TABLE tenants (
  id         text PRIMARY KEY,
  name       text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE api_keys (
  id         text PRIMARY KEY,
  tenant_id  text NOT NULL REFERENCES tenants(id),
  name       text NOT NULL DEFAULT '',
  key_hash   text NOT NULL UNIQUE,          -- sha256 of the key; the key itself is never stored
  prefix     text NOT NULL,                 -- first characters, so people can tell keys apart
  scopes     text[] NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  revoked_at timestamptz
);
CREATE INDEX api_keys_tenant ON api_keys (tenant_id);

CREATE TABLE recordings (
  id                uuid PRIMARY KEY,
  tenant_id         text NOT NULL REFERENCES tenants(id),
  external_id       text,
  lead_id           text,
  rep_id            text,
  source            text NOT NULL CHECK (source IN ('upload', 'import')),
  language          text NOT NULL DEFAULT 'auto',
  detected_language text,
  channel_layout    text NOT NULL DEFAULT 'mixed' CHECK (channel_layout IN ('mixed', 'rep-left', 'rep-right')),
  status            text NOT NULL CHECK (status IN ('queued', 'processing', 'transcribed', 'analyzed', 'failed')),
  stage             text,                   -- audio | transcribe | done
  progress          integer NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
  run               integer NOT NULL DEFAULT 1,   -- bumped by each retry; part of the job ids
  error_code        text,
  error_message     text,
  original_filename text,
  storage_dir       text,                   -- relative to DATA_DIR
  size_bytes        bigint,
  duration_sec      double precision,
  audio_format      text,
  audio_channels    integer,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX recordings_external_id ON recordings (tenant_id, external_id) WHERE external_id IS NOT NULL;
CREATE INDEX recordings_tenant_created ON recordings (tenant_id, created_at DESC);

-- One row per piece of audio sent to the speech provider; `result` makes a crashed job resumable.
CREATE TABLE recording_chunks (
  recording_id uuid NOT NULL REFERENCES recordings(id) ON DELETE CASCADE,
  tenant_id    text NOT NULL,
  idx          integer NOT NULL,
  channel      text NOT NULL CHECK (channel IN ('mono', 'left', 'right')),
  start_sec    double precision NOT NULL,
  end_sec      double precision NOT NULL,
  status       text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done')),
  result       jsonb,
  attempts     integer NOT NULL DEFAULT 0,
  updated_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (recording_id, idx)
);

CREATE TABLE transcript_segments (
  recording_id uuid NOT NULL REFERENCES recordings(id) ON DELETE CASCADE,
  tenant_id    text NOT NULL,
  idx          integer NOT NULL,
  speaker      text NOT NULL,
  role         text NOT NULL CHECK (role IN ('rep', 'customer', 'unknown')),
  start_sec    double precision NOT NULL,
  end_sec      double precision NOT NULL,
  text         text NOT NULL,
  PRIMARY KEY (recording_id, idx)
);
