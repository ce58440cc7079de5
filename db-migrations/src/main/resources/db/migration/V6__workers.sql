-- Every worker process (the api's embedded pool or a standalone worker) registers here at start, rewrites its row at
-- each heartbeat (the jobs it runs now) and marks it stopped on a graceful shutdown. A worker that dies leaves a
-- 'running' row whose heartbeat_at stops moving: readers call it stale by its age. Informational only: leases on
-- jobs, not this table, decide who owns a job.
CREATE TABLE workers (
    id            text PRIMARY KEY,                  -- host:pid:poolN, the prefix of its jobs' lease_owner
    host          text NOT NULL,
    pid           bigint NOT NULL,
    device        text NOT NULL,                     -- resolved: cpu or cuda:N
    version       text NOT NULL,
    threads       integer NOT NULL,
    state         text NOT NULL CHECK (state IN ('running', 'stopped')),
    running_jobs  uuid[] NOT NULL DEFAULT '{}',
    started_at    timestamptz NOT NULL DEFAULT now(),
    heartbeat_at  timestamptz NOT NULL DEFAULT now(),
    stopped_at    timestamptz
);
CREATE INDEX workers_heartbeat_idx ON workers (heartbeat_at DESC);

-- Where a job's latest attempt runs (or ran): the claiming worker's device and id.
ALTER TABLE jobs ADD COLUMN device text;
ALTER TABLE jobs ADD COLUMN worker_id text;
