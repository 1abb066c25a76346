package bench

import (
	"fmt"
	"io"
	"strings"
)

// Row is one figure of the report.
type Row struct {
	Scenario string
	Setup    string
	Figure   string
	Target   string
	// Verdict is "pass", "MISS", "info" (no target) or "skipped: why".
	Verdict string
	// Load is the CPU share other processes used meanwhile (see SampleLoad).
	Load string
}

// Verdict returns "pass" or "MISS".
func Verdict(ok bool) string {
	if ok {
		return "pass"
	}
	return "MISS"
}

// WriteTable writes the machine and the rows as Markdown.
func WriteTable(w io.Writer, m Machine, extra string, rows []Row) {
	fmt.Fprintf(w, "Machine: %d CPUs (nproc), %s, %s memory, %s, %s. Commit %s.\n", m.CPUs, m.CPUModel, m.MemTotal, m.Go, m.OS, m.Revision)
	if extra != "" {
		fmt.Fprintln(w, extra)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| scenario | setup | measured | target | verdict | other load |")
	fmt.Fprintln(w, "| --- | --- | --- | --- | --- | --- |")
	for _, r := range rows {
		load := r.Load
		if load == "" {
			load = "—"
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s |\n", cell(r.Scenario), cell(r.Setup), cell(r.Figure), cell(r.Target), cell(r.Verdict), load)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "other load: share of the machine's CPU taken, while the figure was measured, by processes other than this one, PostgreSQL and nats-server (others), and by the hypervisor for other virtual machines (steal); the worst run for repeated figures.")
}

func cell(s string) string { return strings.ReplaceAll(s, "|", `\|`) }

// Thousands formats n with thin grouping: 12,345.
func Thousands(n float64) string {
	s := fmt.Sprintf("%.0f", n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
