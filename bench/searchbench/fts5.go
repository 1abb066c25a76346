package searchbench

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	_ "modernc.org/sqlite" // driver "sqlite" (FTS5 compiled in)

	"github.com/meridianhq/meridian/internal/search"
)

// FTS5 is SQLite full-text search through the repository's driver
// (modernc.org/sqlite, pure Go, FTS5 built in), on a database file in a
// temporary directory (Dir, default os.TempDir) in WAL mode with a 1 GiB
// page cache and memory-mapped I/O, so that queries run from memory like
// the others. Schema:
//
//   - jobs(rid INTEGER PRIMARY KEY, id, org, seniority, employment,
//     published, sal_usd, sal_eur, sal_gbp) with B-tree indexes on every
//     filter column;
//   - job_skills, job_cats, job_places (value, rid) WITHOUT ROWID, primary
//     key (value, rid) plus an index on (rid, value) for facets;
//   - fts: a contentless FTS5 table (title, company, description),
//     tokenize='porter unicode61', rowid = rid.
//
// Loading is one transaction of prepared inserts (synchronous=OFF), then
// the indexes, then FTS5 'optimize' (one b-tree per index), then ANALYZE:
// all counted as build time.
//
// Text: each word a quoted FTS5 string (AND), the last one also a prefix
// ("kube" *), phrases as FTS5 phrases. FTS5 has no typo tolerance:
// "kubernets" finds only postings that misspell it. Ordering by
// bm25(fts, 3, 2, 1) (title, company, description weights), newest or
// salary; totals by count(*); facets by GROUP BY over a materialized CTE
// of the matching rows (one statement).
type FTS5 struct {
	Dir string
	db  *sql.DB
	dir string
}

// NewFTS5 returns an SQLite FTS5 engine on a temporary file.
func NewFTS5() *FTS5 { return &FTS5{} }

func (e *FTS5) Name() string { return "SQLite FTS5" }

