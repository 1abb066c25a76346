package webhook_test

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/meridianhq/meridian/internal/webhook"
)

// clock is a settable clock for Verifier.Now.
type clock struct{ t atomic.Int64 }

func newClock(unix int64) *clock {
	c := &clock{}
	c.t.Store(unix)
	return c
}
func (c *clock) Now() time.Time      { return time.Unix(c.t.Load(), 0) }
func (c *clock) Add(d time.Duration) { c.t.Add(int64(d / time.Second)) }

func specHeader() http.Header {
	h := http.Header{}
	h.Set("webhook-id", specID)
	h.Set("webhook-timestamp", fmt.Sprint(specTimestamp))
	h.Set("webhook-signature", specSignature)
	return h
}

func TestVerifyKnownAnswer(t *testing.T) {
	v := &webhook.Verifier{
		Secrets: [][]byte{mustSecret(t, specSecret)},
		Now:     newClock(specTimestamp).Now,
	}
	if err := v.Verify(specHeader(), []byte(specBody)); err != nil {
		t.Fatalf("spec vector: %v", err)
	}

	// The reference libraries' multi-signature case: unknown versions and
	// wrong v1 signatures around the right one.
	h := specHeader()
	h.Set("webhook-signature", strings.Join([]string{
		"v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=",
		"v2,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=",
		specSignature,
		"v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=",
	}, " "))
	v = &webhook.Verifier{Secrets: [][]byte{mustSecret(t, specSecret)}, Now: newClock(specTimestamp).Now}
	if err := v.Verify(h, []byte(specBody)); err != nil {
		t.Fatalf("multi-signature header: %v", err)
	}
}

func TestVerifyRotationKnownAnswer(t *testing.T) {
	k1, k2 := mustSecret(t, rotSecret1), mustSecret(t, rotSecret2)
	for _, tc := range []struct {
		name   string
		header string
		keys   [][]byte
		want   error
	}{
		{"sig 1, key 1", rotSig1, [][]byte{k1}, nil},
		{"sig 1, key 2", rotSig1, [][]byte{k2}, webhook.ErrNoMatchingSignature},
		{"sig 1, keys 1 and 2", rotSig1, [][]byte{k1, k2}, nil},
		{"sig 2, key 1", rotSig2, [][]byte{k1}, webhook.ErrNoMatchingSignature},
		{"sig 2, key 2", rotSig2, [][]byte{k2}, nil},
		{"sig 2, keys 2 and 1", rotSig2, [][]byte{k2, k1}, nil},
		{"both sigs, key 1", rotSig1 + " " + rotSig2, [][]byte{k1}, nil},
		{"both sigs, key 2", rotSig1 + " " + rotSig2, [][]byte{k2}, nil},
	} {
		v := &webhook.Verifier{Secrets: tc.keys, Now: newClock(rotTimestamp).Now}
		h := http.Header{}
		h.Set("webhook-id", rotID)
		h.Set("webhook-timestamp", fmt.Sprint(rotTimestamp))
		h.Set("webhook-signature", tc.header)
		if err := v.Verify(h, []byte(rotBody)); !errors.Is(err, tc.want) {
			t.Errorf("%s: Verify = %v, want %v", tc.name, err, tc.want)
		}
	}
}

// fixture signs messages with key at the clock's time.
type fixture struct {
	t     *testing.T
	clock *clock
	keys  [][]byte
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	k1, err := webhook.NewSecret()
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{t: t, clock: newClock(1_750_000_000), keys: [][]byte{mustSecret(t, k1)}}
}

func (f *fixture) verifier() *webhook.Verifier {
	return &webhook.Verifier{Secrets: f.keys, Now: f.clock.Now}
}

func (f *fixture) sign(id string, ts time.Time, body string) http.Header {
	f.t.Helper()
	h, err := webhook.Headers(f.keys, id, ts, []byte(body))
	if err != nil {
		f.t.Fatal(err)
	}
	return h
}

func TestVerifyRoundTrip(t *testing.T) {
	f := newFixture(t)
	v := f.verifier()
	for i := range 10 {
		id, err := webhook.NewID()
		if err != nil {
			t.Fatal(err)
		}
		body := fmt.Sprintf(`{"type":"application.created","n":%d}`, i)
		if err := v.Verify(f.sign(id, f.clock.Now(), body), []byte(body)); err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
	}
	// An empty body is signed and verified like any other.
	if err := v.Verify(f.sign("msg_empty", f.clock.Now(), ""), nil); err != nil {
		t.Fatalf("empty body: %v", err)
	}
}

