package broker_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/meridianhq/meridian/internal/broker"
	"github.com/meridianhq/meridian/internal/broker/brokertest"
)

var discard = slog.New(slog.DiscardHandler)

func TestEmbedded(t *testing.T) {
	t.Parallel()
	brokertest.Run(t, func(t *testing.T) *broker.Broker {
		b, err := broker.Open(context.Background(), broker.Config{DataDir: t.TempDir()}, discard)
		if err != nil {
			t.Fatalf("open embedded broker: %v", err)
		}
		t.Cleanup(b.Close)
		if !b.Embedded() {
			t.Error("Embedded() = false for a broker without URL")
		}
		return b
	})
}

func TestExternal(t *testing.T) {
	t.Parallel()
	url := externalURL(t)
	brokertest.Run(t, func(t *testing.T) *broker.Broker {
		return openExternal(t, url)
	})
}

// externalURL returns the test NATS server's URL (MERIDIAN_TEST_NATS_URL,
// default nats://127.0.0.1:4222). It skips the test when the server is
// unreachable, or fails it when CI=true.
func externalURL(t testing.TB) string {
	t.Helper()
	url := os.Getenv("MERIDIAN_TEST_NATS_URL")
	if url == "" {
		url = "nats://127.0.0.1:4222"
	}
	reach.once.Do(func() {
		nc, err := nats.Connect(url, nats.Timeout(3*time.Second), nats.MaxReconnects(0))
		if err != nil {
			reach.err = err
			return
		}
		nc.Close()
	})
	if reach.err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("NATS not reachable at %s: %v (CI=true requires it)", url, reach.err)
		}
		t.Skipf("NATS not reachable at %s: %v; set CI=true to require it", url, reach.err)
	}
	return url
}

var reach struct {
	once sync.Once
	err  error
}

// openExternal opens a broker on the shared server with its own stream and
// subject prefix, and deletes the stream when the test ends.
func openExternal(t testing.TB, url string) *broker.Broker {
	t.Helper()
	suffix := randomHex(t)
	cfg := broker.Config{
		URL:           url,
		Stream:        "MERIDIAN_TEST_" + strings.ToUpper(suffix),
		SubjectPrefix: "meridiantest." + suffix + ".",
	}
	b, err := broker.Open(context.Background(), cfg, discard)
	if err != nil {
		t.Fatalf("open broker at %s: %v", url, err)
	}
	if b.Embedded() {
		t.Error("Embedded() = true for a broker with a URL")
	}
	t.Cleanup(b.Close)
	t.Cleanup(func() { // runs before Close
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := b.JetStream().DeleteStream(ctx, cfg.Stream); err != nil {
			t.Errorf("delete stream %s: %v", cfg.Stream, err)
		}
	})
	return b
}

func randomHex(t testing.TB) string {
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

func TestOpenUnreachable(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	b, err := broker.Open(ctx, broker.Config{URL: "nats://127.0.0.1:1"}, discard)
	if err == nil {
		b.Close()
		t.Fatal("Open of an unreachable URL succeeded")
	}
}