func (e *FTS5) Build(docs []search.Doc) error {
	var err error
	e.dir, err = os.MkdirTemp(e.Dir, "searchbench-fts5-")
	if err != nil {
		return err
	}
	dsn := "file:" + filepath.Join(e.dir, "fts.db") + "?_pragma=journal_mode(WAL)&_pragma=synchronous(OFF)" +
		"&_pragma=cache_size(-1048576)&_pragma=mmap_size(17179869184)&_pragma=temp_store(MEMORY)"
	e.db, err = sql.Open("sqlite", dsn)
	if err != nil {
		return err
	}
	e.db.SetMaxOpenConns(1)
	ctx := context.Background()
	var fts5 bool
	if err := e.db.QueryRowContext(ctx, `SELECT sqlite_compileoption_used('ENABLE_FTS5')`).Scan(&fts5); err != nil || !fts5 {
		return fmt.Errorf("sqlite: FTS5 not compiled in (%v)", err)
	}
	for _, s := range []string{
		`CREATE TABLE jobs(rid INTEGER PRIMARY KEY, id TEXT NOT NULL, org TEXT NOT NULL, seniority TEXT, employment TEXT,
			published INTEGER NOT NULL, sal_usd INTEGER, sal_eur INTEGER, sal_gbp INTEGER)`,
		`CREATE TABLE job_skills(v TEXT NOT NULL, rid INTEGER NOT NULL, PRIMARY KEY(v, rid)) WITHOUT ROWID`,
		`CREATE TABLE job_cats(v TEXT NOT NULL, rid INTEGER NOT NULL, PRIMARY KEY(v, rid)) WITHOUT ROWID`,
		`CREATE TABLE job_places(v TEXT NOT NULL, rid INTEGER NOT NULL, PRIMARY KEY(v, rid)) WITHOUT ROWID`,
		`CREATE VIRTUAL TABLE fts USING fts5(title, company, description, content='', tokenize='porter unicode61')`,
	} {
		if _, err := e.db.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("sqlite schema: %w", err)
		}
	}
	tx, err := e.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	prep := func(q string) *sql.Stmt {
		if err != nil {
			return nil
		}
		var st *sql.Stmt
		st, err = tx.PrepareContext(ctx, q)
		return st
	}
	insJob := prep(`INSERT INTO jobs VALUES (?,?,?,?,?,?,?,?,?)`)
	insSkill := prep(`INSERT OR IGNORE INTO job_skills VALUES (?,?)`)
	insCat := prep(`INSERT OR IGNORE INTO job_cats VALUES (?,?)`)
	insPlace := prep(`INSERT OR IGNORE INTO job_places VALUES (?,?)`)
	insFTS := prep(`INSERT INTO fts(rowid, title, company, description) VALUES (?,?,?,?)`)
	if err != nil {
		return err
	}
	pc := placeCache{}
	nullable := func(v int64) any {
		if v < 0 {
			return nil
		}
		return v
	}
	for i := range docs {
		d := &docs[i]
		f := docFacts(d, pc)
		rid := i + 1
		if _, err := insJob.Exec(rid, d.ID, d.OrgID, d.Seniority, d.EmploymentType, d.PublishedAt.Unix(),
			nullable(f.top[0]), nullable(f.top[1]), nullable(f.top[2])); err != nil {
			return err
		}
		for _, s := range f.skills {
			if _, err := insSkill.Exec(s, rid); err != nil {
				return err
			}
		}
		for _, c := range f.cats {
			if _, err := insCat.Exec(c, rid); err != nil {
				return err
			}
		}
		for _, p := range f.places {
			if _, err := insPlace.Exec(p, rid); err != nil {
				return err
			}
		}
		if _, err := insFTS.Exec(rid, d.Title, d.OrgName, d.Description); err != nil {
			return err
		}
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	for _, s := range []string{
		`CREATE INDEX jobs_org ON jobs(org)`,
		`CREATE INDEX jobs_seniority ON jobs(seniority)`,
		`CREATE INDEX jobs_employment ON jobs(employment)`,
		`CREATE INDEX jobs_published ON jobs(published)`,
		`CREATE INDEX jobs_sal_usd ON jobs(sal_usd)`,
		`CREATE INDEX jobs_sal_eur ON jobs(sal_eur)`,
		`CREATE INDEX jobs_sal_gbp ON jobs(sal_gbp)`,
		`CREATE INDEX job_skills_rid ON job_skills(rid, v)`,
		`CREATE INDEX job_cats_rid ON job_cats(rid, v)`,
		`CREATE INDEX job_places_rid ON job_places(rid, v)`,
		`INSERT INTO fts(fts) VALUES('optimize')`,
		`ANALYZE`,
		`PRAGMA wal_checkpoint(TRUNCATE)`,
	} {
		if _, err := e.db.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("sqlite %s: %w", s, err)
		}
	}
	return nil
}

// fts5Match translates the text to an FTS5 query string.
func fts5Match(t text) string {
	var parts []string
	for i, w := range t.words {
		s := `"` + w + `"`
		if i == len(t.words)-1 && t.prefixLast {
			s += " *"
		}
		parts = append(parts, s)
	}
	for _, p := range t.phrases {
		parts = append(parts, `"`+strings.Join(p, " ")+`"`)
	}
	return strings.Join(parts, " AND ")
}

func placeholders(n int) string { return strings.TrimSuffix(strings.Repeat("?,", n), ",") }

func anyArgs(vs []string) []any {
	out := make([]any, len(vs))
	for i, v := range vs {
		out[i] = v
	}
	return out
}

