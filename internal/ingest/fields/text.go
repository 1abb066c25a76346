package fields

import (
	"bytes"
	"fmt"
	"html"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	nethtml "golang.org/x/net/html"
	"golang.org/x/text/encoding/charmap"

	"github.com/meridianhq/meridian/internal/meridian"
)

// looksHTMLRE recognizes text that is HTML rather than plain text with a
// stray "<": a known tag or an HTML comment.
var looksHTMLRE = regexp.MustCompile(`(?i)<(?:/?(?:p|br|a|i|b|u|s|em|strong|small|sup|sub|ul|ol|li|dl|dt|dd|div|span|h[1-6]|pre|code|table|thead|tbody|tr|td|th|blockquote|hr|html|body|head|img|font|section|article|header|footer|nav|main|title|meta|style|script)(?:\s[^>]*)?/?>|!--)`)

// entityRE matches one HTML character reference left in decoded text: what
// a double-escaped source ("&amp;#x27;", "&amp;amp;") leaves after the first
// decoding.
var entityRE = regexp.MustCompile(`&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z][a-zA-Z0-9]{1,31});`)

// Block elements and how many line breaks they stand for.
var blockBreaks = map[string]string{
	"p": "\n\n", "div": "\n\n", "h1": "\n\n", "h2": "\n\n", "h3": "\n\n", "h4": "\n\n", "h5": "\n\n", "h6": "\n\n",
	"ul": "\n\n", "ol": "\n\n", "dl": "\n\n", "table": "\n\n", "blockquote": "\n\n", "pre": "\n\n", "hr": "\n\n",
	"section": "\n\n", "article": "\n\n", "header": "\n\n", "footer": "\n\n", "main": "\n\n", "nav": "\n\n",
	"br": "\n", "li": "\n", "tr": "\n", "dt": "\n", "dd": "\n", "td": " ", "th": " ",
}

// CleanText turns HTML or plain text into normalized plain text:
//
//   - HTML (recognized by its tags) is tokenized with golang.org/x/net/html:
//     <p>, <div>, headings, lists and tables become paragraph breaks, <br>,
//     <li> and <tr> line breaks; other tags are dropped and link text kept;
//     script and style contents are dropped;
//   - entities are decoded, twice when the source was double-escaped
//     ("&amp;#x27;" → "'", "&amp;amp;" → "&");
//   - double-encoded UTF-8 ("Ã©" → "é", "â€™" → "’") is repaired sequence by
//     sequence, only where the repaired sequence is valid UTF-8 and decodes to
//     a plausible character (see repairMojibake);
//   - invalid UTF-8 bytes become U+FFFD; control characters, zero-width
//     characters, soft hyphens and byte-order marks are dropped;
//   - spaces are collapsed within lines, lines are trimmed, and runs of blank
//     lines become one paragraph break ("\n\n"); single line breaks stay "\n".
//
// Input longer than MaxInput is truncated first.
func CleanText(s string) string {
	s = capInput(s)
	s = strings.ToValidUTF8(s, "\uFFFD")
	if looksHTMLRE.MatchString(s) {
		s = htmlToText(s)
	} else if strings.IndexByte(s, '&') >= 0 {
		s = html.UnescapeString(s)
	}
	if strings.IndexByte(s, '&') >= 0 {
		s = entityRE.ReplaceAllStringFunc(s, html.UnescapeString)
	}
	s = repairMojibake(s)
	return normalizeSpace(s)
}

// htmlToText renders HTML as text with block elements as line breaks.
func htmlToText(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	z := nethtml.NewTokenizer(strings.NewReader(s))
	skip := 0 // depth inside script/style
	for {
		tt := z.Next()
		switch tt {
		case nethtml.ErrorToken:
			return b.String()
		case nethtml.TextToken:
			if skip == 0 {
				b.Write(z.Text())
			}
		case nethtml.StartTagToken, nethtml.SelfClosingTagToken, nethtml.EndTagToken:
			name, _ := z.TagName()
			tag := string(name)
			if tag == "script" || tag == "style" {
				if tt == nethtml.StartTagToken {
					skip++
				} else if tt == nethtml.EndTagToken && skip > 0 {
					skip--
				}
				continue
			}
			if br, ok := blockBreaks[tag]; ok {
				if tt == nethtml.EndTagToken && br == "\n" {
					continue // </li>: the next <li> breaks
				}
				b.WriteString(br)
			}
		}
	}
}

// repairMojibake undoes UTF-8 text that was decoded as Windows-1252 (or
// Latin-1) and encoded again: each run of non-ASCII characters that all
// map to single Windows-1252 bytes is re-encoded, and every valid UTF-8
// sequence found in those bytes replaces its characters when it decodes to
// a plausible character. Anything else is left as it was, so genuine text
// such as "Ærø" or "ÄÖÜ" survives. The x/text charmap does the byte
// mapping; the plausibility rule is Meridian's own (one pass, linear).
func repairMojibake(s string) string {
	if !hasMojibakeLead(s) {
		return s
	}
	var out strings.Builder
	out.Grow(len(s))
	enc := charmap.Windows1252
	var run []rune // the current run of candidate characters
	var bs []byte  // their Windows-1252 bytes
	flush := func() {
		i := 0
		for i < len(bs) {
			c := bs[i]
			n := seqLen(c)
			if n > 1 && i+n <= len(bs) {
				if r, size := utf8.DecodeRune(bs[i : i+n]); r != utf8.RuneError && size == n && plausibleRepair(r) {
					out.WriteRune(r)
					i += n
					continue
				}
			}
			out.WriteRune(run[i])
			i++
		}
		run, bs = run[:0], bs[:0]
	}
	for _, r := range s {
		if b, ok := cp1252Byte(enc, r); ok {
			run = append(run, r)
			bs = append(bs, b)
			continue
		}
		if len(run) > 0 {
			flush()
		}
		out.WriteRune(r)
	}
	if len(run) > 0 {
		flush()
	}
	return out.String()
}