func TestVerifyRejectsTampering(t *testing.T) {
	f := newFixture(t)
	now := f.clock.Now()
	body := `{"type":"application.created","data":{"id":"app_1"}}`
	for _, tc := range []struct {
		name   string
		change func(h http.Header) string // returns the body to verify
	}{
		{"body", func(http.Header) string { return strings.Replace(body, "app_1", "app_2", 1) }},
		{"body with trailing newline", func(http.Header) string { return body + "\n" }},
		{"body re-encoded", func(http.Header) string { return strings.ReplaceAll(body, ":", ": ") }},
		{"empty body", func(http.Header) string { return "" }},
		{"id", func(h http.Header) string { h.Set("webhook-id", "msg_2"); return body }},
		{"timestamp within tolerance", func(h http.Header) string {
			h.Set("webhook-timestamp", fmt.Sprint(now.Unix()-1))
			return body
		}},
		{"signature byte", func(h http.Header) string {
			s := []byte(h.Get("webhook-signature"))
			s[5] ^= 1
			h.Set("webhook-signature", string(s))
			return body
		}},
		{"signature truncated", func(h http.Header) string {
			h.Set("webhook-signature", h.Get("webhook-signature")[:20])
			return body
		}},
		{"signature relabelled v1a", func(h http.Header) string {
			h.Set("webhook-signature", "v1a"+strings.TrimPrefix(h.Get("webhook-signature"), "v1"))
			return body
		}},
		{"signature relabelled v2", func(h http.Header) string {
			h.Set("webhook-signature", "v2"+strings.TrimPrefix(h.Get("webhook-signature"), "v1"))
			return body
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := f.sign("msg_1", now, body)
			b := tc.change(h)
			if err := f.verifier().Verify(h, []byte(b)); !errors.Is(err, webhook.ErrNoMatchingSignature) {
				t.Fatalf("Verify = %v, want ErrNoMatchingSignature", err)
			}
		})
	}

	// Another endpoint's secret does not verify.
	other, _ := webhook.NewSecret()
	v := &webhook.Verifier{Secrets: [][]byte{mustSecret(t, other)}, Now: f.clock.Now}
	if err := v.Verify(f.sign("msg_1", now, body), []byte(body)); !errors.Is(err, webhook.ErrNoMatchingSignature) {
		t.Fatalf("wrong secret: %v", err)
	}
}

func TestVerifyTimestampTolerance(t *testing.T) {
	f := newFixture(t)
	now := f.clock.Now()
	for _, tc := range []struct {
		name      string
		tolerance time.Duration
		offset    time.Duration
		want      error
	}{
		{"now", 0, 0, nil},
		{"default tolerance, oldest accepted", 0, -5 * time.Minute, nil},
		{"default tolerance, stale", 0, -5*time.Minute - time.Second, webhook.ErrTimestampTooOld},
		{"default tolerance, newest accepted", 0, 5 * time.Minute, nil},
		{"default tolerance, future", 0, 5*time.Minute + time.Second, webhook.ErrTimestampTooNew},
		{"a day old", 0, -24 * time.Hour, webhook.ErrTimestampTooOld},
		{"a year ahead", 0, 365 * 24 * time.Hour, webhook.ErrTimestampTooNew},
		{"negative tolerance means default", -time.Second, -time.Minute, nil},
		{"30s tolerance, stale", 30 * time.Second, -31 * time.Second, webhook.ErrTimestampTooOld},
		{"30s tolerance, future", 30 * time.Second, 31 * time.Second, webhook.ErrTimestampTooNew},
		{"30s tolerance, in window", 30 * time.Second, -30 * time.Second, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := f.verifier()
			v.Tolerance = tc.tolerance
			err := v.Verify(f.sign("msg_1", now.Add(tc.offset), "{}"), []byte("{}"))
			if !errors.Is(err, tc.want) {
				t.Fatalf("Verify = %v, want %v", err, tc.want)
			}
		})
	}

	// The epoch itself is a valid (if stale) timestamp.
	v := &webhook.Verifier{Secrets: f.keys, Now: func() time.Time { return time.Unix(60, 0) }}
	if err := v.Verify(f.sign("msg_epoch", time.Unix(0, 0), ""), nil); err != nil {
		t.Fatalf("timestamp 0: %v", err)
	}
}

