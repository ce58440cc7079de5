-- SliceFine schema, version 1. This file and its successors are the only definition of the schema.
-- Conventions: uuid primary keys for resources a client sees, bigserial for append-only rows,
-- timestamptz everywhere, states as text with a CHECK so a new state is one migration away.

CREATE TABLE tenants (
    id          uuid PRIMARY KEY,
    name        text NOT NULL UNIQUE,
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- Keys are stored as sha256(secret); the prefix (first characters of the secret, not enough to
-- guess it) finds the candidates, and the hash is compared in constant time.
CREATE TABLE api_keys (
    id            uuid PRIMARY KEY,
    tenant_id     uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    name          text NOT NULL,
    prefix        text NOT NULL,
    key_hash      bytea NOT NULL UNIQUE,
    admin         boolean NOT NULL DEFAULT false,
    created_at    timestamptz NOT NULL DEFAULT now(),
    last_used_at  timestamptz,
    revoked_at    timestamptz
);
CREATE INDEX api_keys_prefix_idx ON api_keys (prefix);
CREATE INDEX api_keys_tenant_idx ON api_keys (tenant_id);

-- Content-addressed blobs with a reference count; the file is deleted with the last reference.
CREATE TABLE blobs (
    sha256      text PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    size        bigint NOT NULL CHECK (size >= 0),
    ref_count   integer NOT NULL CHECK (ref_count >= 0),
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE models (
    id             uuid PRIMARY KEY,
    tenant_id      uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    name           text NOT NULL,
    status         text NOT NULL CHECK (status IN ('validating', 'ready', 'invalid')),
    source_format  text NOT NULL CHECK (source_format IN ('files', 'zip', 'tar', 'tar.gz')),
    sha256         text NOT NULL,           -- digest of the manifest: sorted "path sha256" lines
    upload_sha256  text,                    -- digest of the uploaded archive, when one was uploaded
    total_size     bigint NOT NULL,
    report         jsonb,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX models_tenant_created_idx ON models (tenant_id, created_at DESC, id DESC);
CREATE INDEX models_validating_idx ON models (status) WHERE status = 'validating';

CREATE TABLE model_files (
    model_id     uuid NOT NULL REFERENCES models (id) ON DELETE CASCADE,
    path         text NOT NULL,
    blob_sha256  text NOT NULL REFERENCES blobs (sha256),
    size         bigint NOT NULL,
    PRIMARY KEY (model_id, path)
);
CREATE INDEX model_files_blob_idx ON model_files (blob_sha256);

CREATE TABLE datasets (
    id            uuid PRIMARY KEY,
    tenant_id     uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    name          text NOT NULL,
    format        text NOT NULL CHECK (format IN ('jsonl', 'csv', 'imagefolder')),
    status        text NOT NULL CHECK (status IN ('validating', 'ready', 'invalid')),
    filename      text NOT NULL,
    blob_sha256   text NOT NULL REFERENCES blobs (sha256),
    size          bigint NOT NULL,
    text_field    text,
    label_field   text,
    report        jsonb,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX datasets_tenant_created_idx ON datasets (tenant_id, created_at DESC, id DESC);
CREATE INDEX datasets_blob_idx ON datasets (blob_sha256);
CREATE INDEX datasets_validating_idx ON datasets (status) WHERE status = 'validating';

-- Resumable uploads (tus-style): the bytes live in <data-dir>/uploads/<id>.part until completed.
CREATE TABLE uploads (
    id            uuid PRIMARY KEY,
    tenant_id     uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    purpose       text NOT NULL CHECK (purpose IN ('model', 'dataset')),
    filename      text NOT NULL,
    total_size    bigint NOT NULL CHECK (total_size >= 0),
    metadata      jsonb NOT NULL DEFAULT '{}'::jsonb,
    status        text NOT NULL CHECK (status IN ('open', 'completed')),
    result_id     uuid,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX uploads_tenant_idx ON uploads (tenant_id, created_at DESC);

-- Jobs: the queue is this table. A worker claims the oldest queued job with
--   SELECT ... WHERE status = 'queued' ORDER BY priority DESC, queued_at, id FOR UPDATE SKIP LOCKED LIMIT 1
-- then sets status = 'running', lease_owner, lease_expires_at and increments attempt. It renews the lease with
-- heartbeats; a running job whose lease expired goes back to 'queued' (or 'failed' after max_attempts).
CREATE TABLE jobs (
    id                uuid PRIMARY KEY,
    tenant_id         uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    -- SET NULL: a finished job outlives the model or dataset it used; a live job blocks their deletion.
    model_id          uuid REFERENCES models (id) ON DELETE SET NULL,
    dataset_id        uuid REFERENCES datasets (id) ON DELETE SET NULL,
    eval_dataset_id   uuid REFERENCES datasets (id) ON DELETE SET NULL,
    name              text,
    status            text NOT NULL CHECK (status IN ('validating', 'queued', 'running', 'succeeded', 'failed', 'cancelled')),
    cancel_requested  boolean NOT NULL DEFAULT false,
    config            jsonb NOT NULL DEFAULT '{}'::jsonb,
    idempotency_key   text,
    priority          integer NOT NULL DEFAULT 0,
    attempt           integer NOT NULL DEFAULT 0,
    max_attempts      integer NOT NULL DEFAULT 3 CHECK (max_attempts >= 1),
    lease_owner       text,
    lease_expires_at  timestamptz,
    heartbeat_at      timestamptz,
    checkpoint        jsonb,                -- where a resumed attempt starts (step, blob of the saved state)
    last_event_seq    bigint NOT NULL DEFAULT 0,
    error_code        text,
    error_message     text,
    created_at        timestamptz NOT NULL DEFAULT now(),
    queued_at         timestamptz,
    started_at        timestamptz,
    finished_at       timestamptz,
    updated_at        timestamptz NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, idempotency_key),
    CHECK (status <> 'running' OR lease_owner IS NOT NULL)
);
CREATE INDEX jobs_queue_idx ON jobs (priority DESC, queued_at, id) WHERE status = 'queued';
CREATE INDEX jobs_lease_idx ON jobs (lease_expires_at) WHERE status = 'running';
CREATE INDEX jobs_tenant_created_idx ON jobs (tenant_id, created_at DESC, id DESC);
CREATE INDEX jobs_model_live_idx ON jobs (model_id) WHERE status IN ('validating', 'queued', 'running');
CREATE INDEX jobs_dataset_live_idx ON jobs (dataset_id) WHERE status IN ('validating', 'queued', 'running');
CREATE INDEX jobs_eval_dataset_live_idx ON jobs (eval_dataset_id) WHERE status IN ('validating', 'queued', 'running');

-- Every transition and notable happening is an event. seq increases by one per job (taken from
-- jobs.last_event_seq in the same transaction) and is the SSE id, so Last-Event-ID resumes a stream.
CREATE TABLE job_events (
    id           bigserial PRIMARY KEY,
    job_id       uuid NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    seq          bigint NOT NULL,
    type         text NOT NULL,          -- status, log, checkpoint, artifact, error
    from_status  text,
    to_status    text,
    code         text,                   -- machine-readable, for errors
    message      text,
    data         jsonb,
    created_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (job_id, seq)
);

CREATE TABLE job_metrics (
    id                 bigserial PRIMARY KEY,
    job_id             uuid NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    step               bigint NOT NULL,
    epoch              double precision,
    split              text NOT NULL DEFAULT 'train' CHECK (split IN ('train', 'eval')),
    loss               double precision,
    learning_rate      double precision,
    tokens_per_second  double precision,
    eval_metrics       jsonb,            -- e.g. {"accuracy": 0.91, "f1": 0.88}
    created_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX job_metrics_job_step_idx ON job_metrics (job_id, id);

CREATE TABLE artifacts (
    id           uuid PRIMARY KEY,
    tenant_id    uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    job_id       uuid NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    kind         text NOT NULL CHECK (kind IN ('diff', 'merged', 'peft')),
    blob_sha256  text NOT NULL REFERENCES blobs (sha256),
    size         bigint NOT NULL,
    filename     text NOT NULL,
    metadata     jsonb,
    created_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (job_id, kind)
);
CREATE INDEX artifacts_blob_idx ON artifacts (blob_sha256);
