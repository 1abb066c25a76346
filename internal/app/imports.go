package app

import (
	"context"
	"encoding/json"
	"time"

	"github.com/meridianhq/meridian/internal/domain"
	"github.com/meridianhq/meridian/internal/eventstore"
	"github.com/meridianhq/meridian/internal/meridian"
)

// ImportJob is one posting of a bulk import.
type ImportJob struct {
	// Key identifies the posting across imports: records with the same key
	// (the same source record, or a near-duplicate repost of it) land on
	// the same posting, so re-importing creates nothing new.
	Key string
	// Company and Website name the employer when the import is not for one
	// organization: its organization is created on first sight.
	Company string
	Website string
	// OwnerID is the first owner of an organization created for Company
	// (default: the importing principal).
	OwnerID string
	Details domain.JobDetails
}

// Import actions.
const (
	ImportCreated   = "created"   // a new posting, published
	ImportUpdated   = "updated"   // the same source record, changed since the last import
	ImportMerged    = "merged"    // a near-duplicate repost folded into an existing posting
	ImportUnchanged = "unchanged" // already imported as it is
	ImportRejected  = "rejected"  // not imported; Err says why
)

// ImportOutcome is what happened to one ImportJob.
type ImportOutcome struct {
	JobID  string
	OrgID  string
	Action string
	Err    error
}

// ImportBatchResult reports a batch.
type ImportBatchResult struct {
	Outcomes []ImportOutcome
	// Position is the global position of the batch's last event (0 when
	// it changed nothing): wait for it before reading the postings back.
	Position int64
	// OrgsCreated counts employers created for the batch.
	OrgsCreated int
}

// ImportedOrgID returns the id of the organization a bulk import creates
// for an employer's name.
func ImportedOrgID(company string) string {
	return meridian.DerivedID("import-org", domain.Slugify(company))
}

// ImportedJobID returns the id of the posting an import key lands on.
func ImportedJobID(orgID, key string) string { return meridian.DerivedID("import-job", orgID, key) }

// ImportJobs writes a batch of postings in one append: new ones are drafted
// and published, existing ones updated (or renewed when expired) when their
// content changed. With orgID every posting goes to that organization
// (recruiter or above, or an API key with jobs:write); without it each
// posting's Company names its employer, which only platform admins (and
// Meridian's own CLI) may do. A record that breaks a domain rule is
// rejected on its own; the rest of the batch is written. It does not wait
// for the read models (see ImportBatchResult.Position).
func (a *App) ImportJobs(ctx context.Context, orgID string, items []ImportJob) (ImportBatchResult, error) {
	p, err := a.authorizeImport(ctx, orgID)
	if err != nil {
		return ImportBatchResult{}, err
	}
	var res ImportBatchResult
	for attempt := 0; ; attempt++ {
		res, err = a.importOnce(ctx, p, orgID, items)
		if meridian.ErrorCode(err) == meridian.EConflict && attempt < 2 {
			continue // someone wrote one of these streams meanwhile: read the versions again
		}
		return res, err
	}
}

// CanImportJobs says whether the principal may import postings into orgID
// ("" for many employers), so that an import is refused before its file
// is read.
func (a *App) CanImportJobs(ctx context.Context, orgID string) error {
	_, err := a.authorizeImport(ctx, orgID)
	return err
}

func (a *App) authorizeImport(ctx context.Context, orgID string) (meridian.Principal, error) {
	p, err := requireUser(ctx)
	if err != nil {
		return p, err
	}
	if orgID != "" {
		org, err := a.loadOrg(ctx, orgID)
		if err != nil {
			return p, err
		}
		return p, requireOrgRole(p, org, domain.RoleRecruiter, ScopeJobsWrite)
	}
	if !p.PlatformAdmin {
		return p, meridian.Errorf(meridian.EForbidden, "importing postings for many employers needs a platform admin; import into one organization instead")
	}
	return p, nil
}

