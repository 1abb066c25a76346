package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/meridianhq/meridian/internal/app"
	"github.com/meridianhq/meridian/internal/auth"
	"github.com/meridianhq/meridian/internal/export"
	"github.com/meridianhq/meridian/internal/ingest"
	"github.com/meridianhq/meridian/internal/ingest/fields"
	"github.com/meridianhq/meridian/internal/marketdata"
	"github.com/meridianhq/meridian/internal/meridian"
	"github.com/meridianhq/meridian/internal/node"
	"github.com/meridianhq/meridian/internal/readmodel"
	"github.com/meridianhq/meridian/internal/skills"
)

// isTerminal reports whether w is a terminal (a variable so tests can
// force either answer).
var isTerminal = func(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd())) // #nosec G115 -- a file descriptor fits an int
}

func newImportCmd(g *globals) *cobra.Command {
	var (
		format, org, owner, visibility, mapping, csvKind, reportPath, source string
		batch                                                                int
	)
	cmd := &cobra.Command{
		Use:   "import --format {jsonld|jsonresume|csv|remoteok|hn|salary-survey|hn-trends} FILE|-",
		Short: "Import postings or profiles from a file (or standard input)",
		Long: `Imports job postings (schema.org JobPosting JSON-LD, CSV, Remote OK's API
format, Hacker News "Who is hiring?" JSON Lines) or developer profiles (JSON
Resume) through one pipeline: text is cleaned, salary, location, time zone,
seniority and employment type are parsed, and skills are extracted. The
file is streamed in constant memory.

Imports are idempotent: importing a file again creates nothing new, and a
near-duplicate repost (same employer, title and eligibility) merges into
the posting it repeats. A bad record never stops the import: every
rejected record is listed in the report (record number, line, source id
and reason), written as JSON to --report (default FILE.report.json, or
import-report.json for standard input; "-" for standard output).

Without --org each posting's company names its employer, whose
organization is created on first sight. JSON Resume imports need --owner
(a user id or e-mail address) naming whose profile it is.

Reference data sets are imported apart from postings, each under a source
label (--source, default the file's name) that replaces what was imported
under it before: salary-survey (ai-jobs.net salaries.csv layout) and
hn-trends (the Hacker News hiring-trends monthly term series). Rows that do
not validate are skipped and listed as "line N: reason".`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if format == "salary-survey" || format == "hn-trends" {
				return importMarketData(cmd, g, format, source, args[0])
			}
			if !validFormat(format) {
				return usageError{fmt.Errorf("--format must be one of %s, salary-survey, hn-trends", strings.Join(ingest.Formats, ", "))}
			}
			csvMap, err := ingest.ParseMapping(mapping)
			if err != nil {
				return usageError{err}
			}
			if owner == "" && (format == "jsonresume" || csvKind == "profile") {
				return usageError{fmt.Errorf("profile imports need --owner (a user id or e-mail address)")}
			}
			in, size, closeIn, err := openInput(args[0])
			if err != nil {
				return err
			}
			defer closeIn()
			if reportPath == "" {
				reportPath = "import-report.json"
				if args[0] != "-" {
					reportPath = args[0] + ".report.json"
				}
			}
			var rep ingest.Report
			err = g.withIdentity(cmd, func(ctx context.Context, d *node.Deps, a *app.App, s *auth.Service) error {
				opt := ingest.Options{Format: format, OrgID: org, Visibility: visibility, CSV: csvMap, CSVKind: csvKind, BatchSize: batch}
				if owner != "" {
					if opt.Owner, err = resolveUser(ctx, s, owner); err != nil {
						return err
					}
				}
				src, done := progress(g, in, size, &opt)
				defer done()
				im := &ingest.Importer{App: a}
				var runErr error
				rep, runErr = im.Run(ctx, src, opt)
				return runErr
			})
			if err != nil && rep.Records == 0 {
				return err // refused before reading a record (credentials, organization): nothing to report
			}
			if werr := writeReport(g, reportPath, rep); werr != nil && err == nil {
				err = werr
			}
			fmt.Fprintf(g.stdout, "%d records: %d created, %d updated, %d merged, %d unchanged, %d rejected (%.1fs); report: %s\n",
				rep.Records, rep.Created, rep.Updated, rep.Merged, rep.Unchanged, rep.Rejected, rep.Seconds, reportPath)
			for i, r := range rep.Rejections {
				if i == 20 {
					fmt.Fprintf(g.stderr, "... and %d more rejected records in %s\n", rep.Rejected-20, reportPath)
					break
				}
				fmt.Fprintf(g.stderr, "rejected: record %d%s%s: %s\n", r.Record, lineOf(r.Line), sourceOf(r.SourceID), r.Reason)
			}
			return err
		},
	}
	f := cmd.Flags()
	f.StringVar(&format, "format", "", "input format: "+strings.Join(ingest.Formats, ", ")+", salary-survey, hn-trends")
	f.StringVar(&source, "source", "", "salary-survey and hn-trends: the source label (default the file name)")
	f.StringVar(&org, "org", "", "import every posting into this organization id (default: one organization per company)")
	f.StringVar(&owner, "owner", "", "profile imports: the user (id or e-mail) whose profile it is")
	f.StringVar(&visibility, "visibility", "employers", "profile imports: public, employers or private")
	f.StringVar(&mapping, "map", "", "CSV column mapping, e.g. title=Job Title,company=Employer,salary=Pay")
	f.StringVar(&csvKind, "csv-kind", "job", "CSV imports: job or profile")
	f.StringVar(&reportPath, "report", "", "where to write the JSON report (- for standard output)")
	f.IntVar(&batch, "batch", 500, "records written per transaction")
	_ = cmd.MarkFlagRequired("format")
	return cmd
}

