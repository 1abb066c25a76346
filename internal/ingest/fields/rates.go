package fields

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"sort"
	"strings"
	"sync"

	"github.com/meridianhq/meridian/internal/domain"
	"github.com/meridianhq/meridian/internal/meridian"
)

//go:embed rates.json
var ratesJSON []byte

// Rates is an exchange-rate table: for each currency, how many units of it
// buy one unit of the base currency. Arithmetic is exact (math/big.Rat);
// only the final result is rounded to a minor unit. A *Rates is read-only
// once loaded and safe for concurrent use.
type Rates struct {
	// Base is the ISO 4217 code the rates are quoted against (rate 1).
	Base string
	// Date is the day the rates are for (YYYY-MM-DD).
	Date string
	// Source and Note say where the rates come from and how to replace them.
	Source, Note string
	rates        map[string]*big.Rat
}

// ratesFile is the JSON form of a table (see rates.json).
type ratesFile struct {
	Base   string                 `json:"base"`
	Date   string                 `json:"date"`
	Source string                 `json:"source"`
	Note   string                 `json:"note"`
	Rates  map[string]json.Number `json:"rates"`
}

var (
	defaultRatesOnce sync.Once
	defaultRates     *Rates
)

// DefaultRates returns the table shipped with Meridian (rates.json,
// embedded): approximate reference rates against the US dollar for the
// date in its Date field. It panics only if the embedded file is broken,
// which the package tests rule out.
func DefaultRates() *Rates {
	defaultRatesOnce.Do(func() {
		r, err := LoadRates(bytes.NewReader(ratesJSON))
		if err != nil {
			panic("fields: embedded rates.json: " + err.Error())
		}
		defaultRates = r
	})
	return defaultRates
}

// LoadRates reads a table in the JSON form of rates.json: {"base": "USD",
// "date": "2024-06-28", "source": "...", "note": "...", "rates": {"EUR":
// "0.934143", ...}}, each rate a decimal string (or number) of units per one
// base unit. It returns a *meridian.Error with code meridian.EInvalid when
// the JSON is malformed, a code is not an ISO 4217 currency or a rate is
// not a positive decimal.
func LoadRates(r io.Reader) (*Rates, error) {
	invalid := func(format string, args ...any) error {
		return &meridian.Error{Code: meridian.EInvalid, Message: "exchange rates: " + fmt.Sprintf(format, args...)}
	}
	var raw ratesFile
	dec := json.NewDecoder(io.LimitReader(r, 1<<20))
	dec.UseNumber()
	if err := dec.Decode(&raw); err != nil {
		return nil, invalid("%v", err)
	}
	base := strings.ToUpper(strings.TrimSpace(raw.Base))
	if !meridian.ValidCurrency(base) {
		return nil, invalid("base %q is not an ISO 4217 currency", raw.Base)
	}
	out := &Rates{Base: base, Date: raw.Date, Source: raw.Source, Note: raw.Note, rates: map[string]*big.Rat{base: big.NewRat(1, 1)}}
	for code, v := range raw.Rates {
		c := strings.ToUpper(strings.TrimSpace(code))
		if !meridian.ValidCurrency(c) {
			return nil, invalid("%q is not an ISO 4217 currency", code)
		}
		q, ok := new(big.Rat).SetString(string(v))
		if !ok || q.Sign() <= 0 {
			return nil, invalid("rate %q of %s is not a positive decimal", string(v), c)
		}
		if c == base && q.Cmp(big.NewRat(1, 1)) != 0 {
			return nil, invalid("the base currency %s must have rate 1", c)
		}
		out.rates[c] = q
	}
	return out, nil
}

// Currencies returns the codes the table knows, sorted.
func (r *Rates) Currencies() []string {
	out := make([]string, 0, len(r.rates))
	for c := range r.rates {
		out = append(out, c)
	}
	sort.Strings(out)
	return out
}

func (r *Rates) rate(code string) (*big.Rat, bool) {
	q, ok := r.rates[code]
	return q, ok
}

func pow10(n int) *big.Int { return new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(n)), nil) }

// Convert converts an amount in minor units of from into minor units of to
// (ISO 4217 codes): through the base currency, exactly, rounded half away
// from zero at the end. Converting a currency to itself returns the amount
// unchanged. It returns a *meridian.Error with code meridian.EInvalid when
// a currency is not in the table or the result does not fit in an int64.
func (r *Rates) Convert(minor int64, from, to string) (int64, error) {
	if from == to && meridian.ValidCurrency(from) {
		return minor, nil
	}
	q, err := r.convert(new(big.Rat).SetInt64(minor), from, to)
	if err != nil {
		return 0, err
	}
	return roundRat(q)
}

// convert converts an exact amount of minor units.
func (r *Rates) convert(minor *big.Rat, from, to string) (*big.Rat, error) {
	rf, ok := r.rate(from)
	if !ok {
		return nil, &meridian.Error{Code: meridian.EInvalid, Message: fmt.Sprintf("no exchange rate for %q", from)}
	}
	rt, ok := r.rate(to)
	if !ok {
		return nil, &meridian.Error{Code: meridian.EInvalid, Message: fmt.Sprintf("no exchange rate for %q", to)}
	}
	// minor_to = minor_from / 10^mf / rf * rt * 10^mt
	q := new(big.Rat).Set(minor)
	q.Mul(q, rt)
	q.Quo(q, rf)
	q.Mul(q, new(big.Rat).SetFrac(pow10(meridian.MinorUnits(to)), pow10(meridian.MinorUnits(from))))
	return q, nil
}

// roundRat rounds half away from zero to an int64.
func roundRat(q *big.Rat) (int64, error) {
	num, den := q.Num(), q.Denom()
	abs := new(big.Int).Abs(num)
	quo, rem := new(big.Int).QuoRem(abs, den, new(big.Int))
	if rem.Lsh(rem, 1).Cmp(den) >= 0 {
		quo.Add(quo, big.NewInt(1))
	}
	if num.Sign() < 0 {
		quo.Neg(quo)
	}
	if !quo.IsInt64() {
		return 0, &meridian.Error{Code: meridian.EInvalid, Message: "converted amount is too large"}
	}
	return quo.Int64(), nil
}

// Annual returns a salary's bounds as annual amounts in minor units of
// base: an hourly figure ×2080, daily ×260, weekly ×52, monthly ×12, yearly
// ×1, converted with r (DefaultRates when r is nil) and rounded once, at
// the end. A bound of 0 ("up to", "from") stays 0. It returns a
// *meridian.Error with code meridian.EInvalid for an unknown period or a
// currency missing from the table.
func Annual(s domain.Salary, base string, r *Rates) (min, max int64, err error) {
	if r == nil {
		r = DefaultRates()
	}
	per, ok := periodsPerYear[s.Period]
	if !ok {
		return 0, 0, &meridian.Error{Code: meridian.EInvalid, Message: fmt.Sprintf("unknown salary period %q", s.Period)}
	}
	one := func(v int64) (int64, error) {
		if v == 0 {
			return 0, nil
		}
		q := new(big.Rat).SetInt64(v)
		q.Mul(q, new(big.Rat).SetInt64(per))
		if s.Currency != base {
			var err error
			if q, err = r.convert(q, s.Currency, base); err != nil {
				return 0, err
			}
		}
		return roundRat(q)
	}
	if min, err = one(s.Min); err != nil {
		return 0, 0, err
	}
	if max, err = one(s.Max); err != nil {
		return 0, 0, err
	}
	return min, max, nil
}
