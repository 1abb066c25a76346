package webhook_test

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/meridianhq/meridian/internal/webhook"
)

// The Standard Webhooks known-answer vector. It is the "sign function works"
// case of every reference library in github.com/standard-webhooks/
// standard-webhooks (libraries/go/webhook_test.go TestWebhookSign,
// libraries/javascript/src/webhook.test.ts, libraries/php/tests/
// WebhookTest.php), and was recomputed independently with Python's hmac and
// with openssl before being written here.
const (
	specSecret    = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	specID        = "msg_p5jXN8AQM9LWM0D4loKWxJek"
	specTimestamp = 1614265330
	specBody      = `{"test": 2432232314}`
	specSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
)

// A second vector with a 32-byte key and two secrets (rotation), computed
// for this package with Python's hmac and with openssl (see
// docs/WEBHOOKS.md): key 1 is the bytes 0x00..0x1f, key 2 the bytes
// 0x20..0x37.
const (
	rotSecret1   = "whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
	rotSecret2   = "whsec_ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3"
	rotID        = "msg_2mEridianTestVector01"
	rotTimestamp = 1700000000
	rotBody      = `{"type":"application.created","data":{"id":"app_1"}}`
	rotSig1      = "v1,CMOsKMiJoV5S2NsqOl22GxsKaU6axKXi9pC/o3eK14I="
	rotSig2      = "v1,TQGA8vF+hxAVFO1u9mH88nMTLs6EfYqND6eCnV5b/Ek="
)

func mustSecret(t testing.TB, s string) []byte {
	t.Helper()
	k, err := webhook.ParseSecret(s)
	if err != nil {
		t.Fatalf("ParseSecret(%q): %v", s, err)
	}
	return k
}

func TestSignKnownAnswer(t *testing.T) {
	for _, secret := range []string{specSecret, strings.TrimPrefix(specSecret, "whsec_")} {
		key := mustSecret(t, secret)
		got := webhook.Sign([][]byte{key}, specID, time.Unix(specTimestamp, 0), []byte(specBody))
		if got != specSignature {
			t.Errorf("secret %q: Sign = %q, want %q", secret, got, specSignature)
		}
	}
	// Sub-second parts of the timestamp are not signed.
	key := mustSecret(t, specSecret)
	if got := webhook.Sign([][]byte{key}, specID, time.Unix(specTimestamp, 999_999_999), []byte(specBody)); got != specSignature {
		t.Errorf("with nanoseconds: Sign = %q, want %q", got, specSignature)
	}
}

func TestSignRotationKnownAnswer(t *testing.T) {
	k1, k2 := mustSecret(t, rotSecret1), mustSecret(t, rotSecret2)
	if len(k1) != 32 || len(k2) != 24 {
		t.Fatalf("key sizes %d, %d", len(k1), len(k2))
	}
	ts := time.Unix(rotTimestamp, 0)
	for _, tc := range []struct {
		keys [][]byte
		want string
	}{
		{[][]byte{k1}, rotSig1},
		{[][]byte{k2}, rotSig2},
		{[][]byte{k1, k2}, rotSig1 + " " + rotSig2},
		{[][]byte{k2, k1}, rotSig2 + " " + rotSig1},
		{nil, ""},
	} {
		if got := webhook.Sign(tc.keys, rotID, ts, []byte(rotBody)); got != tc.want {
			t.Errorf("Sign(%d keys) = %q, want %q", len(tc.keys), got, tc.want)
		}
	}
}

func TestHeaders(t *testing.T) {
	key := mustSecret(t, specSecret)
	h, err := webhook.Headers([][]byte{key}, specID, time.Unix(specTimestamp, 0), []byte(specBody))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"webhook-id":        specID,
		"webhook-timestamp": "1614265330",
		"webhook-signature": specSignature,
	}
	for k, v := range want {
		if got := h.Values(k); len(got) != 1 || got[0] != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	if len(h) != 3 {
		t.Errorf("Headers returned %d headers, want 3: %v", len(h), h)
	}
}