// importMarketData imports a reference data set (package marketdata).
func importMarketData(cmd *cobra.Command, g *globals, format, source, path string) error {
	if source == "" && path == "-" {
		return usageError{fmt.Errorf("reading standard input needs --source LABEL")}
	}
	if source == "" {
		source = filepath.Base(path)
	}
	cfg, err := g.load()
	if err != nil {
		return err
	}
	in, _, closeIn, err := openInput(path)
	if err != nil {
		return err
	}
	defer closeIn()
	d, err := node.OpenStore(cmd.Context(), cfg, g.logger(cfg))
	if err != nil {
		return err
	}
	defer d.Close()
	imp := marketdata.ImportSurvey
	if format == "hn-trends" {
		imp = marketdata.ImportBaseline
	}
	rep, err := imp(cmd.Context(), d.DB, in, source)
	for _, e := range rep.Errors {
		fmt.Fprintln(g.stderr, e)
	}
	if err != nil {
		return fmt.Errorf("%s %s: nothing imported: %s", format, rep.Source, meridian.MessageOf(err))
	}
	fmt.Fprintf(g.stdout, "%s %s: %d rows: %d imported, %d skipped\n", format, rep.Source, rep.Rows, rep.Imported, rep.Skipped)
	return nil
}

func validFormat(f string) bool {
	for _, k := range ingest.Formats {
		if k == f {
			return true
		}
	}
	return false
}

func lineOf(n int) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprintf(" (line %d)", n)
}

func sourceOf(id string) string {
	if id == "" {
		return ""
	}
	return " [" + id + "]"
}

func openInput(path string) (io.Reader, int64, func(), error) {
	if path == "-" {
		return bufio.NewReaderSize(os.Stdin, 1<<16), -1, func() {}, nil
	}
	f, err := os.Open(path) // #nosec G304 -- the operator names the file to import
	if err != nil {
		return nil, 0, nil, err // "open PATH: no such file or directory"
	}
	var size int64 = -1
	if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
		size = st.Size()
	}
	return bufio.NewReaderSize(f, 1<<16), size, func() { _ = f.Close() }, nil
}

// progress shows a progress bar on a terminal (bytes read of the file) and
// plain counts after every batch otherwise.
func progress(g *globals, in io.Reader, size int64, opt *ingest.Options) (io.Reader, func()) {
	if isTerminal(g.stderr) {
		bar := progressbar.NewOptions64(size,
			progressbar.OptionSetWriter(g.stderr),
			progressbar.OptionSetDescription("importing"),
			progressbar.OptionShowBytes(true),
			progressbar.OptionShowCount(),
			progressbar.OptionThrottle(100_000_000),
			progressbar.OptionClearOnFinish(),
		)
		opt.Progress = func(r ingest.Report) {
			bar.Describe(fmt.Sprintf("importing: %d records, %d rejected", r.Records, r.Rejected))
		}
		pr := progressbar.NewReader(in, bar)
		return &pr, func() { _ = bar.Finish() }
	}
	opt.Progress = func(r ingest.Report) {
		fmt.Fprintf(g.stderr, "imported %d records: %d created, %d updated, %d merged, %d unchanged, %d rejected\n",
			r.Records, r.Created, r.Updated, r.Merged, r.Unchanged, r.Rejected)
	}
	return in, func() {}
}

func writeReport(g *globals, path string, rep ingest.Report) error {
	b, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return err
	}
	b = append(b, '\n')
	if path == "-" {
		_, err = g.stdout.Write(b)
		return err
	}
	return os.WriteFile(path, b, 0o600)
}