// sqliteWhere returns the FROM and WHERE clauses of q and their arguments.
func sqliteWhere(q search.Query, t text) (from, where string, args []any, err error) {
	from = "jobs j"
	var conds []string
	if !t.empty() {
		from = "fts JOIN jobs j ON j.rid = fts.rowid"
		conds = append(conds, "fts MATCH ?")
		args = append(args, fts5Match(t))
	}
	side := func(table string, vs []string) {
		conds = append(conds, fmt.Sprintf("j.rid IN (SELECT rid FROM %s WHERE v IN (%s))", table, placeholders(len(vs))))
		args = append(args, anyArgs(vs)...)
	}
	for _, s := range q.SkillsAll {
		side("job_skills", []string{s})
	}
	if len(q.SkillsAny) > 0 {
		side("job_skills", q.SkillsAny)
	}
	if len(q.Categories) > 0 {
		side("job_cats", q.Categories)
	}
	if len(q.Seniority) > 0 {
		conds = append(conds, "j.seniority IN ("+placeholders(len(q.Seniority))+")")
		args = append(args, anyArgs(q.Seniority)...)
	}
	if len(q.EmploymentTypes) > 0 {
		conds = append(conds, "j.employment IN ("+placeholders(len(q.EmploymentTypes))+")")
		args = append(args, anyArgs(q.EmploymentTypes)...)
	}
	if q.OrgID != "" {
		conds = append(conds, "j.org = ?")
		args = append(args, q.OrgID)
	}
	if q.Country != "" {
		side("job_places", []string{"WW", q.Country})
	}
	if q.Region != "" {
		side("job_places", []string{"WW", q.Region})
	}
	if q.MinSalary > 0 {
		col, cerr := salaryColumn(q.Currency)
		if cerr != nil {
			return "", "", nil, cerr
		}
		c := "j." + col + " >= ?"
		if q.IncludeNoSalary {
			c = "(" + c + " OR j.sal_usd IS NULL)"
		}
		conds = append(conds, c)
		args = append(args, q.MinSalary*100)
	}
	if !q.PostedSince.IsZero() {
		conds = append(conds, "j.published >= ?")
		args = append(args, q.PostedSince.Unix())
	}
	where = "1"
	if len(conds) > 0 {
		where = strings.Join(conds, " AND ")
	}
	return from, where, args, nil
}

func salaryColumn(cur string) (string, error) {
	if currencyIndex(cur) < 0 {
		return "", fmt.Errorf("currency %s not precomputed", cur)
	}
	if cur == "" {
		cur = "USD"
	}
	return "sal_" + strings.ToLower(cur), nil
}

func sortOf(q search.Query, t text) string {
	if q.Sort != "" {
		return q.Sort
	}
	if t.empty() {
		return search.SortNewest
	}
	return search.SortRelevance
}

// salaryBandCase is the SQL expression naming the salary band of col
// (minor units).
func salaryBandCase(col string) string {
	var b strings.Builder
	b.WriteString("CASE")
	for _, s := range salaryBands {
		if s.Hi > 0 {
			fmt.Fprintf(&b, " WHEN %s < %d THEN '%s'", col, s.Hi*100, s.Name)
		} else {
			fmt.Fprintf(&b, " ELSE '%s'", s.Name)
		}
	}
	b.WriteString(" END")
	return b.String()
}

// regionList is the SQL list of region facet values ('WW', region keys).
func regionList() string {
	vs := append([]string{"'WW'"}, regionKeys...)
	for i := 1; i < len(vs); i++ {
		vs[i] = "'" + vs[i] + "'"
	}
	return strings.Join(vs, ",")
}

func (e *FTS5) Search(q search.Query) ([]string, int, error) { return e.SearchN(q, pageSize) }