func TestVerifyRejectsReplay(t *testing.T) {
	f := newFixture(t)
	v := f.verifier()
	body := `{"n":1}`
	h := f.sign("msg_1", f.clock.Now(), body)
	if err := v.Verify(h, []byte(body)); err != nil {
		t.Fatal(err)
	}
	// The same request again, now and until the end of its window.
	for _, d := range []time.Duration{0, time.Minute, 3 * time.Minute} { // at +0, +1m, +4m
		f.clock.Add(d)
		if err := v.Verify(h, []byte(body)); !errors.Is(err, webhook.ErrReplayed) {
			t.Fatalf("replay %v later: %v, want ErrReplayed", d, err)
		}
	}
	f.clock.Add(time.Minute) // +5m, exactly the tolerance: still inside
	if err := v.Verify(h, []byte(body)); !errors.Is(err, webhook.ErrReplayed) {
		t.Fatalf("replay at the tolerance: %v, want ErrReplayed", err)
	}
	f.clock.Add(time.Second) // outside the window, refused as stale
	if err := v.Verify(h, []byte(body)); !errors.Is(err, webhook.ErrTimestampTooOld) {
		t.Fatalf("replay after the window: %v, want ErrTimestampTooOld", err)
	}

	// The same id, correctly re-signed with a new timestamp (what a sender
	// retry looks like), is also a duplicate while the first is remembered.
	h1 := f.sign("msg_2", f.clock.Now(), body)
	if err := v.Verify(h1, []byte(body)); err != nil {
		t.Fatal(err)
	}
	f.clock.Add(5 * time.Second)
	h2 := f.sign("msg_2", f.clock.Now(), body)
	if err := v.Verify(h2, []byte(body)); !errors.Is(err, webhook.ErrReplayed) {
		t.Fatalf("same id re-signed: %v, want ErrReplayed", err)
	}
	// Other ids are unaffected.
	if err := v.Verify(f.sign("msg_3", f.clock.Now(), body), []byte(body)); err != nil {
		t.Fatal(err)
	}
}

func TestVerifyReplayForgeriesDoNotConsumeIDs(t *testing.T) {
	f := newFixture(t)
	v := f.verifier()
	h := f.sign("msg_1", f.clock.Now(), "real")
	// A forged request with the id arrives first.
	if err := v.Verify(h, []byte("forged")); !errors.Is(err, webhook.ErrNoMatchingSignature) {
		t.Fatal(err)
	}
	if err := v.Verify(h, []byte("real")); err != nil {
		t.Fatalf("authentic message after a forgery with its id: %v", err)
	}
}

func TestVerifyForgetAllowsRetry(t *testing.T) {
	f := newFixture(t)
	cache := webhook.NewMemoryReplayCache(0)
	v := f.verifier()
	v.Seen = cache
	if err := v.Verify(f.sign("msg_1", f.clock.Now(), "{}"), []byte("{}")); err != nil {
		t.Fatal(err)
	}
	cache.Forget("msg_1") // the receiver failed to process it
	f.clock.Add(5 * time.Second)
	if err := v.Verify(f.sign("msg_1", f.clock.Now(), "{}"), []byte("{}")); err != nil {
		t.Fatalf("retry after Forget: %v", err)
	}
}

type failingCache struct{}

func (failingCache) CheckAndStore(string, time.Time, time.Time) (bool, error) {
	return false, errors.New("redis down")
}

func TestVerifyReplayCacheError(t *testing.T) {
	f := newFixture(t)
	v := f.verifier()
	v.Seen = failingCache{}
	err := v.Verify(f.sign("msg_1", f.clock.Now(), "{}"), []byte("{}"))
	if err == nil || !strings.Contains(err.Error(), "redis down") {
		t.Fatalf("Verify = %v, want the cache's error", err)
	}
}

