package report

import (
	"math"
	"strings"
	"testing"
)

func TestExportedCharts(t *testing.T) {
	hostile := `<script>x</script>`
	bar, err := BarChartSVG("b", "Bars "+hostile, "How to read", []Bar{{Label: hostile, Value: 0.4, Lo: 0.3, Hi: 0.5, HasInterval: true, Text: "40.0 %", Tip: "4 of 10"}}, 32)
	if err != nil {
		t.Fatal(err)
	}
	rng, err := RangeChartSVG("r", "Ranges", "How to read", []Range{{Label: "Senior", P10: 1, P25: 2, P50: 3, P75: 4, P90: 5}, {Label: "Mid", Suppressed: true, Note: "n < 10"}})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := LineChartSVG("l", "Lines", "How to read", []string{"2026-01", "2026-02"}, []Line{{Name: "Go", Values: []float64{0.2, math.NaN()}}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		svg   string
		id    string
		wants []string
	}{
		{string(bar), "b", []string{`class="bar"`, `class="ci"`, `<title>4 of 10</title>`, "&lt;script&gt;x&lt;/script&gt;"}},
		{string(rng), "r", []string{`class="box"`, `class="median"`, `n &lt; 10`}},
		{string(ln), "l", []string{`class="line s0"`, `20 %`}},
	} {
		if !strings.HasPrefix(c.svg, `<svg role="img" aria-labelledby="`+c.id+`-title `+c.id+`-desc"`) || !strings.Contains(c.svg, `<title id="`+c.id+`-title">`) ||
			!strings.HasSuffix(c.svg, "</svg>") || strings.Contains(c.svg, "<script") {
			t.Errorf("chart %s:\n%s", c.id, c.svg)
		}
		for _, w := range c.wants {
			if !strings.Contains(c.svg, w) {
				t.Errorf("chart %s lacks %s:\n%s", c.id, w, c.svg)
			}
		}
	}
}
