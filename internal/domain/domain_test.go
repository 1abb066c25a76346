package domain

import (
	"strings"
	"testing"
	"time"

	"github.com/meridianhq/meridian/internal/eventstore"
	"github.com/meridianhq/meridian/internal/meridian"
)

var now = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

func validJob() JobDetails {
	return JobDetails{
		Title:       "Senior Go Engineer",
		Skills:      []SkillRequirement{{Skill: "Go", Level: 4, Required: true}},
		Salary:      &Salary{Min: 100_000_00, Max: 150_000_00, Currency: "USD", Period: "year"},
		Eligibility: Eligibility{Regions: []string{"eu"}},
	}
}

func code(err error) string { return meridian.ErrorCode(err) }

// replay folds an aggregate's pending events into a fresh one, as loading does.
func replay[A Aggregate](t *testing.T, a A, fresh A) A {
	t.Helper()
	var history []eventstore.Event
	for i, ne := range a.Pending() {
		history = append(history, eventstore.Event{ID: ne.ID, Type: ne.Type, Version: int64(i + 1), Payload: ne.Payload, Personal: ne.Personal, Subject: ne.Subject})
	}
	if err := Load(fresh, a.ID(), history); err != nil {
		t.Fatal(err)
	}
	return fresh
}

func TestJobValidation(t *testing.T) {
	min3, max3 := -3.0, 3.0
	cases := []struct {
		name   string
		mutate func(*JobDetails)
		field  string
	}{
		{"short title", func(d *JobDetails) { d.Title = "Go" }, "title"},
		{"min above max", func(d *JobDetails) { d.Salary.Min = d.Salary.Max + 1 }, "salary"},
		{"bad currency", func(d *JobDetails) { d.Salary.Currency = "usd" }, "salary.currency"},
		{"bad period", func(d *JobDetails) { d.Salary.Period = "decade" }, "salary.period"},
		{"no eligibility", func(d *JobDetails) { d.Eligibility = Eligibility{} }, "eligibility"},
		{"bad country", func(d *JobDetails) { d.Eligibility = Eligibility{Countries: []string{"XX"}} }, "eligibility.countries"},
		{"bad region", func(d *JobDetails) { d.Eligibility = Eligibility{Regions: []string{"MARS"}} }, "eligibility.regions"},
		{"bad skill", func(d *JobDetails) { d.Skills = []SkillRequirement{{Skill: "Go Lang!", Level: 3}} }, "skills[0].skill"},
		{"skill twice", func(d *JobDetails) { d.Skills = append(d.Skills, SkillRequirement{Skill: "go"}) }, "skills[1].skill"},
		{"bad level", func(d *JobDetails) { d.Skills[0].Level = 9 }, "skills[0].level"},
		{"bad seniority", func(d *JobDetails) { d.Seniority = "wizard" }, "seniority"},
		{"window and overlap", func(d *JobDetails) {
			d.TimeZone = &TimeZoneRule{MinUTCOffset: &min3, MaxUTCOffset: &max3, ReferenceZone: "Europe/Berlin", OverlapHours: 4}
		}, "timeZone"},
		{"bad zone", func(d *JobDetails) { d.TimeZone = &TimeZoneRule{ReferenceZone: "Mars/Olympus", OverlapHours: 4} }, "timeZone.referenceZone"},
		{"too far validThrough", func(d *JobDetails) { d.ValidThrough = now.Add(365 * 24 * time.Hour) }, "validThrough"},
		{"postedAt in the future", func(d *JobDetails) { d.PostedAt = now.Add(48 * time.Hour) }, "postedAt"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := validJob()
			c.mutate(&d)
			err := NewJob().Draft("org", d, now)
			var me *meridian.Error
			if code(err) != meridian.EInvalid || !asErr(err, &me) || me.Fields[c.field] == "" {
				t.Fatalf("err = %v, want invalid on %s", err, c.field)
			}
		})
	}
	j := NewJob()
	if err := j.Draft("org", validJob(), now); err != nil {
		t.Fatal(err)
	}
	d := j.Details()
	if d.Skills[0].Skill != "go" || d.Eligibility.Regions[0] != "EU" || d.EmploymentType != "full_time" {
		t.Fatalf("not normalized: %+v", d)
	}
	if !d.Eligibility.Allows("DE") || d.Eligibility.Allows("US") {
		t.Fatalf("EU eligibility wrong")
	}
}

