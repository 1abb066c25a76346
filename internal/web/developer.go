package web

// registerDeveloper registers the developers' pages (profile, matches,
// saved searches, applications, skill gaps, data export).
func (h *Handler) registerDeveloper() {}
