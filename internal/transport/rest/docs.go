package rest

import (
	"html/template"
	"net/http"
	"sort"
	"strings"

	"github.com/danielgtaylor/huma/v2"
)

// docsPage is a self-contained API reference rendered from the OpenAPI
// document (no external scripts or styles, so it works offline and under a
// strict CSP).
var docsPage = template.Must(template.New("docs").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Meridian API</title>
<style>
body{font:15px/1.5 system-ui,sans-serif;max-width:960px;margin:2rem auto;padding:0 1rem;color:#1b1f24}
code,pre{font-family:ui-monospace,monospace;font-size:13px}
.op{border:1px solid #d0d7de;border-radius:6px;margin:.6rem 0;padding:.5rem .8rem}
.m{display:inline-block;min-width:4.5rem;font-weight:600}
.GET{color:#0969da}.POST{color:#1a7f37}.PUT{color:#9a6700}.PATCH{color:#8250df}.DELETE{color:#cf222e}
h2{border-bottom:1px solid #d0d7de;padding-bottom:.2rem}
table{border-collapse:collapse}td,th{border:1px solid #d0d7de;padding:.2rem .5rem;text-align:left}
</style></head><body>
<h1>Meridian API <small>{{.Version}}</small></h1>
<p>{{.Description}}</p>
<p>Machine-readable: <a href="/api/v1/openapi.json">/api/v1/openapi.json</a> (OpenAPI 3.1) · <a href="/api/v1/openapi.yaml">YAML</a></p>
{{range .Groups}}<h2>{{.Tag}}</h2>
{{range .Ops}}<div class="op" id="{{.ID}}"><span class="m {{.Method}}">{{.Method}}</span> <code>{{.Path}}</code> — {{.Summary}}
{{if .Description}}<div>{{.Description}}</div>{{end}}
{{if .Params}}<div>Parameters: {{range .Params}}<code>{{.}}</code> {{end}}</div>{{end}}</div>
{{end}}{{end}}
<h2>Errors</h2>
<p>Every error is an RFC 9457 <code>application/problem+json</code> object with <code>type</code>, <code>title</code>, <code>status</code>, <code>detail</code> and Meridian's <code>code</code>.</p>
<table><tr><th>code</th><th>status</th><th>meaning</th></tr>
{{range .Problems}}<tr id="problem-{{.Code}}"><td><code>{{.Code}}</code></td><td>{{.Status}}</td><td>{{.Meaning}}</td></tr>{{end}}
</table></body></html>`))

type docOp struct {
	ID, Method, Path, Summary, Description string
	Params                                 []string
}

type docGroup struct {
	Tag string
	Ops []docOp
}

type docProblem struct {
	Code, Meaning string
	Status        int
}

var problemMeanings = []docProblem{
	{"invalid", "the request or one of its fields is not valid; see fields/errors", 422},
	{"rule", "a business rule forbids this in the current state (e.g. applying to a closed posting)", 409},
	{"conflict", "the resource changed since the version you sent (If-Match), or already exists", 409},
	{"not_found", "no such resource, or you may not see it", 404},
	{"unauthorized", "sign in first", 401},
	{"forbidden", "signed in, but your role does not allow this", 403},
	{"too_large", "the request body is over the limit", 413},
	{"idempotency_key", "the Idempotency-Key was used before with a different body", 422},
	{"rate_limited", "too many requests; retry after Retry-After", 429},
	{"unavailable", "a dependency is down; retry later", 503},
	{"internal", "a bug on our side; the request id is in X-Request-Id", 500},
}

func (s *Server) docs(w http.ResponseWriter, r *http.Request) {
	oapi := s.api.OpenAPI()
	groups := map[string][]docOp{}
	for path, item := range oapi.Paths {
		for method, op := range map[string]*huma.Operation{"GET": item.Get, "POST": item.Post, "PUT": item.Put, "PATCH": item.Patch, "DELETE": item.Delete} {
			if op == nil {
				continue
			}
			d := docOp{ID: op.OperationID, Method: method, Path: path, Summary: op.Summary, Description: op.Description}
			for _, p := range op.Parameters {
				d.Params = append(d.Params, p.Name+" ("+p.In+")")
			}
			tag := "Other"
			if len(op.Tags) > 0 {
				tag = op.Tags[0]
			}
			groups[tag] = append(groups[tag], d)
		}
	}
	var gs []docGroup
	for tag, ops := range groups {
		sort.Slice(ops, func(i, j int) bool {
			if ops[i].Path != ops[j].Path {
				return ops[i].Path < ops[j].Path
			}
			return strings.Compare(ops[i].Method, ops[j].Method) < 0
		})
		gs = append(gs, docGroup{Tag: tag, Ops: ops})
	}
	sort.Slice(gs, func(i, j int) bool { return gs[i].Tag < gs[j].Tag })
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'")
	_ = docsPage.Execute(w, map[string]any{"Version": oapi.Info.Version, "Description": oapi.Info.Description, "Groups": gs, "Problems": problemMeanings})
}
