package report

import (
	"math"
	"strings"
	"unicode/utf8"
)

// Charts are inline SVG, laid out here and written by html/template (so
// every label is escaped). No chart library: a horizontal bar with a
// whisker, a box from p25 to p75, and a polyline are each a few lines of
// SVG markup, and a dependency would add script or external assets the
// report must not have. Geometry is computed once, as strings with one
// decimal, so the markup is deterministic.

// chart is one SVG figure.
type chart struct {
	ID     string // unique in the page; its title and desc ids derive from it
	Title  string // <title>: what the chart shows, with its n
	Desc   string // <desc>: how to read it, and where the table is
	Width  int
	Height int
	Shapes []shape
}

// shape is one SVG element. Kind: rect, line, text, path or circle.
type shape struct {
	Kind  string
	Class string
	X, Y  string // rect, text: position; circle: centre
	W, H  string // rect
	X1    string // line
	Y1    string
	X2    string
	Y2    string
	R     string // circle
	D     string // path
	Text  string // text content
	// Anchor is a text's text-anchor (start, middle, end).
	Anchor string
	// Tip is a <title> child: the exact figure behind a mark.
	Tip string
}

const (
	chartWidth = 760
	fontW      = 6.6 // average glyph width at the chart font size, for layout
	rowH       = 22.0
)

func text(x, y float64, s, anchor, class string) shape {
	return shape{Kind: "text", X: coord(x), Y: coord(y), Text: s, Anchor: anchor, Class: class}
}

func line(x1, y1, x2, y2 float64, class string) shape {
	return shape{Kind: "line", X1: coord(x1), Y1: coord(y1), X2: coord(x2), Y2: coord(y2), Class: class}
}

func rect(x, y, w, h float64, class, tip string) shape {
	return shape{Kind: "rect", X: coord(x), Y: coord(y), W: coord(math.Max(w, 0)), H: coord(h), Class: class, Tip: tip}
}

// clip shortens a label to at most n characters.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// labelWidth is the width of a label column holding labels (at most max
// characters each).
func labelWidth(labels []string, maxChars int) float64 {
	w := 0
	for _, l := range labels {
		w = max(w, min(utf8.RuneCountInString(l), maxChars))
	}
	return math.Max(80, float64(w)*fontW+12)
}

// bar is one row of a bar chart: a share with its interval.
type bar struct {
	Label         string
	Value, Lo, Hi float64
	Text, Tip     string // value printed after the bar; exact figure
	HasInterval   bool
	Emphasis      bool // the headline row (darker)
}

// barChart lays out horizontal bars of shares (0..1) with their 95 %
// intervals as whiskers.
func barChart(id, title, desc string, bars []bar, maxChars int) *chart {
	labels := make([]string, len(bars))
	top := 0.0
	for i, b := range bars {
		labels[i] = b.Label
		top = math.Max(top, math.Max(b.Value, b.Hi))
	}
	_, scale, ts := axis(0, math.Max(top, 0.01), 5)
	lw := labelWidth(labels, maxChars)
	x0 := lw
	plotW := float64(chartWidth) - x0 - 110
	y0 := 24.0
	h := y0 + rowH*float64(len(bars)) + 8
	c := &chart{ID: id, Title: title, Desc: desc, Width: chartWidth, Height: int(math.Ceil(h))}
	xOf := func(v float64) float64 { return x0 + plotW*v/scale }
	for _, t := range ts {
		x := xOf(t)
		c.Shapes = append(c.Shapes, line(x, y0-4, x, h-8, "grid"), text(x, y0-8, trimZero(pctNum(t))+" %", "middle", "tick"))
	}
	for i, b := range bars {
		y := y0 + rowH*float64(i)
		cls := "bar"
		if b.Emphasis {
			cls = "bar em"
		}
		c.Shapes = append(c.Shapes,
			text(x0-8, y+rowH/2+4, clip(b.Label, maxChars), "end", "label"),
			rect(x0, y+4, xOf(b.Value)-x0, rowH-8, cls, b.Tip))
		end := xOf(b.Value)
		if b.HasInterval {
			lo, hi := xOf(b.Lo), xOf(b.Hi)
			mid := y + rowH/2
			c.Shapes = append(c.Shapes, line(lo, mid, hi, mid, "ci"), line(lo, mid-4, lo, mid+4, "ci"), line(hi, mid-4, hi, mid+4, "ci"))
			end = math.Max(end, hi)
		}
		c.Shapes = append(c.Shapes, text(end+6, y+rowH/2+4, b.Text, "start", "value"))
	}
	c.Shapes = append(c.Shapes, line(x0, y0-4, x0, h-8, "axis"))
	return c
}

// rangeRow is one salary group: p10..p90 as a line, p25..p75 as a box,
// the median as a mark; Suppressed rows print Note instead.
type rangeRow struct {
	Label                   string
	P10, P25, P50, P75, P90 float64
	Suppressed              bool
	Note, Tip               string
}