func TestVerifyRotation(t *testing.T) {
	oldS, _ := webhook.NewSecret()
	newS, _ := webhook.NewSecret()
	unrelated, _ := webhook.NewSecret()
	oldK, newK, otherK := mustSecret(t, oldS), mustSecret(t, newS), mustSecret(t, unrelated)
	c := newClock(1_750_000_000)
	body := []byte(`{"type":"x"}`)

	// During the overlap the sender signs with both.
	h, err := webhook.Headers([][]byte{newK, oldK}, "msg_1", c.Now(), body)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(strings.Fields(h.Get("webhook-signature"))); n != 2 {
		t.Fatalf("%d signatures, want 2", n)
	}
	for _, tc := range []struct {
		name string
		keys [][]byte
		ok   bool
	}{
		{"receiver knows only the old secret", [][]byte{oldK}, true},
		{"receiver knows only the new secret", [][]byte{newK}, true},
		{"receiver knows both", [][]byte{oldK, newK}, true},
		{"receiver knows another secret", [][]byte{otherK}, false},
	} {
		v := &webhook.Verifier{Secrets: tc.keys, Now: c.Now}
		if err := v.Verify(h, body); (err == nil) != tc.ok {
			t.Errorf("%s: %v", tc.name, err)
		}
	}

	// After the overlap the sender signs with the new one only; a receiver
	// still listing both accepts it, one with only the old one does not.
	h, _ = webhook.Headers([][]byte{newK}, "msg_2", c.Now(), body)
	if err := (&webhook.Verifier{Secrets: [][]byte{oldK, newK}, Now: c.Now}).Verify(h, body); err != nil {
		t.Errorf("new-only message, receiver with both: %v", err)
	}
	if err := (&webhook.Verifier{Secrets: [][]byte{oldK}, Now: c.Now}).Verify(h, body); !errors.Is(err, webhook.ErrNoMatchingSignature) {
		t.Errorf("new-only message, receiver with the old one: %v", err)
	}
}

