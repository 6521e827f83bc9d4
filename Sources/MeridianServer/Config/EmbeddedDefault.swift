/// The text of `config/meridian.yaml`, compiled in so that `meridian serve` runs
/// with no file at all. A test checks the two stay identical.
let embeddedDefaultYAML = #"""
# Meridian's embedded default configuration: everything in one process
# (receiver, store and query API), listening on loopback.
# `meridian serve` uses exactly this when no --config is given;
# `meridian check config FILE` validates a file like it.

server:
  listen: 127.0.0.1:9280
  # all: receiver + store + queries in one process; center: a receiver in one
  # datacenter that forwards to the global layer; global: the aggregation layer.
  role: all

storage:
  data_dir: ./data
  # Samples older than their series' newest one are accepted when they are at
  # most this far behind the newest sample in the store (a center's queue
  # replaying a backlog after a partition heals). 0s refuses them all.
  out_of_order_window: 2h
  # The head is cut into immutable blocks of this span once it holds 1.5 spans.
  block_range: 2h
  # Blocks older than this (behind the newest sample) are deleted; 0s keeps all.
  retention: 15d
  # The oldest blocks are deleted while blocks take more than this; 0 = no limit.
  max_disk_bytes: 0
  wal:
    # A new WAL segment file starts when the current one reaches this size.
    segment_size: 64MiB
    # Checkpoint the head (compressed) and drop old segments once the segments
    # written since the last checkpoint add up to this much.
    checkpoint_after: 256MiB
    # fsync the WAL this often. Every acknowledged write is already handed to the
    # OS, so a crash of the process loses nothing; this bounds what a power loss
    # of the machine could take.
    fsync_interval: 1s

remote_write:
  # Largest accepted request body (snappy-compressed), and the largest it may
  # decompress to. Larger requests get 413.
  max_body_size: 32MiB
  max_decoded_size: 128MiB
  # A request holding more than any limit below is refused whole with 400 and
  # a message naming the limit (the sender drops it, never retries); nothing
  # of it is stored. The defaults are far above what real senders write:
  # Prometheus 2.42 sends at most 500 samples and 500 metadata entries a
  # request by default (2,000 in later releases), vmagent 10,000 samples and
  # 5,000 metadata entries.
  # Labels on one series, __name__ included (Mimir's max_label_names_per_series).
  max_labels_per_series: 30
  # Bytes of one label name, and of one label value (metric names included).
  max_label_name_length: 1024
  max_label_value_length: 2048
  # Series, float samples and metric metadata entries in one request.
  max_series_per_request: 100000
  max_samples_per_request: 1000000
  max_metadata_per_request: 10000

center:
  # This center's name (required for role center; --center NAME). Every
  # series accepted gets center="NAME" when it lacks one; a series that
  # carries another center is refused with 400.
  name: ""
  # More labels added to every series that lacks them (its own value wins).
  external_labels: {}
  # Data a center keeps locally (role center only; the global layer keeps
  # storage.retention): enough to query the center on its own while its link
  # is down. 0s: storage.retention.
  retention: 2d
  # A center forwarding upstream writes heartbeat series this often
  # (meridian_center_heartbeat_timestamp_seconds and companions), so the
  # global layer can tell a down link from a center whose senders stopped.
  heartbeat_interval: 5s

centers:
  # How the global layer (or an all-in-one process) judges each center in
  # /api/v1/centers and meridian_center_* metrics: live while its newest
  # sample is at most lagging_after old; silent when the center is reachable
  # (heartbeats arrive) but its data is older than silent_after; and its link
  # down, state lagging, when nothing at all has arrived for link_timeout.
  lagging_after: 30s
  silent_after: 30s
  link_timeout: 15s

ha:
  # Two (or more) Prometheus replicas scraping the same targets, told apart
  # by this external label, are stored once: one replica is elected per
  # center and cluster, and the others' samples are held in memory only.
  # Prometheus' __replica__ is accepted too. The label is removed from stored
  # series. "" turns deduplication off.
  replica_label: replica
  cluster_label: cluster
  # Fail over when the elected replica's newest sample is this far behind a
  # standby's (sample time, not arrival time). The standby's samples since
  # the old replica's newest are stored at once: no gap, no false counter
  # reset. Its recent samples are held in memory (at most
  # max_buffered_samples per standby replica) for that.
  failover_timeout: 15s
  max_buffered_samples: 1000000

forward:
  # Remote-write URLs the accepted samples are forwarded to (required for
  # role center; --upstream URL, repeatable): a Meridian global layer, or any
  # remote-write receiver. Each upstream has its own cursor and connections.
  upstreams: []
  # Disk the forward log (data_dir/forward) may take. Every acknowledged write
  # is logged once for all upstreams; an upstream that is down lets it grow.
  # Past this the oldest segments are deleted, and each upstream that had not
  # received them reports what it gave up (log line, metric
  # meridian_forward_given_up_samples_total, /api/v1/status/forward).
  # 0 = no limit but the disk.
  max_disk_bytes: 10GiB
  segment_size: 64MiB
  # Connections per upstream; a series always uses the same one, so its
  # samples arrive in order.
  shards: 4
  max_samples_per_send: 5000
  max_pending_samples_per_shard: 50000
  request_timeout: 30s
  # Retries (5xx, 429, connection errors) wait from min_backoff, doubling up
  # to max_backoff, with jitter; a longer Retry-After is obeyed (up to 5m).
  min_backoff: 100ms
  max_backoff: 5s

