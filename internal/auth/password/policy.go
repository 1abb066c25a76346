package password

import (
	"bufio"
	"bytes"
	"compress/gzip"
	_ "embed"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/meridianhq/meridian/internal/meridian"
)

// Length bounds of a new password, in Unicode code points after NFKC
// normalization (so "é" counts once however it was typed). ASVS 5.0 asks
// for at least 8 (15 recommended) and for at least 64 to be allowed.
const (
	MinLength = 12
	MaxLength = 128
)

//go:embed data/common-passwords.txt.gz
var commonGz []byte

// commonPasswords is the embedded list as a set, loaded on first use.
var commonPasswords = sync.OnceValue(func() map[string]struct{} {
	zr, err := gzip.NewReader(bytes.NewReader(commonGz))
	if err != nil {
		panic("password: embedded common-password list: " + err.Error())
	}
	set := make(map[string]struct{}, 10_000)
	sc := bufio.NewScanner(zr)
	for sc.Scan() {
		if w := sc.Text(); w != "" {
			set[w] = struct{}{}
		}
	}
	if err := sc.Err(); err != nil {
		panic("password: embedded common-password list: " + err.Error())
	}
	return set
})

// IsCommon reports whether pw is on the list of the 10,000 most common
// passwords, ignoring case.
func IsCommon(pw string) bool {
	_, ok := commonPasswords()[strings.ToLower(norm.NFKC.String(pw))]
	return ok
}

// Check applies the policy for a new password and returns nil or a
// *meridian.Error with code meridian.EInvalid, whose message says what to
// change without repeating the password. context holds what the user's
// password must not contain: their e-mail address (only its local part is
// used) and name; values shorter than 4 characters are ignored when looking
// inside the password, so a short name does not forbid common syllables.
func Check(pw string, context ...string) error {
	if !utf8.ValidString(pw) {
		return invalid("The password must be valid text (UTF-8).")
	}
	n := norm.NFKC.String(pw)
	switch length := utf8.RuneCountInString(n); {
	case length < MinLength:
		return invalid("The password must be at least 12 characters long.")
	case length > MaxLength:
		return invalid("The password must be at most 128 characters long.")
	}
	lower := strings.ToLower(n)
	common := commonPasswords()
	if _, ok := common[lower]; ok {
		return invalid("This password is one of the most common passwords; choose another.")
	}
	core := strings.TrimFunc(lower, func(r rune) bool { return !unicode.IsLetter(r) })
	if _, ok := common[core]; ok && core != lower {
		return invalid("This password is a common password with digits or symbols added; choose another.")
	}
	if unit, ok := repeated(lower); ok {
		if _, isCommon := common[unit]; isCommon || utf8.RuneCountInString(unit) <= 4 {
			return invalid("The password must not be a short pattern or a common word repeated.")
		}
	}
	if sequence(lower) {
		return invalid("The password must not be a sequence of consecutive characters.")
	}
	for _, c := range context {
		if containsContext(lower, c) {
			return invalid("The password must not contain your name or e-mail address.")
		}
	}
	return nil
}

func invalid(msg string) error {
	return &meridian.Error{Code: meridian.EInvalid, Message: msg, Fields: map[string]string{"password": msg}}
}

// repeated reports whether s is one unit repeated at least twice (the last
// time possibly cut short), and returns the shortest such unit.
func repeated(s string) (string, bool) {
	r := []rune(s)
	for d := 1; d <= len(r)/2; d++ {
		ok := true
		for i := d; i < len(r) && ok; i++ {
			ok = r[i] == r[i-d]
		}
		if ok {
			return string(r[:d]), true
		}
	}
	return "", false
}

// sequence reports whether s steps through consecutive code points in one
// direction all along ("abcdefghijkl", "987654321098": digits wrap around).
func sequence(s string) bool {
	r := []rune(s)
	if len(r) < 3 {
		return false
	}
	step := func(a, b rune) int {
		switch {
		case b == a+1 || (a == '9' && b == '0'):
			return 1
		case b == a-1 || (a == '0' && b == '9'):
			return -1
		}
		return 0
	}
	dir := step(r[0], r[1])
	if dir == 0 {
		return false
	}
	for i := 2; i < len(r); i++ {
		if step(r[i-1], r[i]) != dir {
			return false
		}
	}
	return true
}

// containsContext reports whether the lower-cased, normalized password
// contains the context value c (an e-mail address contributes its local
// part): the whole value, the value without separators, or any of its words
// of at least 4 characters.
func containsContext(pw, c string) bool {
	c = strings.ToLower(norm.NFKC.String(strings.TrimSpace(c)))
	if i := strings.LastIndexByte(c, '@'); i >= 0 {
		c = c[:i]
	}
	if c == "" {
		return false
	}
	if pw == c {
		return true
	}
	words := strings.FieldsFunc(c, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	candidates := append([]string{c, strings.Join(words, "")}, words...)
	for _, w := range candidates {
		if utf8.RuneCountInString(w) >= 4 && strings.Contains(pw, w) {
			return true
		}
	}
	return false
}
