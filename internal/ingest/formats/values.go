package formats

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// fieldErrs collects what is wrong with a record's fields.
type fieldErrs struct {
	msgs     []string
	warnings []string
}

func (e *fieldErrs) add(field, format string, args ...any) {
	if len(e.msgs) < 10 {
		e.msgs = append(e.msgs, field+": "+fmt.Sprintf(format, args...))
	}
}

func (e *fieldErrs) warn(field, format string, args ...any) {
	if len(e.warnings) < 10 {
		e.warnings = append(e.warnings, field+": "+fmt.Sprintf(format, args...))
	}
}

func (e *fieldErrs) err() error {
	if len(e.msgs) == 0 {
		return nil
	}
	return fmt.Errorf("%s", strings.Join(e.msgs, "; "))
}

// kindOf returns the first byte of a JSON value (0 when absent or null).
func kindOf(r json.RawMessage) byte {
	r = bytes.TrimSpace(r)
	if len(r) == 0 || r[0] == 'n' {
		return 0
	}
	return r[0]
}

func kindName(r json.RawMessage) string {
	switch kindOf(r) {
	case '"':
		return "string"
	case '{':
		return "object"
	case '[':
		return "array"
	case 't', 'f':
		return "boolean"
	case 0:
		return "null"
	}
	return "number"
}

func quoteShort(s string) string {
	if len(s) > 40 {
		s = s[:40] + "…"
	}
	return strconv.Quote(s)
}

// text reads a text value: a string, a number (kept as written), a
// single-element array of those, or an object with "@value".
func (e *fieldErrs) text(r json.RawMessage, field string) string {
	switch kindOf(r) {
	case 0:
		return ""
	case '"':
		var s string
		if json.Unmarshal(r, &s) != nil {
			e.add(field, "invalid string")
		}
		return s
	case '[':
		var arr []json.RawMessage
		json.Unmarshal(r, &arr)
		for _, el := range arr {
			if k := kindOf(el); k == '"' || k == '{' || (k >= '0' && k <= '9') || k == '-' {
				return e.text(el, field)
			}
		}
		if len(arr) > 0 {
			e.add(field, "expected text, got an array of %s", kindName(arr[0]))
		}
		return ""
	case '{':
		var v struct {
			Value json.RawMessage `json:"@value"`
		}
		json.Unmarshal(r, &v)
		if k := kindOf(v.Value); k == '"' || (k >= '0' && k <= '9') || k == '-' {
			return e.text(v.Value, field)
		}
		e.add(field, "expected text, got object")
		return ""
	case 't', 'f':
		e.add(field, "expected text, got boolean")
		return ""
	}
	return string(bytes.TrimSpace(r))
}

// number reads a number or a numeric string ("120000", "120,000.50").
func (e *fieldErrs) number(r json.RawMessage, field string) (float64, bool) {
	var s string
	switch kindOf(r) {
	case 0:
		return 0, false
	case '"':
		json.Unmarshal(r, &s)
		s = strings.NewReplacer(",", "", "_", "", " ", "").Replace(strings.TrimSpace(s))
		if s == "" {
			return 0, false
		}
	case '{', '[', 't', 'f':
		e.add(field, "expected a number, got %s", kindName(r))
		return 0, false
	default:
		s = string(bytes.TrimSpace(r))
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		e.add(field, "expected a number, got %s", quoteShort(s))
		return 0, false
	}
	return f, true
}

// texts reads a list of texts: an array, or one string (split on commas
// when split is set). Objects contribute their "name".
func (e *fieldErrs) texts(r json.RawMessage, field string, split bool) []string {
	switch kindOf(r) {
	case 0:
		return nil
	case '"':
		s := e.text(r, field)
		if split {
			return splitList(s)
		}
		if s = strings.TrimSpace(s); s != "" {
			return []string{s}
		}
		return nil
	case '{':
		if s := e.name(r, field); s != "" {
			return []string{s}
		}
		return nil
	case '[':
		var arr []json.RawMessage
		json.Unmarshal(r, &arr)
		var out []string
		for i, el := range arr {
			f := fmt.Sprintf("%s[%d]", field, i)
			var s string
			switch kindOf(el) {
			case '{':
				s = e.name(el, f)
			case '[':
				e.add(f, "expected text, got array")
			default:
				s = e.text(el, f)
			}
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
		return out
	}
	e.add(field, "expected text or a list, got %s", kindName(r))
	return nil
}

// name reads the "name" of an object (or a string given instead).
func (e *fieldErrs) name(r json.RawMessage, field string) string {
	if kindOf(r) != '{' {
		return e.text(r, field)
	}
	var v struct {
		Name json.RawMessage `json:"name"`
	}
	json.Unmarshal(r, &v)
	return e.text(v.Name, field+".name")
}

// boolean reads true/false or "true"/"false".
func (e *fieldErrs) boolean(r json.RawMessage, field string) *bool {
	var b bool
	switch kindOf(r) {
	case 0:
		return nil
	case 't', 'f':
		b = kindOf(r) == 't'
	case '"':
		var s string
		json.Unmarshal(r, &s)
		v, err := strconv.ParseBool(strings.TrimSpace(s))
		if err != nil {
			e.add(field, "expected true or false, got %s", quoteShort(s))
			return nil
		}
		b = v
	default:
		e.add(field, "expected true or false, got %s", kindName(r))
		return nil
	}
	return &b
}

// date reads a date; an unparseable one is a warning and stays zero.
func (e *fieldErrs) date(r json.RawMessage, field string) time.Time {
	if k := kindOf(r); k != 0 && k != '"' && k != '{' && k != '[' {
		e.add(field, "expected a date, got %s", kindName(r))
		return time.Time{}
	}
	s := e.text(r, field)
	if strings.TrimSpace(s) == "" {
		return time.Time{}
	}
	t, ok := parseDate(s)
	if !ok {
		e.warn(field, "cannot read date %s", quoteShort(s))
	}
	return t
}
