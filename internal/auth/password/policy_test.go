package password

import (
	"strings"
	"testing"

	"github.com/meridianhq/meridian/internal/meridian"
)

func TestCommonListIsEmbedded(t *testing.T) {
	t.Parallel()
	set := commonPasswords()
	if n := len(set); n < 9_900 || n > 10_000 {
		t.Fatalf("common-password list has %d entries, want ~10,000", n)
	}
	for _, pw := range []string{"123456", "password", "qwerty123456", "QWERTY123456", "Dragon"} {
		if !IsCommon(pw) {
			t.Errorf("IsCommon(%q) = false", pw)
		}
	}
	if IsCommon("a sentence nobody has used as a password") {
		t.Error("IsCommon is true for an uncommon password")
	}
}

func TestCheck(t *testing.T) {
	t.Parallel()
	ctx := []string{"ada.lovelace@example.org", "Ada Lovelace"}
	tests := []struct {
		name, pw string
		context  []string
		wantMsg  string // "" means accepted
	}{
		{"fine", "correct horse battery staple", ctx, ""},
		{"exactly 12", "tlv-9wq!mzra", nil, ""},
		{"short", "Xk3!pq9$Lm2", nil, "at least 12"},
		{"empty", "", nil, "at least 12"},
		{"128 is the most", strings.Repeat("k3x!", 32), nil, "short pattern"}, // long enough, but repetitive
		{"128 varied", longVaried(128), nil, ""},
		{"129 is too long", longVaried(129), nil, "at most 128"},
		{"common", "qwerty123456", nil, "most common"},
		{"common, any case", "QwErTy123456", nil, "most common"},
		{"common with digits added", "password123456", nil, "digits or symbols added"},
		{"common with symbols around", "!!!sunshine!!!", nil, "digits or symbols added"},
		{"repeated character", "aaaaaaaaaaaaaa", nil, "short pattern"},
		{"repeated short unit", "abcabcabcabc", nil, "short pattern"},
		{"repeated common word", "dragondragondragon", nil, "short pattern"},
		{"repeated, cut short", "ab1ab1ab1ab1a", nil, "short pattern"},
		{"digit sequence", "123456789012", nil, "sequence"},
		{"descending letters", "zyxwvutsrqpo", nil, "sequence"},
		{"contains e-mail local part", "ada.lovelace-2024!", ctx, "name or e-mail"},
		{"equals e-mail local part", "lovelace.ada.math", []string{"lovelace.ada.math@example.org"}, "name or e-mail"},
		{"contains a name part", "i-am-lovelace-the-first", ctx, "name or e-mail"},
		{"contains the name without spaces", "AdaLovelace rules all", ctx, "name or e-mail"},
		{"short context words are ignored", "a ride to canada, eh", ctx, ""},
		{"context is case-insensitive", "my name is LOVELACE!", ctx, "name or e-mail"},
		{"unicode: 11 characters of 3 bytes", "日本語のパスワードです", nil, "at least 12"},
		{"unicode: 12 characters of 3 bytes", "日本語のパスワードですね", nil, ""},
		{"unicode: 12 emoji", "🦄🌈🍕🚀🎸🐙🌵🧊🎲🪁🦉🍩", nil, ""},
		{"unicode: decomposed accents count once", strings.Repeat("e\u0301", 5) + "xyz!1234", nil, ""},          // 13 after NFKC
		{"unicode: decomposed accents, too short", strings.Repeat("e\u0301", 5) + "xyz!12", nil, "at least 12"}, // 11 after NFKC, 16 code points before
		{"not utf-8", "valid prefix then \xff\xfe bytes", nil, "UTF-8"},
		{"spaces allowed", "four words   with spaces", nil, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := Check(tc.pw, tc.context...)
			if tc.wantMsg == "" {
				if err != nil {
					t.Fatalf("Check rejected an acceptable password: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Check accepted it; want an error containing %q", tc.wantMsg)
			}
			if code := meridian.ErrorCode(err); code != meridian.EInvalid {
				t.Fatalf("code %q, want %q", code, meridian.EInvalid)
			}
			msg := meridian.ErrorMessage(err)
			if !strings.Contains(msg, tc.wantMsg) {
				t.Fatalf("message %q does not contain %q", msg, tc.wantMsg)
			}
			if tc.pw != "" && (strings.Contains(err.Error(), tc.pw) || strings.Contains(msg, tc.pw)) {
				t.Fatalf("the error repeats the password: %v", err)
			}
			if me := err.(*meridian.Error); me.Fields["password"] == "" {
				t.Fatalf("the error does not name the password field: %+v", me)
			}
		})
	}
}

// longVaried returns n characters with no pattern the policy objects to.
func longVaried(n int) string {
	const alphabet = "qzxjv7kw3mp9fh2"
	var b strings.Builder
	for i := 0; b.Len() < n; i++ {
		b.WriteByte(alphabet[(i*i+3*i)%len(alphabet)])
	}
	return b.String()[:n]
}
