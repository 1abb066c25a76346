package fields

import (
	"errors"
	"strings"
	"testing"

	"github.com/meridianhq/meridian/internal/domain"
	"github.com/meridianhq/meridian/internal/meridian"
)

func TestDefaultRates(t *testing.T) {
	r := DefaultRates()
	if r.Base != "USD" || r.Date == "" || r.Source == "" || !strings.Contains(r.Note, "pproximate reference rates") {
		t.Errorf("metadata: %+v", r)
	}
	if n := len(r.Currencies()); n < 30 {
		t.Errorf("%d currencies, want about 30", n)
	}
	for _, c := range []string{"USD", "EUR", "GBP", "CHF", "CAD", "AUD", "INR", "JPY", "SGD", "SEK", "PLN", "BRL", "MXN"} {
		if _, ok := r.rate(c); !ok {
			t.Errorf("no rate for %s", c)
		}
	}
}

// TestConvertExact checks conversions against values computed by hand
// with exact fractions from rates.json, rounded half away from zero.
func TestConvertExact(t *testing.T) {
	r := DefaultRates()
	tests := []struct {
		minor    int64
		from, to string
		want     int64
	}{
		{10_000_000, "USD", "USD", 10_000_000},
		{10_000_000, "EUR", "USD", 10_704_999}, // 100,000.00 EUR / 0.934143
		{10_000_000, "USD", "JPY", 16_061_700}, // 100,000.00 USD × 160.617, JPY has no minor unit
		{6_000_000, "GBP", "EUR", 7_089_014},   // 60,000.00 GBP / 0.790640 × 0.934143
		{250_000_000, "INR", "USD", 2_998_616}, // 25 lakh INR / 83.3718
		{-10_000_000, "EUR", "USD", -10_704_999},
		{0, "EUR", "GBP", 0},
	}
	for _, tc := range tests {
		got, err := r.Convert(tc.minor, tc.from, tc.to)
		if err != nil || got != tc.want {
			t.Errorf("Convert(%d, %s, %s) = %d, %v; want %d", tc.minor, tc.from, tc.to, got, err, tc.want)
		}
	}
	if _, err := r.Convert(100, "EUR", "XXX"); meridian.ErrorCode(err) != meridian.EInvalid {
		t.Errorf("unknown currency: %v", err)
	}
}

func TestAnnualExact(t *testing.T) {
	tests := []struct {
		s       domain.Salary
		base    string
		wantMin int64
		wantMax int64
	}{
		{domain.Salary{Min: 5000, Max: 8000, Currency: "USD", Period: "hour"}, "USD", 5000 * 2080, 8000 * 2080},
		{domain.Salary{Min: 60000, Max: 0, Currency: "USD", Period: "day"}, "USD", 60000 * 260, 0},
		{domain.Salary{Min: 0, Max: 200000, Currency: "USD", Period: "week"}, "USD", 0, 200000 * 52},
		{domain.Salary{Min: 800000, Max: 800000, Currency: "USD", Period: "month"}, "USD", 9_600_000, 9_600_000},
		{domain.Salary{Min: 15_000_000, Max: 20_000_000, Currency: "USD", Period: "year"}, "USD", 15_000_000, 20_000_000},
		{domain.Salary{Min: 5000, Max: 5000, Currency: "EUR", Period: "hour"}, "USD", 11_133_199, 11_133_199}, // 50 EUR × 2080 / 0.934143
		{domain.Salary{Min: 10_000_000, Max: 10_000_000, Currency: "EUR", Period: "year"}, "USD", 10_704_999, 10_704_999},
	}
	for _, tc := range tests {
		lo, hi, err := Annual(tc.s, tc.base, nil)
		if err != nil || lo != tc.wantMin || hi != tc.wantMax {
			t.Errorf("Annual(%+v, %s) = %d, %d, %v; want %d, %d", tc.s, tc.base, lo, hi, err, tc.wantMin, tc.wantMax)
		}
	}
	if _, _, err := Annual(domain.Salary{Min: 1, Currency: "USD", Period: "fortnight"}, "USD", nil); meridian.ErrorCode(err) != meridian.EInvalid {
		t.Errorf("unknown period: %v", err)
	}
}

func TestLoadRates(t *testing.T) {
	r, err := LoadRates(strings.NewReader(`{"base":"EUR","date":"2026-01-02","source":"test","rates":{"USD":"1.25","gbp":0.8}}`))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := r.Convert(10000, "USD", "GBP"); err != nil || got != 6400 { // 100 USD / 1.25 × 0.8
		t.Errorf("Convert = %d, %v", got, err)
	}
	for _, bad := range []string{
		`{`,
		`{"base":"XYZ","rates":{}}`,
		`{"base":"USD","rates":{"EUR":"-1"}}`,
		`{"base":"USD","rates":{"EUR":"abc"}}`,
		`{"base":"USD","rates":{"QQQ":"1"}}`,
		`{"base":"USD","rates":{"USD":"2"}}`,
	} {
		var me *meridian.Error
		if _, err := LoadRates(strings.NewReader(bad)); !errors.As(err, &me) || me.Code != meridian.EInvalid {
			t.Errorf("LoadRates(%s) = %v, want an invalid error", bad, err)
		}
	}
}
