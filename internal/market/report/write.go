package report

import (
	"bufio"
	"errors"
	"fmt"
	"html/template"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/meridianhq/meridian/internal/market"
)

// File names of the report's pages.
const (
	HTMLFile     = "report.html"
	MarkdownFile = "report.md"
)

// Files returns the names of the files Write writes, pages first, then
// the CSVs in the order of the sections.
func (r *Report) Files() []string {
	out := []string{HTMLFile, MarkdownFile}
	for _, f := range r.files {
		out = append(out, f.Name)
	}
	return out
}

// Write writes report.html, report.md and the CSVs into dir (created if
// need be; files of the same names are replaced).
func (r *Report) Write(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, f := range r.files {
		if err := writeFile(filepath.Join(dir, f.Name), func(w io.Writer) error { return market.WriteCSV(w, f.Data) }); err != nil {
			return fmt.Errorf("report: %s: %w", f.Name, err)
		}
	}
	if err := writeFile(filepath.Join(dir, HTMLFile), r.WriteHTML); err != nil {
		return fmt.Errorf("report: %s: %w", HTMLFile, err)
	}
	if err := writeFile(filepath.Join(dir, MarkdownFile), r.WriteMarkdown); err != nil {
		return fmt.Errorf("report: %s: %w", MarkdownFile, err)
	}
	return nil
}

func writeFile(path string, fn func(io.Writer) error) (err error) {
	f, err := os.Create(path) // #nosec G304 -- the operator names the output directory
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, f.Close()) }()
	w := bufio.NewWriterSize(f, 64<<10)
	if err := fn(w); err != nil {
		return err
	}
	return w.Flush()
}

// page is what the HTML template renders.
type page struct {
	Title     string
	Generated string
	Summary   string
	Sections  []*section
}

func (r *Report) page() page {
	for _, s := range r.sections {
		for _, b := range s.Blocks {
			if b.Table != nil {
				b.Table.finish()
			}
		}
	}
	return page{Title: r.Title, Generated: r.Options.Now.Format(time.RFC3339), Sections: r.sections,
		Summary: fmt.Sprintf("%s postings; filters: %s; salaries in %s.", fmtInt(r.Sample.N), filterWords(r.Options.Filter), r.Options.Currency)}
}

// WriteHTML writes the self-contained HTML page.
func (r *Report) WriteHTML(w io.Writer) error { return pageTemplate.Execute(w, r.page()) }

// htmlCell is a table cell as the template prints it.
type htmlCell struct {
	Text string
	Span int
	Num  bool
	Head bool // the row's header (first) cell
}

// finish works out each cell's alignment from its column.
func (t *table) finish() {
	if t.rows != nil {
		return
	}
	for i, h := range t.Head {
		t.head = append(t.head, htmlCell{Text: h, Num: i < len(t.Num) && t.Num[i]})
	}
	t.rows = make([][]htmlCell, len(t.Rows))
	for ri, row := range t.Rows {
		col := 0
		out := make([]htmlCell, len(row))
		for ci, c := range row {
			out[ci] = htmlCell{Text: c.Text, Span: c.Span, Num: c.Span <= 1 && col < len(t.Num) && t.Num[col], Head: ci == 0}
			col += max(c.Span, 1)
		}
		t.rows[ri] = out
	}
}

// HeadCells and BodyRows are the table as the template prints it.
func (t *table) HeadCells() []htmlCell  { return t.head }
func (t *table) BodyRows() [][]htmlCell { return t.rows }

