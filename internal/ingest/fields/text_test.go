package fields

import (
	"errors"
	"strings"
	"testing"

	"github.com/meridianhq/meridian/internal/meridian"
)

func TestCleanText(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"hn paragraphs", `Acme | Engineer | Remote<p>We use <i>Go</i> &amp; Postgres.<p>Apply: <a href="https:&#x2F;&#x2F;acme.example&#x2F;jobs" rel="nofollow">https:&#x2F;&#x2F;acme.example&#x2F;jobs</a>`,
			"Acme | Engineer | Remote\n\nWe use Go & Postgres.\n\nApply: https://acme.example/jobs"},
		{"hn entities", "We&#x27;re hiring in NYC &#x2F; SF", "We're hiring in NYC / SF"},
		{"link text kept", `See <a href="https://x.example">our careers page</a>.`, "See our careers page."},
		{"br and li", "<ul><li>Go</li><li>Rust</li></ul>Line one<br>Line two", "Go\nRust\n\nLine one\nLine two"},
		{"headings", "<h2>About</h2><p>We build.</p><h3>Role</h3>Backend", "About\n\nWe build.\n\nRole\n\nBackend"},
		{"script dropped", "<p>Hi</p><script>alert('x')</script><style>p{}</style><p>there</p>", "Hi\n\nthere"},
		{"plain text kept", "Salary: 100k < 120k\n\n\n\nRemote", "Salary: 100k < 120k\n\nRemote"},
		{"plain text entities", "AT&T &amp; Co", "AT&T & Co"},
		{"whitespace", "  a \t b  \r\n\r\n\r\n c\u00a0\u00a0d  ", "a b\n\nc d"},
		{"controls dropped", "a\x00b\x07c\u200bd\ufeffe\u00adf", "abcdef"},
		{"invalid utf8", "caf\xe9 ok", "caf\ufffd ok"},
		{"double escaped", "We&amp;#x27;re &amp;amp; co &amp;quot;x&amp;quot;", "We're & co \"x\""},
		{"double escaped html", "<p>We&amp;#x27;re hiring</p>", "We're hiring"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := CleanText(tc.in); got != tc.want {
				t.Errorf("CleanText(%q)\n got %q\nwant %q", tc.in, got, tc.want)
			}
		})
	}
}

// TestCleanTextRepairs covers double-encoded UTF-8 ("mojibake") and
// entity repairs, and text that must be left alone.
func TestCleanTextRepairs(t *testing.T) {
	tests := map[string]string{
		"CafÃ©":                  "Café",
		"Weâ€™re hiring":         "We’re hiring",
		"MÃ¼nchen, ZÃ¼rich":      "München, Zürich",
		"â‚¬70.000":              "€70.000",
		"Â£60k":                  "£60k",
		"â€œquotedâ€\u009d":      "“quoted”",
		"Remote â€“ EU":          "Remote – EU",
		"emoji ðŸš€":             "emoji 🚀",
		"SÃ£o Paulo":             "São Paulo",
		"KrakÃ³w":                "Kraków",
		"Ð\u009cÐ¾Ñ\u0081ÐºÐ²Ð°": "Москва",
		"&amp;#x27;":             "'",
		"&amp;amp;":              "&",
		"&amp;#8364;100k":        "€100k",
		// Genuine text that must not change.
		"Ærø, ÄÖÜ, Ångström":          "Ærø, ÄÖÜ, Ångström",
		"CAFÉ… naïve façade":          "CAFÉ… naïve façade",
		"Zürich – München — “quoted”": "Zürich – München — “quoted”",
		"Москва, 東京":                  "Москва, 東京",
	}
	for in, want := range tests {
		if got := CleanText(in); got != want {
			t.Errorf("CleanText(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCheckText(t *testing.T) {
	tests := []struct {
		in   string
		want string // part of the message; "" for nil
	}{
		{"Acme is hiring Go engineers.", ""},
		{"CafÃ© is fine once repaired", ""},
		{"", "empty"},
		{"   \n ", "empty"},
		{"a\x00b", "NUL"},
		{"caf\xe9", "not valid UTF-8"},
		{"\x01\x02\x03\x04abc", "control characters"},
		{strings.Repeat("\ufffd", 10) + "abc", "replacement"},
		{strings.Repeat("a", MaxInput+1), "bytes long"},
	}
	for _, tc := range tests {
		err := CheckText(tc.in)
		if tc.want == "" {
			if err != nil {
				t.Errorf("CheckText(%.20q) = %v", tc.in, err)
			}
			continue
		}
		var me *meridian.Error
		if !errors.As(err, &me) || me.Code != meridian.EInvalid || !strings.Contains(me.Message, tc.want) {
			t.Errorf("CheckText(%.20q) = %v, want an invalid error about %q", tc.in, err, tc.want)
		}
	}
}

func TestCapInput(t *testing.T) {
	s := strings.Repeat("a", MaxInput-1) + "é" + "tail"
	got := capInput(s)
	if len(got) != MaxInput-1 || !strings.HasSuffix(got, "a") {
		t.Errorf("capInput cut at %d bytes, want %d", len(got), MaxInput-1)
	}
	if out := CleanText(s); len(out) > MaxInput {
		t.Errorf("CleanText returned %d bytes", len(out))
	}
}