// hasMojibakeLead is a cheap test for a character that double-encoded
// UTF-8 starts with (U+00C2–U+00F4 followed by a character that maps to a
// continuation byte).
func hasMojibakeLead(s string) bool {
	prevLead := false
	for _, r := range s {
		if prevLead {
			if b, ok := cp1252Byte(charmap.Windows1252, r); ok && b >= 0x80 && b <= 0xBF {
				return true
			}
		}
		prevLead = r >= 0xC2 && r <= 0xF4
	}
	return false
}

// cp1252Byte maps a non-ASCII rune to its single Windows-1252 byte; C1
// controls U+0080–U+009F (what Latin-1 decoding makes of those bytes) map
// to themselves.
func cp1252Byte(enc *charmap.Charmap, r rune) (byte, bool) {
	if r < 0x80 {
		return 0, false
	}
	if r <= 0x9F {
		return byte(r), true
	}
	b, ok := enc.EncodeRune(r)
	return b, ok && b >= 0x80
}

// seqLen is the length of the UTF-8 sequence that lead byte c starts (1
// for bytes that cannot start a multi-byte sequence).
func seqLen(c byte) int {
	switch {
	case c >= 0xC2 && c <= 0xDF:
		return 2
	case c >= 0xE0 && c <= 0xEF:
		return 3
	case c >= 0xF0 && c <= 0xF4:
		return 4
	}
	return 1
}

// plausibleRepair accepts the characters double-encoding usually damages:
// Latin-1 and Latin Extended-A letters and signs, Greek and Cyrillic,
// general punctuation and currency signs, letter-like symbols (™), arrows,
// common symbols and emoji. Rarer decodings ("É…" would become U+0245) are
// not trusted.
func plausibleRepair(r rune) bool {
	switch {
	case r >= 0xA0 && r <= 0x17F,
		r >= 0x370 && r <= 0x4FF,
		r >= 0x2000 && r <= 0x20CF,
		r >= 0x2100 && r <= 0x21FF,
		r >= 0x2600 && r <= 0x27BF,
		r >= 0x1F300 && r <= 0x1FAFF:
		return true
	}
	return false
}

// dropRune reports characters CleanText removes: controls (but not line
// breaks and tabs, handled as whitespace), zero-width characters, soft
// hyphens, byte-order marks and other format characters.
func dropRune(r rune) bool {
	if r == '\n' || r == '\t' {
		return false
	}
	return unicode.IsControl(r) || r == 0xAD || unicode.Is(unicode.Cf, r)
}

// normalizeSpace collapses spaces within lines, trims lines and keeps at
// most one blank line between paragraphs.
func normalizeSpace(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	var b strings.Builder
	b.Grow(len(s))
	space := false // a space is pending within the line
	breaks := 0    // line breaks pending
	for _, r := range s {
		switch {
		case r == '\n' || r == '\r' || r == '\u2028' || r == '\u2029' || r == '\f' || r == '\v':
			space = false
			if b.Len() > 0 {
				breaks++
			}
		case unicode.IsSpace(r):
			space = true
		case dropRune(r):
		default:
			if breaks > 0 {
				b.WriteString("\n\n"[:min(breaks, 2)])
				breaks = 0
			} else if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(r)
		}
	}
	return b.String()
}

// CheckText reports why a text cannot be used, or nil. It checks, in
// order: that the text is not empty or blank, not longer than MaxInput, has
// no NUL bytes, is valid UTF-8 once double-encoding is repaired, and is not
// mostly control characters (binary data). The error is a *meridian.Error
// with code meridian.EInvalid.
func CheckText(s string) error {
	bad := func(format string, args ...any) error {
		return &meridian.Error{Code: meridian.EInvalid, Message: "unusable text: " + fmt.Sprintf(format, args...)}
	}
	if strings.TrimSpace(s) == "" {
		return bad("it is empty")
	}
	if len(s) > MaxInput {
		return bad("it is %d bytes long; at most %d are read", len(s), MaxInput)
	}
	if i := strings.IndexByte(s, 0); i >= 0 {
		return bad("it contains a NUL byte at offset %d (binary data?)", i)
	}
	if !utf8.ValidString(s) {
		i := firstInvalid(s)
		return bad("it is not valid UTF-8 (first bad byte 0x%02X at offset %d; wrong character set?)", s[i], i)
	}
	s = repairMojibake(s)
	controls, n := 0, 0
	for _, r := range s {
		n++
		if unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t' {
			controls++
		}
	}
	if controls*10 > n {
		return bad("%d of its %d characters are control characters (binary data?)", controls, n)
	}
	if strings.Count(s, "\uFFFD")*20 > n {
		return bad("it has many U+FFFD replacement characters: it was decoded with the wrong character set")
	}
	return nil
}

func firstInvalid(s string) int {
	b := []byte(s)
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size <= 1 {
			return i
		}
		i += size
	}
	return bytes.IndexByte(b, 0)
}