func TestVerifyMalformedHeaders(t *testing.T) {
	f := newFixture(t)
	now := f.clock.Now()
	ts := fmt.Sprint(now.Unix())
	body := "{}"
	valid := f.sign("msg_1", now, body)
	sig := valid.Get("webhook-signature")

	for _, tc := range []struct {
		name string
		edit func(h http.Header)
		want error
	}{
		{"no headers", func(h http.Header) { clear(h) }, webhook.ErrMissingHeaders},
		{"no id", func(h http.Header) { h.Del("webhook-id") }, webhook.ErrMissingHeaders},
		{"no timestamp", func(h http.Header) { h.Del("webhook-timestamp") }, webhook.ErrMissingHeaders},
		{"no signature", func(h http.Header) { h.Del("webhook-signature") }, webhook.ErrMissingHeaders},
		{"empty id", func(h http.Header) { h.Set("webhook-id", "") }, webhook.ErrMissingHeaders},
		{"empty timestamp", func(h http.Header) { h.Set("webhook-timestamp", "") }, webhook.ErrMissingHeaders},
		{"empty signature", func(h http.Header) { h.Set("webhook-signature", "") }, webhook.ErrMissingHeaders},
		{"two ids", func(h http.Header) { h.Add("webhook-id", "msg_2") }, webhook.ErrBadID},
		{"id with a dot", func(h http.Header) { h.Set("webhook-id", "msg.1") }, webhook.ErrBadID},
		{"id with a space", func(h http.Header) { h.Set("webhook-id", "msg 1") }, webhook.ErrBadID},
		{"id too long", func(h http.Header) { h.Set("webhook-id", strings.Repeat("m", 257)) }, webhook.ErrBadID},
		{"two timestamps", func(h http.Header) { h.Add("webhook-timestamp", ts) }, webhook.ErrBadTimestamp},
		{"timestamp not a number", func(h http.Header) { h.Set("webhook-timestamp", "hello") }, webhook.ErrBadTimestamp},
		{"timestamp negative", func(h http.Header) { h.Set("webhook-timestamp", "-"+ts) }, webhook.ErrBadTimestamp},
		{"timestamp with plus", func(h http.Header) { h.Set("webhook-timestamp", "+"+ts) }, webhook.ErrBadTimestamp},
		{"timestamp leading zero", func(h http.Header) { h.Set("webhook-timestamp", "0"+ts) }, webhook.ErrBadTimestamp},
		{"timestamp fractional", func(h http.Header) { h.Set("webhook-timestamp", ts+".5") }, webhook.ErrBadTimestamp},
		{"timestamp in milliseconds", func(h http.Header) { h.Set("webhook-timestamp", ts+"000") }, webhook.ErrTimestampTooNew},
		{"timestamp with spaces", func(h http.Header) { h.Set("webhook-timestamp", " "+ts) }, webhook.ErrBadTimestamp},
		{"timestamp hex", func(h http.Header) { h.Set("webhook-timestamp", "0x10") }, webhook.ErrBadTimestamp},
		{"timestamp overflows int64", func(h http.Header) { h.Set("webhook-timestamp", "9999999999999999999") }, webhook.ErrBadTimestamp},
		{"timestamp too many digits", func(h http.Header) { h.Set("webhook-timestamp", "12345678901234567890") }, webhook.ErrBadTimestamp},
		{"timestamp RFC 3339", func(h http.Header) { h.Set("webhook-timestamp", now.UTC().Format(time.RFC3339)) }, webhook.ErrBadTimestamp},
		{"signature without version", func(h http.Header) { h.Set("webhook-signature", strings.TrimPrefix(sig, "v1,")) }, webhook.ErrNoMatchingSignature},
		{"signature version only", func(h http.Header) { h.Set("webhook-signature", "v1") }, webhook.ErrNoMatchingSignature},
		{"signature empty value", func(h http.Header) { h.Set("webhook-signature", "v1,") }, webhook.ErrNoMatchingSignature},
		{"signature not base64", func(h http.Header) { h.Set("webhook-signature", "v1,"+strings.Repeat("!", 44)) }, webhook.ErrNoMatchingSignature},
		{"signature unpadded", func(h http.Header) { h.Set("webhook-signature", strings.TrimSuffix(sig, "=")) }, webhook.ErrNoMatchingSignature},
		{"signature hex", func(h http.Header) { h.Set("webhook-signature", "v1,"+strings.Repeat("ab", 32)) }, webhook.ErrNoMatchingSignature},
		{"signature only spaces", func(h http.Header) { h.Set("webhook-signature", "   ") }, webhook.ErrNoMatchingSignature},
		{"signature comma-separated list", func(h http.Header) { h.Set("webhook-signature", "v1,abc,"+sig) }, webhook.ErrNoMatchingSignature},
		// Lenient but harmless: extra white space and a second header line.
		{"signature with extra spaces", func(h http.Header) { h.Set("webhook-signature", "  v1,xyz   "+sig+"  ") }, nil},
		{"signature in a second header line", func(h http.Header) {
			h.Set("webhook-signature", "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=")
			h.Add("webhook-signature", sig)
		}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := valid.Clone()
			tc.edit(h)
			err := f.verifier().Verify(h, []byte(body))
			if !errors.Is(err, tc.want) {
				t.Fatalf("Verify = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestVerifyNilHeader(t *testing.T) {
	v := &webhook.Verifier{Secrets: [][]byte{mustSecret(t, specSecret)}}
	if err := v.Verify(nil, nil); !errors.Is(err, webhook.ErrMissingHeaders) {
		t.Fatalf("Verify(nil, nil) = %v", err)
	}
}

func TestVerifierMisconfigured(t *testing.T) {
	h := specHeader()
	for _, keys := range [][][]byte{nil, {}, {nil}, {make([]byte, 8)}} {
		v := &webhook.Verifier{Secrets: keys, Now: newClock(specTimestamp).Now}
		if err := v.Verify(h, []byte(specBody)); !errors.Is(err, webhook.ErrInvalidSecret) {
			t.Errorf("%d secrets: %v, want ErrInvalidSecret", len(keys), err)
		}
	}
}

func TestVerifyConcurrentReplay(t *testing.T) {
	f := newFixture(t)
	v := f.verifier()
	h := f.sign("msg_1", f.clock.Now(), "{}")
	var ok atomic.Int32
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			switch err := v.Verify(h, []byte("{}")); {
			case err == nil:
				ok.Add(1)
			case !errors.Is(err, webhook.ErrReplayed):
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if ok.Load() != 1 {
		t.Fatalf("%d concurrent deliveries accepted, want 1", ok.Load())
	}
}
