// Package markdown renders user-written Markdown (job descriptions) to HTML
// that is safe to embed in pages: goldmark renders CommonMark with GitHub
// tables and autolinks, then bluemonday's user-generated-content policy
// strips scripts, event handlers and dangerous URLs.
package markdown

import (
	"bytes"
	"sync"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
)

var (
	once   sync.Once
	md     goldmark.Markdown
	policy *bluemonday.Policy
)

func setup() {
	md = goldmark.New(goldmark.WithExtensions(extension.GFM))
	policy = bluemonday.UGCPolicy()
	policy.RequireNoFollowOnLinks(true)
	policy.AddTargetBlankToFullyQualifiedLinks(true)
}

// Render converts Markdown to sanitized HTML.
func Render(src string) string {
	once.Do(setup)
	var buf bytes.Buffer
	if err := md.Convert([]byte(src), &buf); err != nil {
		// goldmark only fails on writer errors; a bytes.Buffer has none.
		return policy.Sanitize(src)
	}
	return policy.SanitizeReader(&buf).String()
}

// Sanitize cleans HTML from outside sources (imported postings).
func Sanitize(html string) string {
	once.Do(setup)
	return policy.Sanitize(html)
}
