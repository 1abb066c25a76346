package fields

import "unicode/utf8"

// MaxInput is the most bytes of text a parser reads; longer texts are
// truncated at a UTF-8 boundary first (1 MiB).
const MaxInput = 1 << 20

// capInput truncates s to at most MaxInput bytes without splitting a
// UTF-8 sequence.
func capInput(s string) string {
	if len(s) <= MaxInput {
		return s
	}
	cut := MaxInput
	// Back off at most utf8.UTFMax-1 bytes to a rune start.
	for i := 0; i < utf8.UTFMax-1 && cut > 0 && !utf8.RuneStart(s[cut]); i++ {
		cut--
	}
	return s[:cut]
}
