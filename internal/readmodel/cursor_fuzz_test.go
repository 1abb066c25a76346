package readmodel

import (
	"strings"
	"testing"

	"github.com/meridianhq/meridian/internal/meridian"
)

// FuzzDecodeCursor checks that DecodeCursor never panics, that what it
// refuses is an EInvalid error, and that every cursor it accepts names a
// valid id and round-trips: EncodeCursor of the decoded id is the cursor
// (up to the CR/LF characters that Go's base64 decoder skips), and decoding
// that again gives the same id.
//
//	go test ./internal/readmodel -run '^$' -fuzz FuzzDecodeCursor -fuzztime 30s
func FuzzDecodeCursor(f *testing.F) {
	id := "0190f6a2-7c1e-7b3d-9a4f-1d2e3f4a5b6c"
	f.Add("")
	f.Add(EncodeCursor(id))
	f.Add(EncodeCursor(strings.ToUpper(id)))
	f.Add(EncodeCursor("not-an-id"))
	f.Add(EncodeCursor(""))
	f.Add("v1:" + id)
	f.Add(EncodeCursor(id) + "==")
	f.Add(EncodeCursor(id)[:8] + "\r\n" + EncodeCursor(id)[8:]) // skipped by base64
	f.Add("djE6")
	f.Add("!!!")

	f.Fuzz(func(t *testing.T, c string) {
		got, err := DecodeCursor(c)
		if err != nil {
			if code := meridian.ErrorCode(err); code != meridian.EInvalid {
				t.Fatalf("DecodeCursor(%q) error code %s, want %s: %v", c, code, meridian.EInvalid, err)
			}
			return
		}
		if c == "" {
			if got != "" {
				t.Fatalf("DecodeCursor(\"\") = %q, want \"\"", got)
			}
			return
		}
		if !meridian.ValidID(got) {
			t.Fatalf("DecodeCursor(%q) accepted the invalid id %q", c, got)
		}
		enc := EncodeCursor(got)
		if canonical := strings.NewReplacer("\r", "", "\n", "").Replace(c); enc != canonical {
			t.Fatalf("DecodeCursor(%q) = %q, but EncodeCursor gives %q", c, got, enc)
		}
		again, err := DecodeCursor(enc)
		if err != nil || again != got {
			t.Fatalf("round trip of %q: DecodeCursor(%q) = %q, %v", got, enc, again, err)
		}
	})
}

// FuzzDecodeTimeCursor: decodeTimeCursor never panics, refuses with
// EInvalid, and what it accepts is a stored time and a valid id that
// encode back to a cursor decoding to the same pair.
//
//	go test ./internal/readmodel -run '^$' -fuzz FuzzDecodeTimeCursor -fuzztime 30s
func FuzzDecodeTimeCursor(f *testing.F) {
	id := "0190f6a2-7c1e-7b3d-9a4f-1d2e3f4a5b6c"
	at, _ := meridian.ParseTime("2026-12-01T03:30:27.225110Z")
	f.Add("")
	f.Add(encodeTimeCursor(at, id))
	f.Add(EncodeCursor(id))
	f.Add("v2:2026-12-01T03:30:27.225110Z|" + id)
	f.Add(encodeTimeCursor(at, id)[:12])
	f.Add("!!!")
	f.Fuzz(func(t *testing.T, c string) {
		ts, got, err := decodeTimeCursor(c)
		if err != nil {
			if code := meridian.ErrorCode(err); code != meridian.EInvalid {
				t.Fatalf("decodeTimeCursor(%q) error code %s: %v", c, code, err)
			}
			return
		}
		if c == "" {
			if ts != "" || got != "" {
				t.Fatalf("decodeTimeCursor(\"\") = %q, %q", ts, got)
			}
			return
		}
		when, terr := meridian.ParseTime(ts)
		if terr != nil || !meridian.ValidID(got) {
			t.Fatalf("decodeTimeCursor(%q) accepted %q, %q", c, ts, got)
		}
		ts2, got2, err := decodeTimeCursor(encodeTimeCursor(when, got))
		if err != nil || ts2 != ts || got2 != got {
			t.Fatalf("round trip of %q, %q: %q, %q, %v", ts, got, ts2, got2, err)
		}
	})
}
