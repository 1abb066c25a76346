package web

// registerEmployer registers the employers' pages (organizations and
// members, postings, pipeline boards, shortlists, API keys and webhooks).
func (h *Handler) registerEmployer() {}
