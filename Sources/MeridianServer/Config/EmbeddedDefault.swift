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
  # datacenter; global: the aggregation layer.
  role: all
  # This center's name (role center): the center="..." label of its series.
  center: ""
  # Remote-write URLs of the global layer that a center forwards to.
  upstreams: []

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
"""#