// The page's style: system fonts, readable line length, charts scaled to
// the width, distinct colours for reference sources; the series colours
// are the Okabe–Ito palette (distinguishable with colour-vision
// deficiencies), and every line also has its name in the legend.
const css = `
:root{color-scheme:light;--fg:#1b1b1b;--muted:#5a5a5a;--line:#d8d8d8;--accent:#0072B2}
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:#fff}
header,main,nav,footer{max-width:72rem;margin:0 auto;padding:0 1rem}
header{padding-top:1.5rem}
h1{font-size:1.8rem;margin:.2rem 0}
h2{font-size:1.4rem;margin:2.2rem 0 .4rem;padding-top:.6rem;border-top:2px solid var(--line)}
h3{font-size:1.1rem;margin:1.6rem 0 .3rem}
p{max-width:60rem}
.meta,.source,.foot,.csv{color:var(--muted);font-size:.92rem}
.source{font-style:italic}
.foreign{background:#fff8e6;border-left:6px solid #E69F00;padding:.2rem 1rem 1rem;margin-top:2rem}
.foreign .source{font-style:normal;font-weight:600;color:#7a4b00}
.def{background:#f4f7fb;border-left:4px solid var(--accent);padding:.5rem .8rem}
.note{background:#f6f6f6;padding:.5rem .8rem}
.pair{display:grid;grid-template-columns:minmax(0,1fr);gap:1rem;align-items:start}
@media (min-width:1100px){.pair.wide{grid-template-columns:minmax(0,7fr) minmax(0,5fr)}}
figure{margin:0}
figure svg{max-width:100%;height:auto;display:block}
.tablewrap{overflow-x:auto}
table{border-collapse:collapse;font-size:.9rem;margin:.4rem 0}
caption{text-align:left;font-weight:600;padding:.2rem 0}
th,td{padding:.25rem .6rem;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
thead th{border-bottom:2px solid #999}
.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.sup{color:var(--muted);font-style:italic}
nav ol{columns:2;font-size:.95rem}
a{color:#005a8e}
svg text{font:12px system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;fill:#1b1b1b}
svg .tick{font-size:11px;fill:#5a5a5a}
svg .note{font-style:italic;fill:#5a5a5a}
svg .grid{stroke:#ececec}
svg .axis{stroke:#8a8a8a}
svg .bar{fill:#56B4E9}
svg .bar.em{fill:#0072B2}
svg .ci{stroke:#1b1b1b;stroke-width:1.2}
svg .whisker{stroke:#3b6e99;stroke-width:1.5}
svg .box{fill:#a6cbe8;stroke:#3b6e99}
svg .median{stroke:#0b2e4f;stroke-width:3}
svg .line{fill:none;stroke-width:2}
svg .s0{stroke:#0072B2}svg .dot.s0{fill:#0072B2}
svg .s1{stroke:#E69F00}svg .dot.s1{fill:#E69F00}
svg .s2{stroke:#009E73}svg .dot.s2{fill:#009E73}
svg .s3{stroke:#CC79A7}svg .dot.s3{fill:#CC79A7}
svg .s4{stroke:#56B4E9}svg .dot.s4{fill:#56B4E9}
svg .s5{stroke:#D55E00}svg .dot.s5{fill:#D55E00}
svg .s6{stroke:#000000}svg .dot.s6{fill:#000000}
svg .dot{stroke:none}
@media print{nav{display:none}.pair.wide{grid-template-columns:1fr}}
`

