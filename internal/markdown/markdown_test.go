package markdown

import (
	"strings"
	"testing"
)

func TestRenderStripsScripts(t *testing.T) {
	cases := map[string]string{
		"script":  "Hello <script>alert(1)</script> **world**",
		"onerror": `<img src=x onerror="alert(1)">`,
		"jsurl":   "[click](javascript:alert(1))",
		"iframe":  `<iframe src="https://evil.example"></iframe>`,
	}
	for name, in := range cases {
		t.Run(name, func(t *testing.T) {
			out := strings.ToLower(Render(in))
			for _, bad := range []string{"<script", "onerror", "javascript:", "<iframe"} {
				if strings.Contains(out, bad) {
					t.Fatalf("Render(%q) = %q still contains %q", in, out, bad)
				}
			}
		})
	}
	if got := Render("**bold** and `code`"); !strings.Contains(got, "<strong>bold</strong>") || !strings.Contains(got, "<code>code</code>") {
		t.Fatalf("markdown not rendered: %q", got)
	}
}
