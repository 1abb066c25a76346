package report

import (
	"bytes"
	"html/template"
)

// Charts for other pages: the web app draws the same inline SVG charts as
// the report. Each returns one <svg role="img"> element with a <title>
// and <desc>, its labels escaped by html/template; the element is styled
// by classes (bar, ci, whisker, box, median, line, s0..s6, grid, axis,
// tick, label, value, note), so a page needs no inline style for it.

// Bar is one row of a bar chart: a share (0..1) with, when HasInterval,
// its 95 % interval Lo..Hi. Text is printed after the bar; Tip is the
// exact figure (a <title> on the bar).
type Bar struct {
	Label         string
	Value, Lo, Hi float64
	Text, Tip     string
	HasInterval   bool
	Emphasis      bool
}

// Range is one row of a salary range chart: p10..p90 as a line,
// p25..p75 as a box and the median as a mark; a Suppressed row shows
// Note instead.
type Range struct {
	Label                   string
	P10, P25, P50, P75, P90 float64
	Suppressed              bool
	Note, Tip               string
}

// Line is one series of a line chart; NaN values leave gaps.
type Line struct {
	Name   string
	Values []float64
}

// BarChartSVG draws horizontal bars of shares with whiskers for their
// intervals; labels longer than maxChars are clipped. id must be unique
// in the page.
func BarChartSVG(id, title, desc string, bars []Bar, maxChars int) (template.HTML, error) {
	bs := make([]bar, len(bars))
	for i, b := range bars {
		bs[i] = bar(b)
	}
	return svgOf(barChart(id, title, desc, bs, maxChars))
}

// RangeChartSVG draws salary ranges on a common axis of amounts.
func RangeChartSVG(id, title, desc string, rows []Range) (template.HTML, error) {
	rs := make([]rangeRow, len(rows))
	for i, r := range rows {
		rs[i] = rangeRow(r)
	}
	return svgOf(rangeChart(id, title, desc, rs))
}

// LineChartSVG draws series over the same periods (labels), the y axis
// from 0 labelled by yfmt (nil: shares as percentages).
func LineChartSVG(id, title, desc string, labels []string, series []Line, yfmt func(float64) string) (template.HTML, error) {
	ls := make([]lineSeries, len(series))
	for i, s := range series {
		ls[i] = lineSeries(s)
	}
	if yfmt == nil {
		yfmt = func(v float64) string { return trimZero(pctNum(v)) + " %" }
	}
	return svgOf(lineChart(id, title, desc, labels, ls, yfmt))
}

func svgOf(c *chart) (template.HTML, error) {
	var buf bytes.Buffer
	if err := pageTemplate.ExecuteTemplate(&buf, "svg", c); err != nil {
		return "", err
	}
	return template.HTML(buf.String()), nil // #nosec G203 -- written by html/template, which escapes every label
}