func (a *App) importOnce(ctx context.Context, p meridian.Principal, orgID string, items []ImportJob) (ImportBatchResult, error) {
	now := a.now()
	res := ImportBatchResult{Outcomes: make([]ImportOutcome, len(items))}
	ids := make([]string, 0, 2*len(items))
	for i, it := range items {
		o := &res.Outcomes[i]
		o.OrgID = orgID
		if o.OrgID == "" {
			if domain.Slugify(it.Company) == "" {
				o.Action, o.Err = ImportRejected, meridian.Errorf(meridian.EInvalid, "company: missing")
				continue
			}
			o.OrgID = ImportedOrgID(it.Company)
			ids = append(ids, o.OrgID)
		}
		o.JobID = ImportedJobID(o.OrgID, it.Key)
		ids = append(ids, o.JobID)
	}
	versions, err := a.DB.StreamVersions(ctx, ids)
	if err != nil {
		return res, err
	}
	var order []domain.Aggregate // aggregates with pending events, first-touched order
	loaded := map[string]int64{}
	orgs := map[string]*domain.Org{}
	orgErr := map[string]error{}
	jobs := map[string]*domain.Job{}
	queued := map[string]bool{}
	for i, it := range items {
		o := &res.Outcomes[i]
		if o.Action == ImportRejected {
			continue
		}
		if orgID == "" {
			if err, bad := orgErr[o.OrgID]; bad {
				o.Action, o.Err = ImportRejected, err
				continue
			}
			if _, seen := orgs[o.OrgID]; !seen && versions[o.OrgID] == 0 {
				owner := p.ID
				if it.OwnerID != "" {
					owner = it.OwnerID
				}
				org, err := importedOrg(o.OrgID, it, owner, now)
				if err != nil {
					orgErr[o.OrgID] = err
					o.Action, o.Err = ImportRejected, err
					continue
				}
				orgs[o.OrgID] = org
				loaded[o.OrgID] = 0
				order = append(order, org)
				res.OrgsCreated++
			}
		}
		job := jobs[o.JobID]
		if job == nil {
			job = domain.NewJob()
			var history []eventstore.Event
			if versions[o.JobID] > 0 {
				if history, err = a.DB.Load(ctx, o.JobID); err != nil {
					return res, err
				}
			}
			if err := domain.Load(job, o.JobID, history); err != nil {
				return res, err
			}
			if job.Exists() && job.OrgID() != o.OrgID {
				o.Action, o.Err = ImportRejected, meridian.Errorf(meridian.EConflict, "posting %s belongs to another organization", o.JobID)
				continue
			}
			loaded[o.JobID] = job.Version()
		}
		jobs[o.JobID] = job // later items with the same key see this state
		o.Action, o.Err = importInto(job, o.OrgID, it.Details, now)
		if o.Err == nil && job.Version() > loaded[o.JobID] && !queued[o.JobID] {
			queued[o.JobID] = true
			order = append(order, job)
		}
	}
	var batch []eventstore.StreamAppend
	for _, agg := range order {
		if pend := agg.Pending(); len(pend) > 0 {
			batch = append(batch, eventstore.StreamAppend{StreamID: agg.ID(), StreamType: agg.StreamType(), ExpectedVersion: loaded[agg.ID()], Events: pend})
		}
	}
	if len(batch) == 0 {
		return res, nil
	}
	meta := eventstore.MetaFrom(ctx)
	meta.Actor = p.ID
	out, err := a.DB.AppendBatch(eventstore.WithMeta(ctx, meta), batch)
	if err != nil {
		return res, err
	}
	res.Position = out[len(out)-1].Position
	return res, nil
}

// importedOrg records the creation of an employer's organization. A bad
// website is no reason to lose the posting: the organization is created
// without it.
func importedOrg(id string, it ImportJob, owner string, now time.Time) (*domain.Org, error) {
	d := domain.OrgDetails{Name: it.Company, Website: it.Website}
	for {
		org := domain.NewOrg()
		if err := domain.Load(org, id, nil); err != nil {
			return nil, err
		}
		err := org.Create(d, owner, now)
		if err == nil || d.Website == "" {
			return org, err
		}
		d.Website = ""
	}
}

