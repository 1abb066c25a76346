-- Reference data sets market figures are read against (internal/marketdata),
-- each imported under a source label and never mixed with postings: salary
-- survey answers and the Hacker News hiring-trends term series. An import
-- replaces the rows of its label in one transaction.
CREATE TABLE market_sources (
    label       TEXT PRIMARY KEY,
    kind        TEXT NOT NULL,    -- survey | hn-hiringtrends
    row_count   BIGINT NOT NULL, -- rows imported
    skipped     BIGINT NOT NULL, -- rows rejected
    sha256      TEXT NOT NULL,    -- of the CSV as read (decompressed)
    import_id   TEXT NOT NULL,    -- new with every import: readers' cache key
    imported_at TEXT NOT NULL
);
CREATE INDEX market_sources_kind ON market_sources (kind, imported_at);
CREATE TABLE market_survey_rows (
    source             TEXT NOT NULL,
    line               BIGINT NOT NULL, -- line in the imported file
    work_year          BIGINT NOT NULL,
    experience_level   TEXT NOT NULL,    -- EN, MI, SE, EX as answered
    seniority          TEXT NOT NULL,    -- Meridian level it maps to
    employment_type    TEXT NOT NULL,
    job_title          TEXT NOT NULL,
    salary             DOUBLE PRECISION NOT NULL,
    salary_currency    TEXT NOT NULL,
    salary_in_usd      DOUBLE PRECISION NOT NULL,
    employee_residence TEXT NOT NULL,
    remote_ratio       BIGINT NOT NULL,
    company_location   TEXT NOT NULL,
    company_size       TEXT NOT NULL,
    PRIMARY KEY (source, line)
);
CREATE TABLE market_baseline_terms (
    source      TEXT NOT NULL,
    term        TEXT NOT NULL,
    full_term   TEXT NOT NULL, -- with the source's alias notation
    aliases     TEXT NOT NULL DEFAULT '', -- the spellings it counts besides the term, '|' between
    skill       TEXT NOT NULL DEFAULT '', -- taxonomy id, '' when none
    months      BIGINT NOT NULL,
    first_month TEXT NOT NULL,
    last_month  TEXT NOT NULL,
    PRIMARY KEY (source, term)
);
CREATE INDEX market_baseline_terms_skill ON market_baseline_terms (source, skill);
CREATE TABLE market_baseline_rows (
    source     TEXT NOT NULL,
    term       TEXT NOT NULL,
    month      TEXT NOT NULL, -- YYYY-MM
    skill      TEXT NOT NULL DEFAULT '',
    posts      BIGINT NOT NULL, -- hiring posts that month
    mentions   BIGINT NOT NULL, -- posts mentioning the term
    percentage DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (source, term, month)
);
