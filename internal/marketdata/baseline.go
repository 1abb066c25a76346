package marketdata

import (
	"context"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/meridianhq/meridian/internal/meridian"
	"github.com/meridianhq/meridian/internal/skills"
	"github.com/meridianhq/meridian/internal/store"
)

// BaselineHeader is the header a hiring-trends file must have, in this
// order.
var BaselineHeader = []string{"month", "source_month_label", "num_comments", "points", "term", "full_term", "count", "percentage", "rank"}

// termSkillOverrides corrects the taxonomy mapping of terms whose
// hiring-trends meaning is not the taxonomy skill of that spelling: "Flux"
// is counted from 2011 on and mostly means Facebook's Flux architecture
// (2014–2016), not the Flux CD tool the taxonomy names. "" maps to no
// skill.
var termSkillOverrides = map[string]string{"flux": ""}

// parseFullTerm reads the source's modifier notation (hiringtrends'
// job_posting.rb) into the term's other spellings: "Back End/alias[Backend|Back-end]"
// counts any of the listed spellings, "React/js[react]" counts react,
// react.js and reactjs.
func parseFullTerm(term, full string) ([]string, error) {
	if full == term {
		return nil, nil
	}
	mod, ok := strings.CutPrefix(full, term+"/")
	if !ok {
		return nil, fmt.Errorf("full_term: %q does not name the term %q", full, term)
	}
	kind, rest, ok := strings.Cut(mod, "[")
	list, closed := strings.CutSuffix(rest, "]")
	if !ok || !closed || (kind != "alias" && kind != "js") {
		return nil, fmt.Errorf("full_term: %q: want TERM/alias[A|B] or TERM/js[ROOT]", full)
	}
	spellings := strings.Split(list, "|")
	if kind == "js" {
		root := strings.TrimSpace(list)
		spellings = []string{root, root + ".js", root + "js"}
	}
	var out []string
	for _, a := range spellings {
		a = strings.TrimSpace(a)
		if a == "" || strings.ContainsAny(a, "[]|") {
			return nil, fmt.Errorf("full_term: %q: empty or malformed spelling", full)
		}
		if !strings.EqualFold(a, term) && !containsFold(out, a) {
			out = append(out, a)
		}
	}
	return out, nil
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// skillOfTerm maps a term to a taxonomy skill: the term itself, else the
// first alias the taxonomy knows (after termSkillOverrides); "" when none.
func skillOfTerm(tax *skills.Taxonomy, term string, aliases []string) string {
	if id, ok := termSkillOverrides[strings.ToLower(term)]; ok {
		return id
	}
	for _, n := range append([]string{term}, aliases...) {
		if id := tax.Canonical(n); id != "" {
			return id
		}
	}
	return ""
}

type baselineRow struct {
	month, term  string
	posts, count int
	percentage   float64
}

type baselineTerm struct {
	term, full, skill string
	aliases           []string
	months            int
	first, last       string
}

// ImportBaseline imports the Hacker News hiring-trends term series
// (BaselineHeader; plain or gzipped CSV) under the source label: per month
// and term, the hiring posts that month (num_comments), the posts
// mentioning the term and its percentage, with the taxonomy skill the term
// or one of its aliases names. Rows that do not validate (a bad month or
// count, a percentage that does not match count/num_comments, a month
// whose num_comments differs from its first row's, a repeated month and
// term) are skipped and listed; the rest replace the label's earlier rows
// in one transaction.
func ImportBaseline(ctx context.Context, db *store.DB, r io.Reader, source string) (ImportReport, error) {
	label, err := checkLabel(source)
	rep := ImportReport{Source: label}
	if err != nil {
		return rep, err
	}
	in, err := newCSVInput(r, &rep)
	if err != nil {
		return rep, err
	}
	if err := in.header(BaselineHeader); err != nil {
		return rep, err
	}
	var (
		rows    []baselineRow
		terms   = map[string]*baselineTerm{}
		order   []string
		seen    = map[[2]string]int{} // month, term → line
		monthOf = map[string][2]int{} // month → posts, line
	)
	err = in.each(len(BaselineHeader), func(line int, rec []string) error {
		month := rec[0]
		if t, err := time.Parse("2006-01", month); err != nil || t.Format("2006-01") != month {
			return fmt.Errorf("month: %q is not YYYY-MM", month)
		}
		posts, err := strconv.Atoi(rec[2])
		if err != nil || posts < 1 {
			return fmt.Errorf("num_comments: %q is not a positive count", rec[2])
		}
		if p, err := strconv.Atoi(rec[3]); err != nil || p < 0 {
			return fmt.Errorf("points: %q is not a count", rec[3])
		}
		term := rec[4]
		if term == "" || len(term) > 100 {
			return fmt.Errorf("term: must be 1 to 100 characters")
		}
		aliases, err := parseFullTerm(term, rec[5])
		if err != nil {
			return err
		}
		count, err := strconv.Atoi(rec[6])
		if err != nil || count < 0 || count > posts {
			return fmt.Errorf("count: %q is not a count between 0 and num_comments %d", rec[6], posts)
		}
		pct, err := strconv.ParseFloat(rec[7], 64)
		if err != nil || math.IsNaN(pct) || math.Abs(pct-100*float64(count)/float64(posts)) > 0.05 {
			return fmt.Errorf("percentage: %q is not 100×count/num_comments (%.2f)", rec[7], 100*float64(count)/float64(posts))
		}
		if rk, err := strconv.Atoi(rec[8]); err != nil || rk < 0 {
			return fmt.Errorf("rank: %q is not a rank", rec[8])
		}
		if m, ok := monthOf[month]; ok && m[0] != posts {
			return fmt.Errorf("num_comments: %d differs from line %d's %d for %s", posts, m[1], m[0], month)
		}
		if l, ok := seen[[2]string{month, term}]; ok {
			return fmt.Errorf("%s %q repeats line %d", month, term, l)
		}
		if _, ok := monthOf[month]; !ok {
			monthOf[month] = [2]int{posts, line}
		}
		seen[[2]string{month, term}] = line
		t := terms[term]
		if t == nil {
			t = &baselineTerm{term: term, full: rec[5], first: month, last: month}
			terms[term] = t
			order = append(order, term)
		}
		for _, a := range aliases {
			if !containsFold(t.aliases, a) {
				t.aliases = append(t.aliases, a)
			}
		}
		t.months++
		t.first, t.last = min(t.first, month), max(t.last, month)
		rows = append(rows, baselineRow{month: month, term: term, posts: posts, count: count, percentage: pct})
		return nil
	})
	if err != nil {
		return rep, err
	}
	if len(rows) == 0 {
		return rep, meridian.Errorf(meridian.EInvalid, "no valid hiring-trends row (%d rows read)", rep.Rows)
	}
	tax := skills.Default()
	for _, t := range terms {
		t.skill = skillOfTerm(tax, t.term, t.aliases)
	}
	err = replace(ctx, db, label, KindHNTrends, rep, in.sum(), func(tx *store.Tx) error {
		for _, table := range []string{"market_baseline_rows", "market_baseline_terms"} {
			if _, err := tx.Exec(ctx, `DELETE FROM `+table+` WHERE source = ?`, label); err != nil {
				return err
			}
		}
		err := insertRows(ctx, tx, `INSERT INTO market_baseline_terms (source, term, full_term, aliases, skill, months, first_month, last_month)`,
			8, len(order), func(i int, dst []any) []any {
				t := terms[order[i]]
				return append(dst, label, t.term, t.full, strings.Join(t.aliases, "|"), t.skill, t.months, t.first, t.last)
			})
		if err != nil {
			return err
		}
		return insertRows(ctx, tx, `INSERT INTO market_baseline_rows (source, term, month, skill, posts, mentions, percentage)`,
			7, len(rows), func(i int, dst []any) []any {
				r := &rows[i]
				return append(dst, label, r.term, r.month, terms[r.term].skill, r.posts, r.count, r.percentage)
			})
	})
	return rep, err
}

// baselineTerms reads the terms of one hiring-trends import.
func baselineTerms(ctx context.Context, db *store.DB, src source) ([]BaselineTerm, error) {
	rows, err := db.Query(ctx, `SELECT term, aliases, skill, months, first_month, last_month FROM market_baseline_terms WHERE source = ?`, src.label)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []BaselineTerm{}
	for rows.Next() {
		t := BaselineTerm{Source: SourceHNTrends, Label: src.label}
		var aliases string
		if err := rows.Scan(&t.Term, &aliases, &t.Skill, &t.Months, &t.First, &t.Last); err != nil {
			return nil, err
		}
		if aliases != "" {
			t.Aliases = strings.Split(aliases, "|")
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b BaselineTerm) int { return strings.Compare(a.Term, b.Term) }) // byte order in every dialect
	// A skill's display name names a term that is its only one; terms
	// sharing a skill (GPT-4, ChatGPT, OpenAI) keep their own.
	perSkill := map[string]int{}
	for _, t := range out {
		if t.Skill != "" {
			perSkill[t.Skill]++
		}
	}
	tax := skills.Default()
	for i, t := range out {
		out[i].Name = t.Term
		if s, ok := tax.Get(t.Skill); ok && perSkill[t.Skill] == 1 {
			out[i].Name = s.Name
		}
	}
	return out, nil
}

// BaselineTerms lists the terms of the latest hiring-trends import, with
// the skills they map to.
func BaselineTerms(ctx context.Context, db *store.DB) ([]BaselineTerm, error) {
	src, _, err := pickSource(ctx, db, KindHNTrends, "")
	if err != nil {
		return nil, err
	}
	return baselineTerms(ctx, db, src)
}

// Baseline returns the monthly series of the latest hiring-trends import
// for each key (case-insensitive): a term; else a taxonomy skill id, which
// selects every term mapped to that skill (one series each: their counts
// overlap, so they are not added); else a spelling the source counts for a
// term (its alias notation); else any taxonomy spelling of a skill with
// terms ("Go" → go → the term "golang").
// from and to bound the months (YYYY-MM, inclusive; "" open). A key naming
// nothing is an EInvalid error naming it.
func Baseline(ctx context.Context, db *store.DB, keys []string, from, to string) ([]BaselineSeries, error) {
	return BaselineOf(ctx, db, "", keys, from, to)
}

// maxBaselineKeys bounds the keys of one Baseline request.
const maxBaselineKeys = 50

// BaselineOf is Baseline over the hiring-trends import labelled source
// ("": the latest).
func BaselineOf(ctx context.Context, db *store.DB, source string, keys []string, from, to string) ([]BaselineSeries, error) {
	for _, m := range []struct{ name, v string }{{"from", from}, {"to", to}} {
		if t, err := time.Parse("2006-01", m.v); m.v != "" && (err != nil || t.Format("2006-01") != m.v) {
			return nil, meridian.Errorf(meridian.EInvalid, "%s: %q is not a month (YYYY-MM)", m.name, m.v)
		}
	}
	if from != "" && to != "" && from > to {
		return nil, meridian.Errorf(meridian.EInvalid, "from: %s is after to %s", from, to)
	}
	if len(keys) == 0 {
		return nil, meridian.Errorf(meridian.EInvalid, "keys: name at least one term or skill")
	}
	if len(keys) > maxBaselineKeys {
		return nil, meridian.Errorf(meridian.EInvalid, "keys: at most %d", maxBaselineKeys)
	}
	src, _, err := pickSource(ctx, db, KindHNTrends, source)
	if err != nil {
		return nil, err
	}
	terms, err := baselineTerms(ctx, db, src)
	if err != nil {
		return nil, err
	}
	picked, err := resolveKeys(terms, keys)
	if err != nil {
		return nil, err
	}
	if to == "" {
		to = "9999-12"
	}
	out := make([]BaselineSeries, len(picked))
	index := map[string]int{}
	args := []any{src.label, from, to}
	for i, t := range picked {
		out[i] = BaselineSeries{Source: SourceHNTrends, Label: src.label, Term: t.Term, Skill: t.Skill, Name: t.Name, Points: []BaselinePoint{}}
		index[t.Term] = i
		args = append(args, t.Term)
	}
	rows, err := db.Query(ctx, `SELECT term, month, posts, mentions FROM market_baseline_rows
WHERE source = ? AND month >= ? AND month <= ? AND term IN (`+strings.TrimSuffix(strings.Repeat("?, ", len(picked)), ", ")+`)
ORDER BY term, month`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var term string
		var p BaselinePoint
		if err := rows.Scan(&term, &p.Month, &p.Posts, &p.Count); err != nil {
			return nil, err
		}
		if p.Posts > 0 {
			p.Share = float64(p.Count) / float64(p.Posts)
		}
		if i, ok := index[term]; ok {
			out[i].Points = append(out[i].Points, p)
		}
	}
	return out, rows.Err()
}

// resolveKeys maps keys to terms (each once, in key order).
func resolveKeys(terms []BaselineTerm, keys []string) ([]BaselineTerm, error) {
	tax := skills.Default()
	var out []BaselineTerm
	var unknown []string
	taken := map[string]bool{}
	add := func(t BaselineTerm) {
		if !taken[t.Term] {
			taken[t.Term] = true
			out = append(out, t)
		}
	}
	for _, k := range keys {
		k = strings.TrimSpace(k)
		// A term; else a skill id; else a spelling the source counts for a
		// term; else any spelling of a skill.
		found := false
		match := func(ok func(t BaselineTerm) bool) {
			for _, t := range terms {
				if ok(t) {
					add(t)
					found = true
				}
			}
		}
		match(func(t BaselineTerm) bool { return strings.EqualFold(t.Term, k) })
		if s, ok := tax.Get(strings.ToLower(k)); !found && ok {
			match(func(t BaselineTerm) bool { return t.Skill == s.ID })
		}
		if !found {
			match(func(t BaselineTerm) bool { return containsFold(t.Aliases, k) })
		}
		if id := tax.Canonical(k); !found && id != "" {
			match(func(t BaselineTerm) bool { return t.Skill == id })
		}
		if !found {
			unknown = append(unknown, strconv.Quote(k))
		}
	}
	if len(unknown) > 0 {
		return nil, meridian.Errorf(meridian.EInvalid, "keys: %s: neither a hiring-trends term nor a skill it has a series for", strings.Join(unknown, ", "))
	}
	return out, nil
}