// importInto applies one imported record to its posting and says what it did.
func importInto(job *domain.Job, orgID string, d domain.JobDetails, now time.Time) (string, error) {
	if !d.ValidThrough.IsZero() && !d.ValidThrough.After(now) {
		// Checked first, so that no half-applied change (a draft without
		// its publication) stays queued on the aggregate.
		return ImportRejected, meridian.Errorf(meridian.EInvalid, "validThrough: the posting expired on %s", d.ValidThrough.Format(time.DateOnly))
	}
	if !job.Exists() {
		if err := job.Draft(orgID, d, now); err != nil {
			return ImportRejected, err
		}
		if err := job.Publish(now); err != nil {
			return ImportRejected, err
		}
		return ImportCreated, nil
	}
	in, err := domain.NormalizeJobDetails(d, now)
	if err != nil {
		return ImportRejected, err
	}
	cur := job.Details()
	if !cur.PostedAt.IsZero() && (in.PostedAt.IsZero() || cur.PostedAt.Before(in.PostedAt)) {
		in.PostedAt = cur.PostedAt // a repost keeps the date the posting first appeared
	}
	action := ImportUpdated
	if cur.Source != in.Source {
		action = ImportMerged
	}
	if sameContent(cur, in) {
		if action == ImportUpdated {
			action = ImportUnchanged
		}
		if job.StatusAt(now) == domain.StatusExpired {
			if err := job.Renew(in.ValidThrough, now); err != nil {
				return ImportRejected, err
			}
		}
		return action, nil
	}
	switch job.StatusAt(now) {
	case domain.StatusClosed:
		return ImportUnchanged, nil // the employer closed it; a repost does not reopen it
	case domain.StatusExpired:
		if err := job.Renew(in.ValidThrough, now); err != nil {
			return ImportRejected, err
		}
	}
	if err := job.Update(in, now); err != nil {
		return ImportRejected, err
	}
	return action, nil
}

// sameContent compares two postings' details, leaving out where they came
// from and how long they stay up.
func sameContent(a, b domain.JobDetails) bool {
	a.Source, b.Source = "", ""
	a.ValidThrough, b.ValidThrough = time.Time{}, time.Time{}
	ja, err1 := json.Marshal(a)
	jb, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && string(ja) == string(jb)
}

// ImportedProfileID returns the id of the profile an import key lands on
// for its owner.
func ImportedProfileID(ownerID, key string) string {
	return meridian.DerivedID("import-profile", ownerID, key)
}

// ImportProfile creates or updates the owner's profile imported under key
// (a résumé's stable source id): the owner themselves, or a platform admin
// for them. Re-importing the same résumé changes nothing; a changed one
// updates the profile. It returns the action taken (ImportCreated,
// ImportUpdated or ImportUnchanged).
func (a *App) ImportProfile(ctx context.Context, ownerID, key, visibility string, d domain.ProfileDetails) (Result, string, error) {
	p, err := requirePerson(ctx)
	if err != nil {
		return Result{}, "", err
	}
	if ownerID == "" {
		ownerID = p.ID
	}
	if ownerID != p.ID && !p.PlatformAdmin {
		return Result{}, "", meridian.Errorf(meridian.EForbidden, "only platform admins import profiles for other people")
	}
	id := ImportedProfileID(ownerID, key)
	prof := domain.NewProfile()
	action := ImportCreated
	res, err := a.execute(ctx, prof, id, -1, false, func() error {
		if !prof.Exists() {
			return prof.Create(ownerID, visibility, d, a.now())
		}
		if prof.OwnerID() != ownerID {
			return meridian.Errorf(meridian.ENotFound, "profile %s not found", id)
		}
		cur, _ := json.Marshal(prof.Details())
		in, err := domain.NormalizeProfileDetails(d)
		if err != nil {
			return err
		}
		next, _ := json.Marshal(in)
		if string(cur) == string(next) {
			action = ImportUnchanged
			return nil
		}
		action = ImportUpdated
		return prof.Update(in)
	})
	return res, action, err
}