query:
  # A query running longer than this fails with 503 (errorType timeout).
  timeout: 2m
  # A query holding more samples than this in memory fails with 422.
  max_samples: 50000000
  # How far back an instant selector looks for a sample (and staleness).
  lookback_delta: 5m
  # Queries that run at once, each on a thread of the query pool (as
  # Prometheus' --query.max-concurrency); more wait in a queue, and their wait
  # counts toward their timeout.
  max_concurrency: 20
  # Queries that may wait in that queue; more are refused with 503.
  max_queued: 200
  # The memory all running queries together may hold (their points, series
  # and responses, charged before they are allocated): a share of the
  # machine's RAM, or a size such as 4GiB. A query that would pass it fails
  # with 503, and new queries are refused while it is reached.
  max_memory: 25%

scoring:
  # The health engine: every interval it evaluates the signals below per
  # center (and per center and service), scores each 0..1, and publishes
  # up/degraded/down/unknown for a DNS GSLB or load balancer to follow
  # (/api/v1/health, the HAProxy agent, overrides). false turns it all off.
  enabled: true
  # Time between evaluation rounds.
  interval: 5s
  # Hysteresis, as HAProxy's: a state follows worse evaluations only after
  # `fall` in a row, and better ones only after `rise` in a row.
  fall: 3
  rise: 5
  # A health score (the weighted mean of the signals' scores, 0 to 1) at or
  # above up_at is up; at or above degraded_at is degraded; below it, down.
  up_at: 0.8
  degraded_at: 0.5
  # A center whose newest sample is older than stale_after has no fresh data:
  # it is unknown, and goes down once it has been unknown for grace.
  stale_after: 15s
  grace: 30s
  # Fail-open: when fewer centers than this are up or degraded, traffic goes
  # to all of them (and the feed says so) rather than to none.
  min_healthy_centers: 1
  # A discovered service with no data for this long leaves the feed.
  forget_after: 1h
  # Where the signals are queried: a Prometheus-compatible base URL (e.g.
  # http://127.0.0.1:9090, or a VictoriaMetrics, Mimir or Thanos query
  # endpoint). "" = this process's own store.
  query_url: ""
  # HOST:PORT of the HAProxy agent-check responder (e.g. 0.0.0.0:9281);
  # "" = off.
  agent_listen: ""
  # When set, reading the health feed needs "Authorization: Bearer TOKEN";
  # "" = the read-only feed is open. feed_token_file: PATH reads it from a file.
  feed_token: ""
  # The token of POST and DELETE /api/v1/overrides (pinning a center up or
  # down); "" = overrides are refused. override_token_file: PATH reads it
  # from a file.
  override_token: ""
  # The centers: name (the `center` label value), capacity (its share of
  # traffic when all are healthy), answers (what a DNS GSLB should answer for
  # it) and serves (the regions or ISPs it serves). Empty = discovered from
  # the `center` label, each with capacity 1. For example:
  #   centers:
  #     - name: bj
  #       capacity: 2
  #       answers: [203.0.113.10, 203.0.113.11]
  #       serves: [north]
  centers: []
  # User regions (or ISPs), each with the centers its users prefer, best
  # first. For example:
  #   regions:
  #     - name: north
  #       prefer: [bj, sh, gz]
  regions: []
  # Services always shown in the feed; more are discovered from the `service`
  # label.
  services: []
  # The signals: each expression gives one value per center (and service),
  # grouped by `center` and optionally `service`. A value at or beyond good
  # scores 1, at or beyond bad 0, linear in between (good < bad: lower is
  # better). weight is its share of the health score; latency: true also
  # makes it part of the latency score that orders a region's equally
  # healthy centers. down_above / down_below veto: past them the entity is
  # down whatever its score. enabled: false keeps a signal here unevaluated.
  # This list replaces the built-in one whole.
  signals:
    - name: error_ratio
      expr: >-
        (sum by (center, service) (rate(http_requests_total{code=~"5.."}[1m]))
        or sum by (center, service) (rate(http_requests_total[1m])) * 0)
        / sum by (center, service) (rate(http_requests_total[1m]))
      good: 0.01
      bad: 0.05
      weight: 3
      down_above: 0.2
    - name: latency_p99
      expr: >-
        histogram_quantile(0.99, sum by (center, service, le)
        (rate(http_request_duration_seconds_bucket[1m])))
      good: 0.5
      bad: 2
      weight: 2
      latency: true
    - name: availability
      expr: avg by (center, service) (up)
      good: 1
      bad: 0.5
      weight: 2
      down_below: 0.5
    - name: saturation
      expr: max by (center, service) (saturation_ratio)
      good: 0.8
      bad: 0.95
      weight: 1
      enabled: false
"""#
