-- SQL read models built by the projector from the event stream.
CREATE TABLE orgs (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    slug        TEXT NOT NULL,
    website     TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '',
    created_by  TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    version     BIGINT NOT NULL
);
CREATE INDEX orgs_slug ON orgs (slug);
CREATE TABLE org_members (
    org_id   TEXT NOT NULL,
    user_id  TEXT NOT NULL,
    role     TEXT NOT NULL,
    added_at TEXT NOT NULL,
    PRIMARY KEY (org_id, user_id)
);
CREATE INDEX org_members_user ON org_members (user_id);
CREATE TABLE jobs (
    id               TEXT PRIMARY KEY,
    org_id           TEXT NOT NULL,
    org_name         TEXT NOT NULL DEFAULT '',
    status           TEXT NOT NULL,
    title            TEXT NOT NULL,
    description_md   TEXT NOT NULL DEFAULT '',
    description_html TEXT NOT NULL DEFAULT '',
    seniority        TEXT NOT NULL DEFAULT '',
    employment_type  TEXT NOT NULL DEFAULT '',
    salary_min       BIGINT,
    salary_max       BIGINT,
    salary_currency  TEXT NOT NULL DEFAULT '',
    salary_period    TEXT NOT NULL DEFAULT '',
    skills           TEXT NOT NULL DEFAULT '[]',
    eligibility      TEXT NOT NULL DEFAULT '{}',
    timezone         TEXT NOT NULL DEFAULT '{}',
    apply_url        TEXT NOT NULL DEFAULT '',
    source           TEXT NOT NULL DEFAULT '',
    valid_through    TEXT NOT NULL DEFAULT '',
    published_at     TEXT NOT NULL DEFAULT '',
    closed_at        TEXT NOT NULL DEFAULT '',
    close_reason     TEXT NOT NULL DEFAULT '',
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    version          BIGINT NOT NULL
);
CREATE INDEX jobs_org ON jobs (org_id, id);
CREATE INDEX jobs_status ON jobs (status, id);
CREATE INDEX jobs_valid_through ON jobs (status, valid_through);
CREATE TABLE job_skills (
    job_id   TEXT NOT NULL,
    skill    TEXT NOT NULL,
    required BIGINT NOT NULL,
    level    BIGINT NOT NULL,
    PRIMARY KEY (job_id, skill)
);
CREATE INDEX job_skills_skill ON job_skills (skill, job_id);
CREATE TABLE job_places (
    job_id TEXT NOT NULL,
    code   TEXT NOT NULL,
    PRIMARY KEY (job_id, code)
);
CREATE INDEX job_places_code ON job_places (code, job_id);
CREATE TABLE profiles (
    id              TEXT PRIMARY KEY,
    owner_id        TEXT NOT NULL,
    visibility      TEXT NOT NULL,
    display_name    TEXT NOT NULL DEFAULT '',
    headline        TEXT NOT NULL DEFAULT '',
    summary         TEXT NOT NULL DEFAULT '',
    skills          TEXT NOT NULL DEFAULT '[]',
    time_zone       TEXT NOT NULL DEFAULT '',
    work_start      TEXT NOT NULL DEFAULT '',
    work_end        TEXT NOT NULL DEFAULT '',
    countries       TEXT NOT NULL DEFAULT '[]',
    salary_floor    BIGINT,
    salary_currency TEXT NOT NULL DEFAULT '',
    salary_period   TEXT NOT NULL DEFAULT '',
    seniority       TEXT NOT NULL DEFAULT '',
    erased          BIGINT NOT NULL DEFAULT 0,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    version         BIGINT NOT NULL
);
CREATE INDEX profiles_owner ON profiles (owner_id);
CREATE TABLE applications (
    id           TEXT PRIMARY KEY,
    job_id       TEXT NOT NULL,
    org_id       TEXT NOT NULL,
    profile_id   TEXT NOT NULL,
    candidate_id TEXT NOT NULL,
    stage        TEXT NOT NULL,
    reason_code  TEXT NOT NULL DEFAULT '',
    cover_letter TEXT NOT NULL DEFAULT '',
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    version      BIGINT NOT NULL
);
CREATE INDEX applications_job ON applications (job_id, id);
CREATE INDEX applications_org ON applications (org_id, id);
CREATE INDEX applications_profile ON applications (profile_id, id);
CREATE INDEX applications_candidate ON applications (candidate_id, id);
CREATE TABLE application_history (
    application_id TEXT    NOT NULL,
    seq            BIGINT NOT NULL,
    from_stage     TEXT    NOT NULL,
    to_stage       TEXT    NOT NULL,
    reason_code    TEXT    NOT NULL DEFAULT '',
    actor          TEXT    NOT NULL DEFAULT '',
    at             TEXT    NOT NULL,
    PRIMARY KEY (application_id, seq)
);
CREATE TABLE application_notes (
    id             TEXT PRIMARY KEY,
    application_id TEXT NOT NULL,
    org_id         TEXT NOT NULL,
    author_id      TEXT NOT NULL,
    body           TEXT NOT NULL,
    created_at     TEXT NOT NULL
);
CREATE INDEX application_notes_app ON application_notes (application_id, id);