// rangeChart lays out salary ranges on a common axis of amounts.
func rangeChart(id, title, desc string, rows []rangeRow) *chart {
	labels := make([]string, len(rows))
	lo, hi := math.Inf(1), math.Inf(-1)
	for i, r := range rows {
		labels[i] = r.Label
		if !r.Suppressed {
			lo, hi = math.Min(lo, r.P10), math.Max(hi, r.P90)
		}
	}
	if math.IsInf(lo, 0) {
		lo, hi = 0, 100_000
	}
	lo, hi, ts := axis(lo, hi, 6)
	lw := labelWidth(labels, 40)
	x0 := lw
	plotW := float64(chartWidth) - x0 - 24
	y0 := 24.0
	h := y0 + rowH*float64(len(rows)) + 8
	c := &chart{ID: id, Title: title, Desc: desc, Width: chartWidth, Height: int(math.Ceil(h))}
	xOf := func(v float64) float64 { return x0 + plotW*(v-lo)/(hi-lo) }
	for _, t := range ts {
		x := xOf(t)
		c.Shapes = append(c.Shapes, line(x, y0-4, x, h-8, "grid"), text(x, y0-8, fmtShort(t), "middle", "tick"))
	}
	for i, r := range rows {
		y := y0 + rowH*float64(i)
		mid := y + rowH/2
		c.Shapes = append(c.Shapes, text(x0-8, mid+4, clip(r.Label, 40), "end", "label"))
		if r.Suppressed {
			c.Shapes = append(c.Shapes, text(x0+8, mid+4, r.Note, "start", "note"))
			continue
		}
		c.Shapes = append(c.Shapes,
			line(xOf(r.P10), mid, xOf(r.P90), mid, "whisker"),
			line(xOf(r.P10), mid-5, xOf(r.P10), mid+5, "whisker"),
			line(xOf(r.P90), mid-5, xOf(r.P90), mid+5, "whisker"),
			rect(xOf(r.P25), y+4, xOf(r.P75)-xOf(r.P25), rowH-8, "box", r.Tip),
			line(xOf(r.P50), y+2, xOf(r.P50), y+rowH-2, "median"))
	}
	return c
}

// lineSeries is one line of a line chart; NaN values leave gaps.
type lineSeries struct {
	Name   string
	Values []float64
}

// lineChart lays out series over the same periods (labels), with a y
// axis from 0 formatted by yfmt, and a legend.
func lineChart(id, title, desc string, labels []string, series []lineSeries, yfmt func(float64) string) *chart {
	const left, top, bottom = 64.0, 16.0, 44.0
	legendW := 0.0
	if len(series) > 1 {
		names := make([]string, len(series))
		for i, s := range series {
			names[i] = s.Name
		}
		legendW = labelWidth(names, 24) + 28
	}
	height := 300.0
	// Room on the right for half the last x label (or the legend).
	right := 16.0
	if n := len(labels); n > 0 {
		right = math.Max(right, float64(utf8.RuneCountInString(labels[n-1]))*fontW/2+6)
	}
	plotW := float64(chartWidth) - left - right - legendW
	plotH := height - top - bottom
	top0 := 0.0
	for _, s := range series {
		for _, v := range s.Values {
			if !math.IsNaN(v) {
				top0 = math.Max(top0, v)
			}
		}
	}
	_, ymax, ts := axis(0, top0, 5)
	c := &chart{ID: id, Title: title, Desc: desc, Width: chartWidth, Height: int(height)}
	n := len(labels)
	xOf := func(i int) float64 {
		if n <= 1 {
			return left + plotW/2
		}
		return left + plotW*float64(i)/float64(n-1)
	}
	yOf := func(v float64) float64 { return top + plotH*(1-v/ymax) }
	for _, t := range ts {
		y := yOf(t)
		c.Shapes = append(c.Shapes, line(left, y, left+plotW, y, "grid"), text(left-6, y+4, yfmt(t), "end", "tick"))
	}
	c.Shapes = append(c.Shapes, line(left, top+plotH, left+plotW, top+plotH, "axis"), line(left, top, left, top+plotH, "axis"))
	// At most about eight x labels, always the first and the last.
	step := max(1, int(math.Ceil(float64(n)/8)))
	for i := 0; i < n; i++ {
		if i%step != 0 && i != n-1 {
			continue
		}
		if i != n-1 && n-1-i < step/2+1 && i != 0 {
			continue // too close to the last label
		}
		x := xOf(i)
		c.Shapes = append(c.Shapes, line(x, top+plotH, x, top+plotH+4, "axis"), text(x, top+plotH+18, labels[i], "middle", "tick"))
	}
	markers := n <= 60
	for si, s := range series {
		cls := seriesClass(si)
		var d strings.Builder
		pen := false
		for i, v := range s.Values {
			if i >= n || math.IsNaN(v) {
				pen = false
				continue
			}
			if pen {
				d.WriteString(" L")
			} else {
				if d.Len() > 0 {
					d.WriteByte(' ')
				}
				d.WriteByte('M')
			}
			d.WriteString(coord(xOf(i)))
			d.WriteByte(' ')
			d.WriteString(coord(yOf(v)))
			pen = true
		}
		if d.Len() > 0 {
			c.Shapes = append(c.Shapes, shape{Kind: "path", Class: "line " + cls, D: d.String()})
		}
		if markers {
			for i, v := range s.Values {
				if i < n && !math.IsNaN(v) {
					c.Shapes = append(c.Shapes, shape{Kind: "circle", Class: "dot " + cls, X: coord(xOf(i)), Y: coord(yOf(v)), R: "2.5",
						Tip: s.Name + ", " + labels[i] + ": " + yfmt(v)})
				}
			}
		}
		if legendW > 0 {
			lx := left + plotW + right
			ly := top + 8 + 18*float64(si)
			c.Shapes = append(c.Shapes, shape{Kind: "line", Class: "line " + cls, X1: coord(lx), Y1: coord(ly), X2: coord(lx + 18), Y2: coord(ly)},
				text(lx+24, ly+4, clip(s.Name, 24), "start", "label"))
		}
	}
	return c
}

// seriesClass names a series colour (s0..s6, Okabe–Ito palette).
func seriesClass(i int) string { return "s" + string(rune('0'+i%7)) }
