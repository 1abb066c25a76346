// Package bench measures Meridian's performance targets (see
// docs/BENCHMARKS.md): event-store append throughput, command to read-model
// visibility latency, and outbox publish throughput compared with raw
// JetStream publishing. The meridian-bench command runs the scenarios and
// prints a Markdown table; the testing.B benchmarks next to the packages
// (store_bench_test.go, relay_bench_test.go) reuse the payloads defined here.
//
// Nothing here runs under a plain `go test ./...` except a smoke test of a
// fraction of a second per scenario.
package bench
