package rest_test

import (
	"net/url"

	"github.com/meridianhq/meridian/internal/meridian"
)

// The web app's routes (internal/web): each page or form in the matrix,
// under the policy it is registered with.
func init() {
	for k, v := range map[string][]mxVariant{
		"plain:GET /assets/app.js":   {{name: "get"}},
		"plain:POST /skills/preview": {{name: "text", body: mxConst(url.Values{"text": {"Go and PostgreSQL; nice to have: Kafka"}})}},
		"plain:GET /signin":          {{name: "page"}},
		"plain:GET /signup":          {{name: "page"}},
		"plain:POST /signin":         {{name: "password", body: mxConst(url.Values{"email": {"login@meridian.test"}, "password": {mxPassword}})}},
		"plain:POST /signup": {{name: "new-account", body: func(*mxCase) any {
			return url.Values{"email": {"new-" + meridian.NewID() + "@meridian.test"}, "password": {mxPassword}, "password2": {mxPassword}}
		}}},
		"plain:POST /signout": {{name: "session"}},
	} {
		mxVariants[k] = v
	}
}