func asErr(err error, target **meridian.Error) bool {
	e, ok := err.(*meridian.Error)
	if ok {
		*target = e
	}
	return ok
}

func TestJobLifecycle(t *testing.T) {
	j := NewJob()
	j.Root.id = "job-1"
	if err := j.Draft("org", validJob(), now); err != nil {
		t.Fatal(err)
	}
	if err := j.Expire(now); code(err) != meridian.ERule {
		t.Fatalf("expire draft: %v", err)
	}
	if err := j.Publish(now); err != nil {
		t.Fatal(err)
	}
	if j.ValidThrough() != now.Add(DefaultValidity) {
		t.Fatalf("default validity %v", j.ValidThrough())
	}
	if err := j.Publish(now); code(err) != meridian.ERule {
		t.Fatalf("publish twice: %v", err)
	}
	if j.StatusAt(now.Add(DefaultValidity)) != StatusExpired {
		t.Fatalf("not expired at validThrough")
	}
	if err := j.Expire(now.Add(time.Hour)); code(err) != meridian.ERule {
		t.Fatalf("early expiry: %v", err)
	}
	if err := j.Expire(now.Add(DefaultValidity)); err != nil {
		t.Fatal(err)
	}
	if err := j.Renew(now.Add(DefaultValidity+30*24*time.Hour), now.Add(DefaultValidity)); err != nil {
		t.Fatal(err)
	}
	if err := j.Close("filled", now); err != nil {
		t.Fatal(err)
	}
	if err := j.Update(validJob(), now); code(err) != meridian.ERule {
		t.Fatalf("edit closed: %v", err)
	}
	r := replay(t, j, NewJob())
	if r.Status() != StatusClosed || r.Version() != 5 || r.OrgID() != "org" {
		t.Fatalf("replayed status %s version %d", r.Status(), r.Version())
	}
}

func TestStageEdges(t *testing.T) {
	all := []string{StageApplied, StageScreening, StageInterview, StageOffer, StageHired, StageRejected, StageWithdrawn}
	allowed := map[string][]string{
		StageApplied:   {StageScreening, StageRejected, StageWithdrawn},
		StageScreening: {StageInterview, StageRejected, StageWithdrawn},
		StageInterview: {StageOffer, StageRejected, StageWithdrawn},
		StageOffer:     {StageHired, StageRejected, StageWithdrawn},
	}
	reason := map[string]string{StageHired: "offer_accepted", StageRejected: "skills_mismatch", StageWithdrawn: "other"}
	for _, from := range all {
		for _, to := range all {
			a := &Application{stage: from}
			err := a.Move(to, reason[to], now)
			want := false
			for _, s := range allowed[from] {
				want = want || s == to
			}
			if (err == nil) != want {
				t.Errorf("%s → %s: err %v, allowed %v", from, to, err, want)
			}
		}
	}
	a := &Application{stage: StageOffer}
	if err := a.Move(StageHired, "", now); code(err) != meridian.EInvalid {
		t.Fatalf("final without reason: %v", err)
	}
	if err := a.Move(StageRejected, "offer_accepted", now); code(err) != meridian.EInvalid {
		t.Fatalf("reason of another stage: %v", err)
	}
	if err := (&Application{stage: StageApplied}).Move(StageScreening, "other", now); code(err) != meridian.EInvalid {
		t.Fatalf("reason on a non-final stage: %v", err)
	}
}