var pageTemplate = template.Must(template.New("page").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>` + css + `</style>
</head>
<body>
<header>
<h1>{{.Title}}</h1>
<p class="meta">Generated {{.Generated}}. {{.Summary}}</p>
</header>
<nav aria-label="Sections"><ol>{{range .Sections}}<li><a href="#{{.ID}}">{{.Title}}</a></li>{{end}}</ol></nav>
<main>
{{- range .Sections}}
<section id="{{.ID}}" aria-labelledby="{{.ID}}-h"{{if .Foreign}} class="foreign"{{end}}>
<h2 id="{{.ID}}-h">{{.Title}}</h2>
{{- if .Source}}
<p class="source">{{.Source}}</p>
{{- end}}
{{- range .Paras}}
<p>{{.}}</p>
{{- end}}
{{- range .Blocks}}
{{- if .Title}}
<h3>{{.Title}}</h3>
{{- end}}
{{- range .Paras}}
<p>{{.}}</p>
{{- end}}
{{- if .Definition}}
<p class="def"><strong>Definition.</strong> {{.Definition}}</p>
{{- end}}
{{- if .Note}}
<p class="note">{{.Note}}</p>
{{- end}}
{{- if or .Charts .Table}}
<div class="pair{{if and .Charts .Table}} wide{{end}}">
{{- if .Charts}}
<div>
{{- range .Charts}}
<figure>{{template "svg" .}}</figure>
{{- end}}
</div>
{{- end}}
{{- with .Table}}
<div class="tablewrap"><table>
<caption>{{.Caption}}</caption>
<thead><tr>{{range .HeadCells}}<th scope="col"{{if .Num}} class="num"{{end}}>{{.Text}}</th>{{end}}</tr></thead>
<tbody>
{{- range .BodyRows}}
<tr>{{range .}}{{if .Head}}<th scope="row">{{.Text}}</th>{{else}}<td{{if gt .Span 1}} colspan="{{.Span}}" class="sup"{{else if .Num}} class="num"{{end}}>{{.Text}}</td>{{end}}{{end}}</tr>
{{- end}}
</tbody>
</table></div>
{{- end}}
</div>
{{- end}}
{{- if .Footnote}}
<p class="foot">{{.Footnote}}</p>
{{- end}}
{{- if .CSV}}
<p class="csv">Data: <a href="{{.CSV}}">{{.CSV}}</a></p>
{{- end}}
{{- end}}
</section>
{{- end}}
</main>
<footer><p class="meta">{{.Title}}, generated {{.Generated}}. Self-contained: no script, no external resources; the CSVs sit next to this page.</p></footer>
</body>
</html>
{{define "svg"}}<svg role="img" aria-labelledby="{{.ID}}-title {{.ID}}-desc" viewBox="0 0 {{.Width}} {{.Height}}" width="{{.Width}}" height="{{.Height}}">
<title id="{{.ID}}-title">{{.Title}}</title>
<desc id="{{.ID}}-desc">{{.Desc}}</desc>
{{- range .Shapes}}
{{- if eq .Kind "rect"}}
<rect x="{{.X}}" y="{{.Y}}" width="{{.W}}" height="{{.H}}" class="{{.Class}}">{{if .Tip}}<title>{{.Tip}}</title>{{end}}</rect>
{{- else if eq .Kind "line"}}
<line x1="{{.X1}}" y1="{{.Y1}}" x2="{{.X2}}" y2="{{.Y2}}" class="{{.Class}}"/>
{{- else if eq .Kind "text"}}
<text x="{{.X}}" y="{{.Y}}" text-anchor="{{.Anchor}}" class="{{.Class}}">{{.Text}}</text>
{{- else if eq .Kind "path"}}
<path d="{{.D}}" class="{{.Class}}"/>
{{- else if eq .Kind "circle"}}
<circle cx="{{.X}}" cy="{{.Y}}" r="{{.R}}" class="{{.Class}}">{{if .Tip}}<title>{{.Tip}}</title>{{end}}</circle>
{{- end}}
{{- end}}
</svg>{{end}}`))

// WriteMarkdown writes the report's sections as Markdown: the same
// texts and tables as the HTML page, without the charts.
func (r *Report) WriteMarkdown(w io.Writer) error {
	bw, ok := w.(*bufio.Writer)
	if !ok {
		bw = bufio.NewWriter(w)
	}
	p := func(parts ...string) {
		for _, s := range parts {
			bw.WriteString(s)
		}
	}
	p("# ", mdText(r.Title), "\n\n")
	p("Generated ", r.Options.Now.Format(time.RFC3339), ". ", mdText(r.page().Summary), "\n\n")
	for i, s := range r.sections {
		p(fmt.Sprint(i+1), ". [", mdText(s.Title), "](#", slug(s.Title), ")\n")
	}
	for _, s := range r.sections {
		p("\n## ", mdText(s.Title), "\n\n")
		if s.Source != "" {
			if s.Foreign {
				p("> **", mdText(s.Source), "**\n\n")
			} else {
				p("*", mdText(s.Source), "*\n\n")
			}
		}
		for _, para := range s.Paras {
			p(mdText(para), "\n\n")
		}
		for _, b := range s.Blocks {
			if b.Title != "" {
				p("### ", mdText(b.Title), "\n\n")
			}
			for _, para := range b.Paras {
				p(mdText(para), "\n\n")
			}
			if b.Definition != "" {
				p("**Definition.** ", mdText(b.Definition), "\n\n")
			}
			if b.Note != "" {
				p("> ", mdText(b.Note), "\n\n")
			}
			if t := b.Table; t != nil {
				mdTable(bw, t, b.Title == "")
			}
			if b.Footnote != "" {
				p(mdText(b.Footnote), "\n\n")
			}
			if b.CSV != "" {
				p("Data: [", mdText(b.CSV), "](", b.CSV, ")\n\n")
			}
		}
	}
	return bw.Flush()
}

// mdTable writes a table, with its caption unless the block's title
// already says it.
func mdTable(w *bufio.Writer, t *table, caption bool) {
	if caption && t.Caption != "" {
		w.WriteString("**" + mdText(t.Caption) + "**\n\n")
	}
	w.WriteString("|")
	for _, h := range t.Head {
		w.WriteString(" " + mdText(h) + " |")
	}
	w.WriteString("\n|")
	for i := range t.Head {
		if i < len(t.Num) && t.Num[i] {
			w.WriteString(" ---: |")
		} else {
			w.WriteString(" --- |")
		}
	}
	w.WriteString("\n")
	for _, row := range t.Rows {
		w.WriteString("|")
		for _, c := range row {
			w.WriteString(" " + mdText(c.Text) + " |")
			for range max(c.Span, 1) - 1 {
				w.WriteString("  |")
			}
		}
		w.WriteString("\n")
	}
	w.WriteString("\n")
}

var mdEscaper = strings.NewReplacer("\\", "\\\\", "*", "\\*", "_", "\\_", "`", "\\`", "[", "\\[", "]", "\\]", "<", "\\<", ">", "\\>",
	"|", "\\|", "#", "\\#", "\r\n", " ", "\n", " ", "\r", " ")

// mdText escapes text for Markdown (inline, and in table cells).
func mdText(s string) string { return mdEscaper.Replace(s) }

// slug is the anchor GitHub-flavoured Markdown gives a heading.
func slug(s string) string {
	var b strings.Builder
	for _, c := range strings.ToLower(s) {
		switch {
		case c == ' ' || c == '-':
			b.WriteByte('-')
		case c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c > 127 && !strings.ContainsRune("–—:“”«»", c):
			b.WriteRune(c)
		}
	}
	return b.String()
}
