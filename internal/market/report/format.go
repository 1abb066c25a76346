package report

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// Human formats of the figures (the CSVs keep full precision).

// fmtInt prints a count with thousands separators: 12,345.
func fmtInt(n int) string {
	s := strconv.Itoa(n)
	sign := ""
	if n < 0 {
		sign, s = "-", s[1:]
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return sign + s
}

// fmtPct prints a share as a percentage with one decimal: 41.2 %.
func fmtPct(v float64) string { return pctNum(v) + " %" }

func pctNum(v float64) string {
	if math.IsNaN(v) {
		return "–"
	}
	s := strconv.FormatFloat(v*100, 'f', 1, 64)
	if s == "-0.0" {
		s = "0.0"
	}
	return s
}

// fmtCI prints an interval of shares: 38.0–44.5 %.
func fmtCI(lo, hi float64) string { return pctNum(lo) + "–" + pctNum(hi) + " %" }

// fmtSigned prints a relative change: +12.3 %.
func fmtSigned(v float64) string {
	s := pctNum(v)
	if !strings.HasPrefix(s, "-") && s != "0.0" {
		s = "+" + s
	}
	return strings.Replace(s, "-", "−", 1) + " %"
}

// fmtAmount prints a whole amount with thousands separators.
func fmtAmount(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "–"
	}
	return fmtInt(int(math.Round(v)))
}

// fmtShort prints an amount for an axis: 85k, 1.2M.
func fmtShort(v float64) string {
	a := math.Abs(v)
	switch {
	case a >= 1e6:
		return trimZero(strconv.FormatFloat(v/1e6, 'f', 1, 64)) + "M"
	case a >= 1e3:
		return trimZero(strconv.FormatFloat(v/1e3, 'f', 1, 64)) + "k"
	default:
		return trimZero(strconv.FormatFloat(v, 'f', 1, 64))
	}
}

func trimZero(s string) string { return strings.TrimSuffix(s, ".0") }

// fmtHours prints a duration given in hours: in hours below two days,
// else in days.
func fmtHours(p *float64) string {
	if p == nil {
		return "–"
	}
	h := *p
	if h < 48 {
		return strconv.FormatFloat(h, 'f', 1, 64) + " h"
	}
	return strconv.FormatFloat(h/24, 'f', 1, 64) + " days"
}

func fmtDay(t time.Time) string {
	if t.IsZero() {
		return "–"
	}
	return t.UTC().Format(time.DateOnly)
}

func fmtMonth(t time.Time) string { return t.UTC().Format("2006-01") }

// niceStep rounds v up to 1, 2, 2.5 or 5 times a power of ten: an
// axis step.
func niceStep(v float64) float64 {
	if v <= 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 2.5, 5} {
		if m*p >= v*(1-1e-12) {
			return m * p
		}
	}
	return 10 * p
}

// axis returns a range holding lo..hi that starts and ends on a tick,
// with about n steps, and its ticks.
func axis(lo, hi float64, n int) (from, to float64, ticks []float64) {
	if math.IsNaN(lo) || math.IsNaN(hi) || hi < lo {
		lo, hi = 0, 1
	}
	if hi == lo {
		hi = lo + math.Max(1, math.Abs(lo)*0.1)
	}
	step := niceStep((hi - lo) / float64(n))
	from = math.Floor(lo/step+1e-9) * step
	to = math.Ceil(hi/step-1e-9) * step
	for i := 0; ; i++ {
		v := from + float64(i)*step
		if v > to+step*1e-9 {
			break
		}
		ticks = append(ticks, math.Round(v/step)*step)
	}
	return from, to, ticks
}

// coord prints an SVG coordinate with one decimal.
func coord(v float64) string {
	s := strconv.FormatFloat(math.Round(v*10)/10, 'f', -1, 64)
	if s == "-0" {
		return "0"
	}
	return s
}
