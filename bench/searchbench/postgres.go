package searchbench

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5"

	"github.com/meridianhq/meridian/internal/search"
)

// Postgres is PostgreSQL full-text search, in a schema of its own (Schema,
// default "searchbench", dropped first and on Close) of the database at
// URL. One table:
//
//	jobs(rid int PRIMARY KEY, id, org, seniority, employment, published
//	     timestamptz, sal_usd, sal_eur, sal_gbp bigint, skills, cats,
//	     places, regions text[], title, company, description,
//	     tsv tsvector GENERATED ALWAYS AS (
//	       setweight(to_tsvector('english', title), 'A') ||
//	       setweight(to_tsvector('english', company), 'B') ||
//	       setweight(to_tsvector('english', description), 'C')) STORED)
//
// with a GIN index on tsv, GIN indexes on skills, cats and places, and
// B-tree indexes on org, seniority, employment, published and the salary
// columns. Loading: COPY (pgx CopyFrom) over two connections in parallel
// (the tsvector is computed during COPY), then the indexes
// (maintenance_work_mem 1GB), then VACUUM ANALYZE: all counted as build
// time. The server's own settings are left alone (a stock server has
// shared_buffers 128MB; the OS page cache holds the rest).
//
// Text: to_tsquery('english', ...) of the words AND'ed ('kube':* for the
// last, phrases with <->), ordered by ts_rank; PostgreSQL full-text search
// has no typo tolerance. Filters: skills @> / && arrays, places &&
// ARRAY['WW', country], B-tree comparisons. Totals by count(*); facets by
// GROUP BY / unnest over a materialized CTE of the matches (one
// statement). Queries use pgx's statement cache (prepared once).
type Postgres struct {
	URL    string
	Schema string
	conn   *pgx.Conn
}

// NewPostgres returns a PostgreSQL engine on the server at url.
func NewPostgres(url string) *Postgres { return &Postgres{URL: url, Schema: "searchbench"} }

func (e *Postgres) Name() string { return "PostgreSQL FTS" }

func (e *Postgres) t() string { return pgx.Identifier{e.Schema, "jobs"}.Sanitize() }