func TestHeadersRejects(t *testing.T) {
	key := mustSecret(t, specSecret)
	ts := time.Unix(specTimestamp, 0)
	for _, tc := range []struct {
		name    string
		secrets [][]byte
		id      string
		ts      time.Time
		want    error
	}{
		{"no secrets", nil, specID, ts, webhook.ErrInvalidSecret},
		{"short secret", [][]byte{key, make([]byte, 16)}, specID, ts, webhook.ErrInvalidSecret},
		{"long secret", [][]byte{make([]byte, 65)}, specID, ts, webhook.ErrInvalidSecret},
		{"empty id", [][]byte{key}, "", ts, webhook.ErrBadID},
		{"dot in id", [][]byte{key}, "msg.1", ts, webhook.ErrBadID},
		{"space in id", [][]byte{key}, "msg 1", ts, webhook.ErrBadID},
		{"newline in id", [][]byte{key}, "msg\n1", ts, webhook.ErrBadID},
		{"non-ASCII id", [][]byte{key}, "msg_é", ts, webhook.ErrBadID},
		{"long id", [][]byte{key}, strings.Repeat("a", webhook.MaxIDLength+1), ts, webhook.ErrBadID},
		{"before 1970", [][]byte{key}, specID, time.Unix(-1, 0), webhook.ErrBadTimestamp},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, err := webhook.Headers(tc.secrets, tc.id, tc.ts, nil)
			if !errors.Is(err, tc.want) {
				t.Fatalf("Headers: %v, %v; want %v", h, err, tc.want)
			}
		})
	}
	if _, err := webhook.Headers([][]byte{key}, strings.Repeat("a", webhook.MaxIDLength), ts, nil); err != nil {
		t.Errorf("id of MaxIDLength: %v", err)
	}
}

func TestNewSecret(t *testing.T) {
	a, err := webhook.NewSecret()
	if err != nil {
		t.Fatal(err)
	}
	b, err := webhook.NewSecret()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(a, "whsec_") || a == b {
		t.Fatalf("NewSecret: %q, %q", a, b)
	}
	key := mustSecret(t, a)
	if len(key) != webhook.NewSecretBytes {
		t.Errorf("key is %d bytes, want %d", len(key), webhook.NewSecretBytes)
	}
	if raw, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(a, "whsec_")); string(raw) != string(key) {
		t.Errorf("ParseSecret does not invert NewSecret")
	}
	if got := webhook.FormatSecret(key); got != a {
		t.Errorf("FormatSecret = %q, want %q", got, a)
	}
}

func TestParseSecret(t *testing.T) {
	ok := []string{
		specSecret,
		strings.TrimPrefix(specSecret, "whsec_"),
		"  " + specSecret + "\n",
		webhook.FormatSecret(make([]byte, 64)),
	}
	for _, s := range ok {
		if _, err := webhook.ParseSecret(s); err != nil {
			t.Errorf("ParseSecret(%q): %v", s, err)
		}
	}
	bad := []struct{ in, msg string }{
		{"", "empty"},
		{"   ", "empty"},
		{"whsec_", "nothing after"},
		{"whsec_not base64!", "not standard base64"},
		{"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaS", "not standard base64"},  // truncated
		{"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLa-_", "not standard base64"}, // URL alphabet
		{webhook.FormatSecret(make([]byte, 23)), "23 bytes, at least 24"},
		{webhook.FormatSecret(make([]byte, 65)), "65 bytes, at most 64"},
		{"whsk_" + strings.TrimPrefix(specSecret, "whsec_"), "asymmetric"},
		{"whpk_" + strings.TrimPrefix(specSecret, "whsec_"), "asymmetric"},
	}
	for _, tc := range bad {
		key, err := webhook.ParseSecret(tc.in)
		if !errors.Is(err, webhook.ErrInvalidSecret) || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("ParseSecret(%q) = %x, %v; want ErrInvalidSecret saying %q", tc.in, key, err, tc.msg)
		}
	}
}

func TestNewID(t *testing.T) {
	seen := map[string]bool{}
	key := mustSecret(t, specSecret)
	for range 100 {
		id, err := webhook.NewID()
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(id, "msg_") || len(id) != 26 || seen[id] {
			t.Fatalf("NewID = %q", id)
		}
		seen[id] = true
		if _, err := webhook.Headers([][]byte{key}, id, time.Now(), nil); err != nil {
			t.Fatalf("Headers refuses NewID's %q: %v", id, err)
		}
	}
}
