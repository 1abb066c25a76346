package webhook_test

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/meridianhq/meridian/internal/webhook"
)

// FuzzVerify feeds arbitrary headers and bodies to Verify: it must never
// panic, must return nil or one of the documented errors, must accept only
// a header holding the right HMAC, and must accept one message id once.
// Without -fuzz, `go test` runs the seed corpus only (as CI does); to fuzz:
//
//	go test ./internal/webhook -run '^$' -fuzz FuzzVerify -fuzztime 60s
func FuzzVerify(f *testing.F) {
	f.Add(specID, "1614265330", specSignature, []byte(specBody))
	f.Add(specID, "1614265330", "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= "+specSignature, []byte(specBody))
	f.Add(specID, "1614265330", specSignature, []byte(specBody+" "))
	f.Add("", "", "", []byte(nil))
	f.Add("msg.1", "-1", "v1,", []byte("{}"))
	f.Add("msg_1", "01614265330", "v1a,AAAA v2,", []byte("{}"))
	f.Add("msg_1", "99999999999999999999", "v1,====", []byte("{}"))
	f.Add("msg_1", "1614265330", "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE", []byte(specBody))
	f.Add("msg_1", "1614265630", "  \t v1,,,, ,v1 v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=== ", []byte{0, 0xff})

	key, err := webhook.ParseSecret(specSecret)
	if err != nil {
		f.Fatal(err)
	}
	known := []error{
		webhook.ErrMissingHeaders, webhook.ErrBadID, webhook.ErrBadTimestamp,
		webhook.ErrTimestampTooOld, webhook.ErrTimestampTooNew,
		webhook.ErrNoMatchingSignature, webhook.ErrReplayed,
	}
	f.Fuzz(func(t *testing.T, id, ts, sig string, body []byte) {
		v := &webhook.Verifier{
			Secrets: [][]byte{key},
			Now:     func() time.Time { return time.Unix(specTimestamp, 0) },
		}
		h := http.Header{}
		h.Set("webhook-id", id)
		h.Set("webhook-timestamp", ts)
		h.Set("webhook-signature", sig)
		for attempt := range 2 {
			err := v.Verify(h, body)
			if err == nil {
				if attempt > 0 {
					t.Fatalf("id %q accepted twice", id)
				}
				if !holdsMAC(sig, key, id+"."+ts+"."+string(body)) {
					t.Fatalf("accepted id %q ts %q sig %q body %q without its HMAC", id, ts, sig, body)
				}
				continue
			}
			ok := false
			for _, k := range known {
				ok = ok || errors.Is(err, k)
			}
			if !ok {
				t.Fatalf("undocumented error %v", err)
			}
		}
	})
}

// holdsMAC reports whether a v1 entry of the signature header decodes to
// HMAC-SHA256(key, msg), computed here independently of the package.
func holdsMAC(header string, key []byte, msg string) bool {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(msg))
	want := m.Sum(nil)
	for _, field := range strings.Fields(header) {
		if v, ok := strings.CutPrefix(field, "v1,"); ok {
			if got, err := base64.StdEncoding.DecodeString(v); err == nil && bytes.Equal(got, want) {
				return true
			}
		}
	}
	return false
}
