package wsbench

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"
)

func TestMain(m *testing.M) {
	ServeIfChild() // the servers are this test binary run again
	os.Exit(m.Run())
}

// TestSmallRun runs the whole scenario small: every connection is held
// and counted by the server, every publish reaches every subscriber of
// every server, and the report has its rows. No timing is checked.
func TestSmallRun(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	res, err := Run(ctx, Config{Conns: 300, IdleCentrifuge: true, Subscribers: 200, Rounds: 3, Warmup: 1, Gap: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Idle) != 2 || res.Idle[0].After.Subscribers != 300 || res.Idle[1].After.Subscribers != 300 {
		t.Fatalf("idle: %+v", res.Idle)
	}
	f := res.Fanout
	for _, k := range f.Servers {
		if f.Missing[k] != 0 || len(f.Latency[k]) != 3 || f.All(k).N != 3*200 {
			t.Errorf("%s: %d missing, %d rounds, %d deliveries", k, f.Missing[k], len(f.Latency[k]), f.All(k).N)
		}
	}
	if len(f.Servers) != 3 {
		t.Errorf("fan-out servers %v", f.Servers)
	}
	if rows := res.Rows(); len(rows) != 7 { // 2 idle, 3 fan-out, 2 ratios
		t.Errorf("%d rows", len(rows))
	}
	var md strings.Builder
	res.WriteMarkdown(&md)
	for _, want := range []string{"| meridian p50 |", "| centrifuge p50 |", "| floor p50 |", "\n| 3 |", "\n| all |"} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("per-round table lacks %q:\n%s", want, md.String())
		}
	}
}

func TestStampOf(t *testing.T) {
	b := payload(123456789, 7, jobJSON())
	for _, frame := range [][]byte{
		append(append([]byte(`{"type":"message","id":3,"channel":"jobs.new","data":`), b...), '}'),
		append(append([]byte(`{"push":{"channel":"jobs.new","pub":{"data":`), b...), []byte(`}}}`)...),
	} {
		if s, r, ok := stampOf(frame); !ok || s != 123456789 || r != 7 {
			t.Errorf("%s: %d %d %v", frame, s, r, ok)
		}
	}
	var got []int
	reply := centrifugeProto{}.message([]byte("{}\n"+`{"push":{"pub":{"data":`+string(payload(5, 2, []byte("{}")))+`}}}`), func(_ int64, r int) { got = append(got, r) })
	if string(reply) != "{}" || len(got) != 1 || got[0] != 2 {
		t.Errorf("batched frame: reply %q, rounds %v", reply, got)
	}
}

// BenchmarkFanout publishes one event to 200 subscribers per server; an
// op is one publish fully delivered. It reports the delivery
// percentiles; the full-size run is meridian-bench -scenario ws.
func BenchmarkFanout(b *testing.B) {
	ctx := context.Background()
	res, err := Run(ctx, Config{Subscribers: 200, Rounds: b.N, Warmup: 1, Gap: time.Millisecond})
	if err != nil {
		b.Fatal(err)
	}
	for _, k := range res.Fanout.Servers {
		l := res.Fanout.All(k)
		b.ReportMetric(float64(l.P50.Microseconds()), k+"-p50-µs")
		b.ReportMetric(float64(l.P99.Microseconds()), k+"-p99-µs")
	}
}

// BenchmarkIdle holds 1,000 idle connections on Meridian and reports the
// server's memory per connection.
func BenchmarkIdle(b *testing.B) {
	for b.Loop() {
		res, err := Run(context.Background(), Config{Conns: 1000, Settle: 100 * time.Millisecond})
		if err != nil {
			b.Fatal(err)
		}
		i := res.Idle[0]
		b.ReportMetric(i.Per(func(s Stats) uint64 { return s.HeapInuse + s.StackInuse }), "heap+stack-B/conn")
		b.ReportMetric(i.Per(func(s Stats) uint64 { return s.RSS }), "rss-B/conn")
	}
}