func newExportCmd(g *globals) *cobra.Command {
	var format, out, kind, owner string
	cmd := &cobra.Command{
		Use:   "export --format {jsonld|jsonresume|csv} [--out FILE]",
		Short: "Export every published posting (JSON-LD, CSV) or profiles (JSON Resume, CSV)",
		Long: `Writes every published posting as schema.org JobPosting JSON-LD (a JSON
array, valid for Google's job search rules) or CSV, or developer profiles as
JSON Resume documents (a JSON array) or CSV. Profiles are personal data:
--owner limits the export to one person's profiles (their data export);
without it the operator exports every profile that is not erased.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			wf := ""
			switch {
			case format == "jsonld":
				wf = "jsonld"
			case format == "jsonresume":
				wf = "jsonresume"
			case format == "csv" && kind == "jobs":
				wf = "csv-jobs"
			case format == "csv" && kind == "profiles":
				wf = "csv-profiles"
			default:
				return usageError{fmt.Errorf("--format must be jsonld, jsonresume or csv (with --kind jobs or profiles), not %q", format)}
			}
			w := g.stdout
			if out != "" && out != "-" {
				f, err := os.Create(out) // #nosec G304 -- the operator names the output file
				if err != nil {
					return err
				}
				defer f.Close()
				bw := bufio.NewWriter(f)
				defer bw.Flush()
				w = bw
			}
			return g.withIdentity(cmd, func(ctx context.Context, d *node.Deps, a *app.App, s *auth.Service) error {
				ew, err := export.NewWriter(w, wf, export.WithBaseURL(d.Config.BaseURL()))
				if err != nil {
					return err
				}
				if wf == "jsonresume" || wf == "csv-profiles" {
					ownerID := ""
					if owner != "" {
						if ownerID, err = resolveUser(ctx, s, owner); err != nil {
							return err
						}
					}
					if err := exportProfiles(ctx, a, ew, ownerID); err != nil {
						return err
					}
				} else if err := exportJobs(ctx, a, ew); err != nil {
					return err
				}
				return ew.Close()
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&format, "format", "", "jsonld, jsonresume or csv")
	f.StringVar(&kind, "kind", "jobs", "with --format csv: jobs or profiles")
	f.StringVar(&out, "out", "", "output file (default standard output)")
	f.StringVar(&owner, "owner", "", "profiles: only this user's (id or e-mail)")
	_ = cmd.MarkFlagRequired("format")
	return cmd
}

func exportJobs(ctx context.Context, a *app.App, w export.Writer) error {
	orgs := map[string]readmodel.Org{}
	cursor := ""
	for {
		page, err := a.Q.Jobs(ctx, readmodel.JobFilter{Now: a.Clock(), Cursor: cursor, Limit: 100})
		if err != nil {
			return err
		}
		for _, j := range page.Items {
			org, ok := orgs[j.OrgID]
			if !ok {
				if org, err = a.Q.Org(ctx, j.OrgID); err != nil {
					return err
				}
				if len(orgs) > 10000 {
					clear(orgs)
				}
				orgs[j.OrgID] = org
			}
			j.Status = j.EffectiveStatus(a.Clock())
			if err := w.WriteJob(j, org); err != nil {
				return err
			}
		}
		if page.NextCursor == "" {
			return nil
		}
		cursor = page.NextCursor
	}
}

func exportProfiles(ctx context.Context, a *app.App, w export.Writer, owner string) error {
	cursor := ""
	for {
		page, err := a.Q.Profiles(ctx, readmodel.ProfileFilter{OwnerID: owner, Cursor: cursor, Limit: 100})
		if err != nil {
			return err
		}
		for _, p := range page.Items {
			if err := w.WriteProfile(p); err != nil {
				return err
			}
		}
		if page.NextCursor == "" {
			return nil
		}
		cursor = page.NextCursor
	}
}

func newSkillsCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "skills", Short: "The skills taxonomy and extractor"}
	var html bool
	extract := &cobra.Command{
		Use:   "extract",
		Short: "Find the skills in text read from standard input (JSON out)",
		Long: `Reads text (a posting, a résumé, an HN post) from standard input and prints
the skills it names as JSON: {"skills": [{"id", "name", "category",
"requirement", "confidence", "spans": [{"start", "end", "text"}]}]}.
Spans are byte offsets into the text as read (after --html cleaning when
given).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			b, err := io.ReadAll(io.LimitReader(cmd.InOrStdin(), 16<<20))
			if err != nil {
				return err
			}
			text := string(b)
			if html {
				text = fields.CleanText(text)
			}
			out := struct {
				Taxonomy string         `json:"taxonomy"`
				Skills   []skills.Match `json:"skills"`
			}{skills.Default().Version, skills.DefaultExtractor().Extract(text)}
			if out.Skills == nil {
				out.Skills = []skills.Match{}
			}
			enc := json.NewEncoder(g.stdout)
			enc.SetIndent("", "  ")
			return enc.Encode(out)
		},
	}
	extract.Flags().BoolVar(&html, "html", false, "the input is HTML: clean it to text first")
	cmd.AddCommand(extract)
	cmd.AddCommand(&cobra.Command{
		Use:   "taxonomy",
		Short: "Print the skills taxonomy as JSON",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			t := skills.Default()
			enc := json.NewEncoder(g.stdout)
			enc.SetIndent("", "  ")
			return enc.Encode(map[string]any{"version": t.Version, "groups": t.Groups(), "skills": t.Skills()})
		},
	})
	return cmd
}
