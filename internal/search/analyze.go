package search

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/kljensen/snowball/english"
)

// The analyzer is Meridian's own (why: it must agree exactly between the
// index, saved-search evaluation and the query side, keep "c++", "c#" and
// "f#" as words, and run at index-build speed): lower-case words of
// letters and digits, a trailing "+"/"#" kept, English stop words dropped,
// Snowball (Porter2) stems, cached.

const maxTokenLen = 40

var stopWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`a about above after again all also am an and any are as at be because been
		before being below between both but by can could did do does doing down during each few for from further
		had has have having he her here hers him his how i if in into is it its itself just me more most my no nor
		not of off on once only or other our ours out over own same she should so some such than that the their
		theirs them then there these they this those through to too under until up very was we were what when where
		which while who whom why will with would you your yours us via per etc`) {
		m[w] = true
	}
	return m
}()

var stemCache sync.Map // surface word → stem

func stem(w string) string {
	if s, ok := stemCache.Load(w); ok {
		return s.(string)
	}
	s := w
	if isAlpha(w) && len(w) > 3 {
		s = english.Stem(w, true)
	}
	stemCache.Store(strings.Clone(w), s)
	return s
}

func isAlpha(w string) bool {
	for i := 0; i < len(w); i++ {
		if c := w[i]; c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}

// token is one analyzed word: its stem and the surface form it came from.
type token struct {
	stem, word string
}

// tokenizeSpans is tokenize with each token's byte offsets in text.
func tokenizeSpans(text string, fn func(start, end int, t token)) {
	lx := getLexicon()
	defer putLexicon(lx)
	lx.scan(text, func(_, start, end int, stem string, word []byte) {
		fn(start, end, token{stem: stem, word: string(word)})
	})
}

// stems only: the index build's hot path, without the surface words.
func stems(text string, fn func(stem string)) {
	lx := getLexicon()
	defer putLexicon(lx)
	lx.scan(text, func(_, _, _ int, stem string, _ []byte) { fn(stem) })
}

// lexicon caches surface word → stem ("" for a stop word) for one
// goroutine at a time, in front of the shared cache: lookups with the
// word's bytes do not allocate.
type lexicon struct{ m map[string]string }

var lexicons = sync.Pool{New: func() any { return &lexicon{m: make(map[string]string, 4096)} }}

func getLexicon() *lexicon  { return lexicons.Get().(*lexicon) }
func putLexicon(l *lexicon) { lexicons.Put(l) }

func (lx *lexicon) stemOf(word []byte) string {
	if s, ok := lx.m[string(word)]; ok {
		return s
	}
	w := string(word)
	s := ""
	if !stopWords[w] {
		s = stem(w)
	}
	if len(lx.m) < 1<<18 {
		lx.m[w] = s
	}
	return s
}

// asciiWord maps a word byte to its lower case (0: not a word byte).
var asciiWord = func() (t [128]byte) {
	for c := byte('a'); c <= 'z'; c++ {
		t[c], t[c-'a'+'A'] = c, c
	}
	for c := byte('0'); c <= '9'; c++ {
		t[c] = c
	}
	return
}()

func (lx *lexicon) scan(text string, fn func(pos, start, end int, stem string, word []byte)) {
	pos := 0
	scanWords(text, func(_, start, end int, word []byte) {
		st := lx.stemOf(word)
		if st == "" {
			pos++
			return
		}
		fn(pos, start, end, st, word)
		pos++
	})
}

// scanWords splits text into lower-cased words (letters and digits, with
// c++/c#-style suffixes), calling fn with each word's bytes (valid during
// the call only) and offsets.
func scanWords(text string, fn func(pos, start, end int, word []byte)) {
	var buf [maxTokenLen * 4]byte
	pos := 0
	i := 0
	for i < len(text) {
		c := text[i]
		if c < utf8.RuneSelf {
			if asciiWord[c] == 0 {
				i++
				continue
			}
		} else if r, size := utf8.DecodeRuneInString(text[i:]); !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			i += size
			continue
		}
		n, start := 0, i
		for i < len(text) {
			c := text[i]
			if c < utf8.RuneSelf {
				l := asciiWord[c]
				if l == 0 {
					break
				}
				if n < len(buf) {
					buf[n] = l
					n++
				}
				i++
				continue
			}
			r, size := utf8.DecodeRuneInString(text[i:])
			if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
				break
			}
			if n+4 <= len(buf) {
				n += utf8.EncodeRune(buf[n:], unicode.ToLower(r))
			}
			i += size
		}
		// c++, c#, f#: a "+"/"#" run right after a one- or two-letter word
		// belongs to it ("Staff+" and "5+" stay plain words).
		if n <= 2 && n > 0 && asciiWord[buf[0]] >= 'a' {
			for i < len(text) && (text[i] == '+' || text[i] == '#') && n < len(buf) {
				buf[n] = text[i]
				n++
				i++
			}
		}
		if n > len(buf)-4 {
			continue // a run of characters, not a word
		}
		fn(pos, start, i, buf[:n])
		pos++
	}
}