// SearchN is Search returning up to limit ids.
func (e *FTS5) SearchN(q search.Query, limit int) ([]string, int, error) {
	ctx := context.Background()
	t := parseText(q.Text)
	from, where, args, err := sqliteWhere(q, t)
	if err != nil {
		return nil, 0, err
	}
	var order string
	switch sortOf(q, t) {
	case search.SortRelevance:
		order = "bm25(fts, 3.0, 2.0, 1.0)"
		if t.empty() {
			order = "j.published DESC, j.id"
		}
	case search.SortSalary:
		col, err := salaryColumn(q.Currency)
		if err != nil {
			return nil, 0, err
		}
		order = "j." + col + " IS NULL, j." + col + " DESC, j.published DESC"
	default:
		order = "j.published DESC, j.id"
	}
	rows, err := e.db.QueryContext(ctx, "SELECT j.id FROM "+from+" WHERE "+where+" ORDER BY "+order+fmt.Sprintf(" LIMIT %d", limit), args...)
	if err != nil {
		return nil, 0, fmt.Errorf("sqlite search: %w", err)
	}
	ids, err := scanIDs(rows)
	if err != nil {
		return nil, 0, err
	}
	var total int
	if !q.Facets {
		if err := e.db.QueryRowContext(ctx, "SELECT count(*) FROM "+from+" WHERE "+where, args...).Scan(&total); err != nil {
			return nil, 0, fmt.Errorf("sqlite count: %w", err)
		}
		return ids, total, nil
	}
	col, err := salaryColumn(q.Currency)
	if err != nil {
		col = "sal_usd"
	}
	fq := `WITH m AS MATERIALIZED (SELECT j.rid, j.seniority, j.` + col + ` AS sal FROM ` + from + ` WHERE ` + where + `)
SELECT 'total', '', count(*) FROM m
UNION ALL SELECT * FROM (SELECT 'skill', s.v, count(*) AS c FROM m JOIN job_skills s ON s.rid = m.rid GROUP BY s.v ORDER BY c DESC LIMIT ` + fmt.Sprint(facetSize) + `)
UNION ALL SELECT * FROM (SELECT 'category', s.v, count(*) AS c FROM m JOIN job_cats s ON s.rid = m.rid GROUP BY s.v ORDER BY c DESC LIMIT ` + fmt.Sprint(facetSize) + `)
UNION ALL SELECT 'seniority', m.seniority, count(*) FROM m GROUP BY m.seniority
UNION ALL SELECT 'region', p.v, count(*) FROM m JOIN job_places p ON p.rid = m.rid WHERE p.v IN (` + regionList() + `) GROUP BY p.v
UNION ALL SELECT 'salary', ` + salaryBandCase("m.sal") + ` AS b, count(*) FROM m WHERE m.sal IS NOT NULL GROUP BY b`
	total, err = scanFacets(e.db.QueryContext(ctx, fq, args...))
	return ids, total, err
}

func scanIDs(rows *sql.Rows) ([]string, error) {
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// scanFacets reads (facet, value, count) rows and returns the total.
func scanFacets(rows *sql.Rows, err error) (int, error) {
	if err != nil {
		return 0, fmt.Errorf("facets: %w", err)
	}
	defer rows.Close()
	total := 0
	for rows.Next() {
		var f string
		var v sql.NullString
		var n int
		if err := rows.Scan(&f, &v, &n); err != nil {
			return 0, err
		}
		if f == "total" {
			total = n
		}
	}
	return total, rows.Err()
}

func (e *FTS5) Match(p search.Profile) ([]string, int, error) {
	ctx := context.Background()
	var sk []string
	for _, s := range p.Skills {
		sk = append(sk, s.Skill)
	}
	places := append([]string{"WW"}, p.Countries...)
	from := `(SELECT rid, count(*) AS c FROM job_skills WHERE v IN (` + placeholders(len(sk)) + `) GROUP BY rid) s
		JOIN jobs j ON j.rid = s.rid`
	where := `j.rid IN (SELECT rid FROM job_places WHERE v IN (` + placeholders(len(places)) + `))`
	args := append(anyArgs(sk), anyArgs(places)...)
	rows, err := e.db.QueryContext(ctx, "SELECT j.id FROM "+from+" WHERE "+where+fmt.Sprintf(" ORDER BY s.c DESC, j.published DESC LIMIT %d", pageSize), args...)
	if err != nil {
		return nil, 0, err
	}
	ids, err := scanIDs(rows)
	if err != nil {
		return nil, 0, err
	}
	var total int
	err = e.db.QueryRowContext(ctx, "SELECT count(*) FROM "+from+" WHERE "+where, args...).Scan(&total)
	return ids, total, err
}

// Size returns the database file size.
func (e *FTS5) Size() (int64, string) { return dirSize(e.dir), "database files" }

func dirSize(dir string) int64 {
	var n int64
	filepath.Walk(dir, func(_ string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			n += fi.Size()
		}
		return nil
	})
	return n
}

func (e *FTS5) Close() error {
	var err error
	if e.db != nil {
		err = e.db.Close()
		e.db = nil
	}
	if e.dir != "" {
		os.RemoveAll(e.dir)
	}
	return err
}
