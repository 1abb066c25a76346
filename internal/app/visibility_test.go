package app_test

import (
	"testing"

	"github.com/meridianhq/meridian/internal/apptest"
	"github.com/meridianhq/meridian/internal/domain"
	"github.com/meridianhq/meridian/internal/meridian"
	"github.com/meridianhq/meridian/internal/store/storetest"
)

// A closed posting stays readable by the people who applied to it (their
// applications name it); to other outsiders it is gone.
func TestClosedPostingVisibleToItsApplicants(t *testing.T) {
	s := apptest.New(t, storetest.OpenSQLite(t))
	a := s.App
	owner, dev, other := person("owner-1"), person("dev-1"), person("dev-2")
	org, err := a.CreateOrg(owner, domain.OrgDetails{Name: "Acme"}, "")
	if err != nil {
		t.Fatal(err)
	}
	job, err := a.DraftJob(owner, org.ID, domain.JobDetails{Title: "Go engineer", Description: "Go and PostgreSQL",
		Skills: []domain.SkillRequirement{{Skill: "go", Level: 3, Required: true}}, Eligibility: domain.Eligibility{Worldwide: true}})
	if err != nil {
		t.Fatal(err)
	}
	if job, err = a.PublishJob(owner, job.ID, job.Version); err != nil {
		t.Fatal(err)
	}
	prof, err := a.CreateProfile(dev, "", "private", domain.ProfileDetails{DisplayName: "Dev", TimeZone: "Europe/Berlin", Countries: []string{"DE"},
		Skills: []domain.ProfileSkill{{Skill: "go", Level: 4}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Apply(dev, job.ID, prof.ID, ""); err != nil {
		t.Fatal(err)
	}
	if job, err = a.CloseJob(owner, job.ID, job.Version, "filled"); err != nil {
		t.Fatal(err)
	}
	a.Settle(s.Ctx, job.Position)
	if j, err := a.Job(dev, job.ID); err != nil || j.Title != "Go engineer" || j.Status != domain.StatusClosed {
		t.Errorf("the applicant reads the closed posting: %+v, %v", j, err)
	}
	seen, err := a.JobsVisible(dev, []string{job.ID})
	if err != nil || seen[job.ID].Title != "Go engineer" {
		t.Errorf("batch read by the applicant: %v, %v", seen, err)
	}
	if _, err := a.Job(other, job.ID); meridian.ErrorCode(err) != meridian.ENotFound {
		t.Errorf("another person reads the closed posting: %v, want not found", err)
	}
	if seen, err := a.JobsVisible(other, []string{job.ID}); err != nil || len(seen) != 0 {
		t.Errorf("batch read by another person: %v, %v", seen, err)
	}
}
