# Meridian: `make run` starts it with the embedded default config,
# `make test` runs the whole test suite, `make bench` runs the benchmarks.
SWIFT ?= swift
BENCH_DIR ?= $(abspath ../shared/bench)
RUN_PACKAGES = libsnappy-dev zlib1g-dev libre2-dev
TEST_PACKAGES = $(RUN_PACKAGES) prometheus victoria-metrics haproxy pdns-server pdns-backend-bind bind9-dnsutils
BENCH_PACKAGES = $(RUN_PACKAGES) prometheus victoria-metrics python3-pip wrk

.PHONY: run test bench build release format

run:
	@scripts/ensure-packages.sh $(RUN_PACKAGES)
	$(SWIFT) build -c release --product meridian
	.build/release/meridian serve

build:
	@scripts/ensure-packages.sh $(RUN_PACKAGES)
	$(SWIFT) build

release:
	@scripts/ensure-packages.sh $(RUN_PACKAGES)
	$(SWIFT) build -c release --product meridian

# Builds everything (the integration tests start the meridian binary and a
# real Prometheus and VictoriaMetrics), then runs every test; a missing
# Prometheus or VictoriaMetrics is a failure.
test:
	@scripts/ensure-packages.sh $(TEST_PACKAGES)
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

bench:
	@scripts/ensure-packages.sh $(BENCH_PACKAGES)
	BENCH_DIR=$(BENCH_DIR) scripts/bench.sh

format:
	$(SWIFT) format --in-place --recursive Sources Tests Package.swift
