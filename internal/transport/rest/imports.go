package rest

import (
	"bytes"
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/meridianhq/meridian/internal/ingest"
	"github.com/meridianhq/meridian/internal/ingest/fields"
	"github.com/meridianhq/meridian/internal/skills"
)

// ImportBodyLimit caps an import request's body.
const ImportBodyLimit = 32 << 20

type importIn struct {
	OrgID  string `query:"orgId" required:"true" format:"uuid" doc:"the organization the postings are imported into"`
	Format string `query:"format" required:"true" enum:"jsonld,csv,remoteok,hn" doc:"the body's format"`
	Map    string `query:"map" maxLength:"2000" doc:"CSV column mapping, e.g. title=Job Title,company=Employer"`
	IdempotencyKey
	RawBody []byte `contentType:"application/octet-stream"`
}

type importOut struct {
	Body ingest.Report
}

type extractIn struct {
	Body struct {
		Text string `json:"text" maxLength:"1000000" doc:"the text to read (a posting, a résumé)"`
		HTML bool   `json:"html,omitempty" doc:"the text is HTML: clean it first (spans then refer to the cleaned text)"`
	}
}

type extractOut struct {
	Body struct {
		Taxonomy string         `json:"taxonomy" doc:"version of the skills taxonomy used"`
		Text     string         `json:"text,omitempty" doc:"the cleaned text, when html was set"`
		Skills   []skills.Match `json:"skills"`
	}
}

type taxonomyIn struct {
	Category string `query:"category" doc:"only skills of this category (language, framework, cloud_service, ...)"`
	Group    string `query:"group" doc:"only skills of this group (cloud, containers, api, ...)"`
}

type taxonomyOut struct {
	Body struct {
		Version    string          `json:"version"`
		Categories []string        `json:"categories"`
		Groups     []*skills.Group `json:"groups"`
		Skills     []*skills.Skill `json:"skills"`
	}
}

func (s *Server) registerImports() {
	huma.Register(s.api, huma.Operation{OperationID: "listSkills", Method: http.MethodGet, Path: "/api/v1/skills", Summary: "The skills taxonomy",
		Description: "Every technology Meridian knows: stable id, display name, category, spellings, parents (broader skills it partly satisfies), related skills and groups.",
		Tags:        []string{"Skills"}, Metadata: access(PolicyPublic, "")},
		func(ctx context.Context, in *taxonomyIn) (*taxonomyOut, error) {
			t := skills.Default()
			out := &taxonomyOut{}
			out.Body.Version, out.Body.Categories, out.Body.Groups = t.Version, skills.Categories, t.Groups()
			out.Body.Skills = []*skills.Skill{}
			for _, sk := range t.Skills() {
				if (in.Category == "" || sk.Category == in.Category) && (in.Group == "" || t.InGroup(sk.ID, in.Group)) {
					out.Body.Skills = append(out.Body.Skills, sk)
				}
			}
			return out, nil
		})
	huma.Register(s.api, huma.Operation{OperationID: "importJobs", Method: http.MethodPost, Path: "/api/v1/imports", Summary: "Import postings into an organization",
		Description: "The body is a file in the given format: schema.org JobPosting JSON-LD (an object, an array, @graph or JSON Lines), " +
			"CSV with a header row (and an optional column mapping), Remote OK's API format, or Hacker News \"Who is hiring?\" JSON Lines. " +
			"Every posting is cleaned, parsed and its skills extracted, then drafted and published in the organization. Importing the same " +
			"file again creates nothing new; a near-duplicate repost (same title and eligibility) merges into its posting. Records that " +
			"cannot be used are listed in the report with their record number, line and reason; the others are imported.",
		Tags: []string{"Imports"}, MaxBodyBytes: ImportBodyLimit, Metadata: access(PolicyOrgRecruiter, scopeJobsWrite)},
		func(ctx context.Context, in *importIn) (*importOut, error) {
			csvMap, err := ingest.ParseMapping(in.Map)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			im := &ingest.Importer{App: s.cfg.App}
			rep, err := im.Run(ctx, bytes.NewReader(in.RawBody), ingest.Options{Format: in.Format, OrgID: in.OrgID, CSV: csvMap})
			if err != nil && rep.Stream == "" {
				return nil, s.fail(ctx, err)
			}
			s.cfg.App.Settle(ctx, rep.Position)
			return &importOut{Body: rep}, nil
		})
	huma.Register(s.api, huma.Operation{OperationID: "extractSkills", Method: http.MethodPost, Path: "/api/v1/skills/extract", Summary: "Find the skills a text names",
		Description: "Runs Meridian's skill extractor: every technology of the taxonomy the text names, with its category, the byte spans " +
			"where it occurs, a confidence, and whether it reads as required or nice to have (from section cues such as \"Requirements\" " +
			"and \"Nice to have\").",
		Tags: []string{"Skills"}, MaxBodyBytes: 2 << 20, Metadata: access(PolicyPublic, "")},
		func(ctx context.Context, in *extractIn) (*extractOut, error) {
			out := &extractOut{}
			text := in.Body.Text
			if in.Body.HTML {
				text = fields.CleanText(text)
				out.Body.Text = text
			}
			out.Body.Taxonomy = skills.Default().Version
			out.Body.Skills = skills.DefaultExtractor().Extract(text)
			if out.Body.Skills == nil {
				out.Body.Skills = []skills.Match{}
			}
			return out, nil
		})
}
