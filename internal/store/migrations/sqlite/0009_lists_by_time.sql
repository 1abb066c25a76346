-- Postings, applications and profiles are listed newest first by when
-- they were created: application ids derive from the profile and the
-- posting (one application each), imported postings' and profiles' ids
-- from their source, so id order is not time order. The indexes follow
-- the new order.
DROP INDEX jobs_org;
DROP INDEX jobs_status;
CREATE INDEX jobs_org ON jobs (org_id, created_at, id);
CREATE INDEX jobs_status ON jobs (status, created_at, id);
DROP INDEX applications_job;
DROP INDEX applications_org;
DROP INDEX applications_profile;
DROP INDEX applications_candidate;
CREATE INDEX applications_job ON applications (job_id, created_at, id);
CREATE INDEX applications_org ON applications (org_id, created_at, id);
CREATE INDEX applications_profile ON applications (profile_id, created_at, id);
CREATE INDEX applications_candidate ON applications (candidate_id, created_at, id);
DROP INDEX profiles_owner;
CREATE INDEX profiles_owner ON profiles (owner_id, created_at, id);