func TestSubmitRules(t *testing.T) {
	job := NewJob()
	job.Root.id = "job"
	_ = job.Draft("org", validJob(), now)
	prof := NewProfile()
	prof.Root.id = "prof"
	if err := prof.Create("dev", "", ProfileDetails{DisplayName: "Dev", TimeZone: "Europe/Lisbon", Countries: []string{"pt"}}, now); err != nil {
		t.Fatal(err)
	}
	if err := NewApplication().Submit(job, prof, "", now); code(err) != meridian.ERule {
		t.Fatalf("apply to draft: %v", err)
	}
	_ = job.Publish(now)
	a := NewApplication()
	if err := a.Submit(job, prof, "hi", now); err != nil {
		t.Fatal(err)
	}
	if a.Pending()[0].Subject != "dev" || !strings.Contains(string(a.Pending()[0].Personal), "hi") {
		t.Fatalf("cover letter not sealed under the candidate: %+v", a.Pending()[0])
	}
	if err := a.Submit(job, prof, "", now); code(err) != meridian.EConflict {
		t.Fatalf("second application: %v", err)
	}
	_ = job.Close("", now)
	if err := NewApplication().Submit(job, prof, "", now); code(err) != meridian.ERule {
		t.Fatalf("apply to closed: %v", err)
	}
	// Two separate calls: the id must be a pure function of the pair.
	first, again := ApplicationID("p", "j"), ApplicationID("p", "j")
	if first != again || first == ApplicationID("p", "k") {
		t.Fatalf("application ids not derived from the pair")
	}
}

func TestOrgOwners(t *testing.T) {
	o := NewOrg()
	if err := o.Create(OrgDetails{Name: "Acme"}, "alice", now); err != nil {
		t.Fatal(err)
	}
	if err := o.RemoveMember("alice"); code(err) != meridian.ERule {
		t.Fatalf("remove last owner: %v", err)
	}
	if err := o.ChangeRole("alice", RoleAdmin); code(err) != meridian.ERule {
		t.Fatalf("demote last owner: %v", err)
	}
	if err := o.AddMember("bob", "janitor"); code(err) != meridian.EInvalid {
		t.Fatalf("bad role: %v", err)
	}
	_ = o.AddMember("bob", RoleOwner)
	if err := o.ChangeRole("alice", RoleViewer); err != nil {
		t.Fatal(err)
	}
	r := replay(t, o, NewOrg())
	if r.Role("alice") != RoleViewer || r.Role("bob") != RoleOwner {
		t.Fatalf("replayed roles %q %q", r.Role("alice"), r.Role("bob"))
	}
}

func TestProfilePersonalAndErased(t *testing.T) {
	p := NewProfile()
	err := p.Create("dev", "secret", ProfileDetails{DisplayName: "Dev", TimeZone: "Europe/Lisbon", Countries: []string{"PT"}}, now)
	if code(err) != meridian.EInvalid {
		t.Fatalf("bad visibility: %v", err)
	}
	err = p.Create("dev", "", ProfileDetails{DisplayName: "Dev", TimeZone: "Nowhere/Else", Countries: []string{"PT"}}, now)
	if code(err) != meridian.EInvalid {
		t.Fatalf("bad zone: %v", err)
	}
	if err := p.Create("dev", "", ProfileDetails{DisplayName: "Dev Eloper", TimeZone: "Europe/Lisbon", Countries: []string{"PT"}}, now); err != nil {
		t.Fatal(err)
	}
	ev := p.Pending()[0]
	if strings.Contains(string(ev.Payload), "Eloper") || !strings.Contains(string(ev.Personal), "Eloper") || ev.Subject != "dev" {
		t.Fatalf("personal fields must travel only in the sealed part: payload %s", ev.Payload)
	}
	erased := NewProfile()
	if err := Load(erased, "p", []eventstore.Event{{Type: ProfileCreated, Version: 1, Payload: ev.Payload, Subject: "dev", Erased: true}}); err != nil {
		t.Fatal(err)
	}
	if !erased.Erased() || erased.Details().DisplayName != "" || erased.OwnerID() != "dev" {
		t.Fatalf("erased profile: %+v", erased)
	}
	if err := erased.Update(ProfileDetails{DisplayName: "Back"}); code(err) != meridian.ERule {
		t.Fatalf("update erased: %v", err)
	}
}