func (e *Postgres) Build(docs []search.Doc) error {
	ctx := context.Background()
	var err error
	e.conn, err = pgx.Connect(ctx, e.URL)
	if err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	schema := pgx.Identifier{e.Schema}.Sanitize()
	for _, s := range []string{
		`DROP SCHEMA IF EXISTS ` + schema + ` CASCADE`,
		`CREATE SCHEMA ` + schema,
		`CREATE TABLE ` + e.t() + `(rid int PRIMARY KEY, id text NOT NULL, org text NOT NULL, seniority text, employment text,
			published timestamptz NOT NULL, sal_usd bigint, sal_eur bigint, sal_gbp bigint,
			skills text[] NOT NULL, cats text[] NOT NULL, places text[] NOT NULL, regions text[] NOT NULL,
			title text NOT NULL, company text NOT NULL, description text NOT NULL,
			tsv tsvector GENERATED ALWAYS AS (
				setweight(to_tsvector('english', title), 'A') ||
				setweight(to_tsvector('english', company), 'B') ||
				setweight(to_tsvector('english', description), 'C')) STORED)`,
	} {
		if _, err := e.conn.Exec(ctx, s); err != nil {
			return fmt.Errorf("postgres schema: %w", err)
		}
	}
	cols := []string{"rid", "id", "org", "seniority", "employment", "published", "sal_usd", "sal_eur", "sal_gbp",
		"skills", "cats", "places", "regions", "title", "company", "description"}
	const streams = 2
	var wg sync.WaitGroup
	errs := make([]error, streams)
	chunk := (len(docs) + streams - 1) / streams
	for w := 0; w < streams; w++ {
		lo, hi := w*chunk, min((w+1)*chunk, len(docs))
		if lo >= hi {
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := pgx.Connect(ctx, e.URL)
			if err != nil {
				errs[w] = err
				return
			}
			defer c.Close(ctx)
			pc := placeCache{}
			i := lo
			nullable := func(v int64) any {
				if v < 0 {
					return nil
				}
				return v
			}
			src := pgx.CopyFromFunc(func() ([]any, error) {
				if i >= hi {
					return nil, nil
				}
				d := &docs[i]
				f := docFacts(d, pc)
				i++
				return []any{i, d.ID, d.OrgID, d.Seniority, d.EmploymentType, d.PublishedAt,
					nullable(f.top[0]), nullable(f.top[1]), nullable(f.top[2]),
					nonNil(f.skills), nonNil(f.cats), nonNil(f.places), nonNil(f.regions),
					d.Title, d.OrgName, d.Description}, nil
			})
			_, errs[w] = c.CopyFrom(ctx, pgx.Identifier{e.Schema, "jobs"}, cols, src)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return fmt.Errorf("postgres copy: %w", err)
		}
	}
	t := e.t()
	stmts := []string{
		`SET maintenance_work_mem = '1GB'`,
		`CREATE INDEX ON ` + t + ` USING gin (tsv)`,
		`CREATE INDEX ON ` + t + ` USING gin (skills)`,
		`CREATE INDEX ON ` + t + ` USING gin (cats)`,
		`CREATE INDEX ON ` + t + ` USING gin (places)`,
		`CREATE INDEX ON ` + t + ` (org)`,
		`CREATE INDEX ON ` + t + ` (seniority)`,
		`CREATE INDEX ON ` + t + ` (employment)`,
		`CREATE INDEX ON ` + t + ` (published)`,
		`CREATE INDEX ON ` + t + ` (sal_usd)`,
		`CREATE INDEX ON ` + t + ` (sal_eur)`,
		`CREATE INDEX ON ` + t + ` (sal_gbp)`,
		`VACUUM ANALYZE ` + t,
		`SET work_mem = '64MB'`,
	}
	for _, s := range stmts {
		if _, err := e.conn.Exec(ctx, s); err != nil {
			return fmt.Errorf("postgres %s: %w", s, err)
		}
	}
	return nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// tsquery translates the text to to_tsquery syntax: words are letters
// and digits only (parseText), so they need no escaping inside quotes.
func tsquery(t text) string {
	var parts []string
	for i, w := range t.words {
		s := "'" + w + "'"
		if i == len(t.words)-1 && t.prefixLast {
			s += ":*"
		}
		parts = append(parts, s)
	}
	for _, p := range t.phrases {
		ws := make([]string, len(p))
		for i, w := range p {
			ws[i] = "'" + w + "'"
		}
		parts = append(parts, "("+strings.Join(ws, " <-> ")+")")
	}
	return strings.Join(parts, " & ")
}

type pgArgs []any

func (a *pgArgs) add(v any) string { *a = append(*a, v); return fmt.Sprintf("$%d", len(*a)) }

func (e *Postgres) where(q search.Query, t text, args *pgArgs) (string, string, error) {
	var conds []string
	tsq := ""
	if !t.empty() {
		tsq = "to_tsquery('english', " + args.add(tsquery(t)) + ")"
		conds = append(conds, "tsv @@ "+tsq)
	}
	if len(q.SkillsAll) > 0 {
		conds = append(conds, "skills @> "+args.add(q.SkillsAll)+"::text[]")
	}
	if len(q.SkillsAny) > 0 {
		conds = append(conds, "skills && "+args.add(q.SkillsAny)+"::text[]")
	}
	if len(q.Categories) > 0 {
		conds = append(conds, "cats && "+args.add(q.Categories)+"::text[]")
	}
	if len(q.Seniority) > 0 {
		conds = append(conds, "seniority = ANY("+args.add(q.Seniority)+"::text[])")
	}
	if len(q.EmploymentTypes) > 0 {
		conds = append(conds, "employment = ANY("+args.add(q.EmploymentTypes)+"::text[])")
	}
	if q.OrgID != "" {
		conds = append(conds, "org = "+args.add(q.OrgID))
	}
	if q.Country != "" {
		conds = append(conds, "places && "+args.add([]string{"WW", q.Country})+"::text[]")
	}
	if q.Region != "" {
		conds = append(conds, "places && "+args.add([]string{"WW", q.Region})+"::text[]")
	}
	if q.MinSalary > 0 {
		col, err := salaryColumn(q.Currency)
		if err != nil {
			return "", "", err
		}
		c := col + " >= " + args.add(q.MinSalary*100)
		if q.IncludeNoSalary {
			c = "(" + c + " OR sal_usd IS NULL)"
		}
		conds = append(conds, c)
	}
	if !q.PostedSince.IsZero() {
		conds = append(conds, "published >= "+args.add(q.PostedSince))
	}
	if len(conds) == 0 {
		return "true", tsq, nil
	}
	return strings.Join(conds, " AND "), tsq, nil
}

func (e *Postgres) Search(q search.Query) ([]string, int, error) { return e.SearchN(q, pageSize) }

// SearchN is Search returning up to limit ids.
func (e *Postgres) SearchN(q search.Query, limit int) ([]string, int, error) {
	ctx := context.Background()
	t := parseText(q.Text)
	var args pgArgs
	where, tsq, err := e.where(q, t, &args)
	if err != nil {
		return nil, 0, err
	}
	var order string
	switch sortOf(q, t) {
	case search.SortRelevance:
		order = "published DESC, id"
		if tsq != "" {
			order = "ts_rank(tsv, " + tsq + ") DESC"
		}
	case search.SortSalary:
		col, err := salaryColumn(q.Currency)
		if err != nil {
			return nil, 0, err
		}
		order = col + " DESC NULLS LAST, published DESC"
	default:
		order = "published DESC, id"
	}
	rows, err := e.conn.Query(ctx, "SELECT id FROM "+e.t()+" WHERE "+where+" ORDER BY "+order+fmt.Sprintf(" LIMIT %d", limit), args...)
	if err != nil {
		return nil, 0, fmt.Errorf("postgres search: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, 0, fmt.Errorf("postgres search: %w", err)
	}
	var total int
	if !q.Facets {
		err = e.conn.QueryRow(ctx, "SELECT count(*) FROM "+e.t()+" WHERE "+where, args...).Scan(&total)
		return ids, total, err
	}
	col, err := salaryColumn(q.Currency)
	if err != nil {
		col = "sal_usd"
	}
	fq := `WITH m AS MATERIALIZED (SELECT skills, cats, seniority, regions, ` + col + ` AS sal FROM ` + e.t() + ` WHERE ` + where + `)
SELECT 'total'::text, ''::text, count(*) FROM m
UNION ALL (SELECT 'skill', s, count(*) FROM m, unnest(m.skills) s GROUP BY s ORDER BY 3 DESC LIMIT ` + fmt.Sprint(facetSize) + `)
UNION ALL (SELECT 'category', c, count(*) FROM m, unnest(m.cats) c GROUP BY c ORDER BY 3 DESC LIMIT ` + fmt.Sprint(facetSize) + `)
UNION ALL (SELECT 'seniority', seniority, count(*) FROM m GROUP BY seniority)
UNION ALL (SELECT 'region', g, count(*) FROM m, unnest(m.regions) g GROUP BY g)
UNION ALL (SELECT 'salary', ` + salaryBandCase("sal") + `, count(*) FROM m WHERE sal IS NOT NULL GROUP BY 2)`
	rows, err = e.conn.Query(ctx, fq, args...)
	if err != nil {
		return nil, 0, fmt.Errorf("postgres facets: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var f string
		var v *string
		var n int
		if err := rows.Scan(&f, &v, &n); err != nil {
			return nil, 0, err
		}
		if f == "total" {
			total = n
		}
	}
	return ids, total, rows.Err()
}

func (e *Postgres) Match(p search.Profile) ([]string, int, error) {
	ctx := context.Background()
	var sk []string
	for _, s := range p.Skills {
		sk = append(sk, s.Skill)
	}
	where := "places && $1::text[] AND skills && $2::text[]"
	args := []any{append([]string{"WW"}, p.Countries...), sk}
	rows, err := e.conn.Query(ctx, "SELECT id FROM "+e.t()+" WHERE "+where+
		fmt.Sprintf(" ORDER BY (SELECT count(*) FROM unnest(skills) s WHERE s = ANY($2::text[])) DESC, published DESC LIMIT %d", pageSize), args...)
	if err != nil {
		return nil, 0, err
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, 0, err
	}
	var total int
	err = e.conn.QueryRow(ctx, "SELECT count(*) FROM "+e.t()+" WHERE "+where, args...).Scan(&total)
	return ids, total, err
}

// Size returns the table's size with its indexes and TOAST.
func (e *Postgres) Size() (int64, string) {
	var n int64
	if e.conn == nil || e.conn.QueryRow(context.Background(), `SELECT pg_total_relation_size($1)`, e.Schema+".jobs").Scan(&n) != nil {
		return 0, ""
	}
	return n, "table, TOAST and indexes"
}

func (e *Postgres) Close() error {
	if e.conn == nil {
		return nil
	}
	ctx := context.Background()
	_, err := e.conn.Exec(ctx, `DROP SCHEMA IF EXISTS `+pgx.Identifier{e.Schema}.Sanitize()+` CASCADE`)
	e.conn.Close(ctx)
	e.conn = nil
	return err
}
