package rest

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/danielgtaylor/huma/v2"
	jsonpatch "github.com/evanphx/json-patch/v5"
	"github.com/gorilla/feeds"

	"github.com/meridianhq/meridian/internal/alerts"
	"github.com/meridianhq/meridian/internal/app"
	"github.com/meridianhq/meridian/internal/meridian"
	"github.com/meridianhq/meridian/internal/readmodel"
	"github.com/meridianhq/meridian/internal/search"
)

// savedSearchView is a saved search with the paths of its feeds.
type savedSearchView struct {
	alerts.SavedSearch
	FeedAtom string `json:"feedAtom" doc:"path of the Atom feed of the saved search's matches (with its token)"`
	FeedRSS  string `json:"feedRss" doc:"path of the RSS feed of the saved search's matches (with its token)"`
}

func viewOfSavedSearch(s alerts.SavedSearch) savedSearchView {
	base := "/api/v1/saved-searches/" + s.ID + "/feed."
	return savedSearchView{SavedSearch: s, FeedAtom: base + "atom?token=" + s.FeedToken, FeedRSS: base + "rss?token=" + s.FeedToken}
}

type savedSearchOut struct {
	ETag     string `header:"ETag"`
	Location string `header:"Location"`
	Body     savedSearchView
}

type SavedSearchPath struct {
	SavedSearchID string `path:"savedSearchId" format:"uuid"`
}

type createSavedSearchIn struct {
	IdempotencyKey
	Body app.SavedSearchInput
}

// savedSearchPatch is the merge-patch body of updateSavedSearch.
type savedSearchPatch struct {
	Name            string       `json:"name,omitempty" maxLength:"100"`
	Query           search.Query `json:"query,omitzero"`
	Alert           string       `json:"alert,omitempty" enum:"instant,daily,off"`
	RotateFeedToken bool         `json:"rotateFeedToken,omitempty" doc:"replace the feed token: the old feed URLs stop working"`
}

type patchSavedSearchIn struct {
	SavedSearchPath
	IfMatch
	Body    savedSearchPatch `contentType:"application/merge-patch+json"`
	RawBody []byte
}

type deleteSavedSearchIn struct {
	SavedSearchPath
	IfMatch
}

type savedSearchPageOut struct {
	Body readmodel.Page[savedSearchView]
}

type notificationPageOut struct {
	Body readmodel.Page[alerts.Notification]
}

type markReadIn struct {
	IdempotencyKey
	Body struct {
		IDs []string `json:"ids,omitempty" maxItems:"500" doc:"notification ids"`
		All bool     `json:"all,omitempty" doc:"mark every notification read"`
	}
}

type feedIn struct {
	SavedSearchPath
	Token string `query:"token" doc:"the saved search's feedToken"`
}

type feedOut struct {
	ContentType  string `header:"Content-Type"`
	CacheControl string `header:"Cache-Control"`
	Body         []byte
}

func (s *Server) savedSearchResponse(ctx context.Context, id string, status int) (*savedSearchOut, error) {
	ss, err := s.cfg.App.SavedSearch(ctx, id)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	out := &savedSearchOut{ETag: etag(ss.Version), Body: viewOfSavedSearch(ss)}
	if status == http.StatusCreated {
		out.Location = "/api/v1/saved-searches/" + id
	}
	return out, nil
}

// feedResponse documents a feed operation's body as XML text.
func feedResponse(contentType string) map[string]*huma.Response {
	return map[string]*huma.Response{"200": {
		Description: "The saved search's newest matches, newest first; entries link to /jobs/{id}.",
		Content:     map[string]*huma.MediaType{contentType: {Schema: &huma.Schema{Type: "string"}}},
	}}
}

func (s *Server) registerSavedSearches() {
	tags := []string{"Saved searches"}
	huma.Register(s.api, huma.Operation{OperationID: "listSavedSearches", Method: http.MethodGet, Path: "/api/v1/saved-searches", Summary: "List your saved searches", Tags: tags, Metadata: access(PolicySignedIn, "")},
		func(ctx context.Context, in *Paging) (*savedSearchPageOut, error) {
			page, err := s.cfg.App.SavedSearches(ctx, in.Cursor, in.Limit)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			out := readmodel.Page[savedSearchView]{Items: make([]savedSearchView, len(page.Items)), NextCursor: page.NextCursor}
			for i, ss := range page.Items {
				out.Items[i] = viewOfSavedSearch(ss)
			}
			return &savedSearchPageOut{Body: out}, nil
		})
	huma.Register(s.api, huma.Operation{OperationID: "createSavedSearch", Method: http.MethodPost, Path: "/api/v1/saved-searches", Summary: "Save a search",
		Description: "Postings published from now on that match the query become notifications (unless alert is off) and entries of the saved search's feeds. " +
			"Name and query are personal data, encrypted at rest under your own key. At most 50 per person.",
		Tags: tags, DefaultStatus: http.StatusCreated, MaxBodyBytes: s.cfg.BodyLimit, Metadata: access(PolicySignedIn, "")},
		func(ctx context.Context, in *createSavedSearchIn) (*savedSearchOut, error) {
			res, err := s.cfg.App.CreateSavedSearch(ctx, in.Body)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			return s.savedSearchResponse(ctx, res.ID, http.StatusCreated)
		})
	huma.Register(s.api, huma.Operation{OperationID: "getSavedSearch", Method: http.MethodGet, Path: "/api/v1/saved-searches/{savedSearchId}", Summary: "Get a saved search", Tags: tags, Metadata: access(PolicySavedSearchOwner, "")},
		func(ctx context.Context, in *SavedSearchPath) (*savedSearchOut, error) {
			return s.savedSearchResponse(ctx, in.SavedSearchID, http.StatusOK)
		})
	huma.Register(s.api, huma.Operation{OperationID: "updateSavedSearch", Method: http.MethodPatch, Path: "/api/v1/saved-searches/{savedSearchId}", Summary: "Change a saved search",
		Description: "JSON merge patch (RFC 7396) over name, query and alert; rotateFeedToken: true replaces the feed token.", Tags: tags, MaxBodyBytes: s.cfg.BodyLimit, Metadata: access(PolicySavedSearchOwner, "")},
		func(ctx context.Context, in *patchSavedSearchIn) (*savedSearchOut, error) {
			exp, err := in.Expected()
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			cur, err := s.cfg.App.SavedSearch(ctx, in.SavedSearchID)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			if exp < 0 {
				exp = cur.Version // the patch applies only to the version it was merged onto
			}
			p, err := mergeSavedSearch(cur, in.RawBody)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			upd := app.SavedSearchInput{Name: p.Name, Query: p.Query, Alert: p.Alert}
			if _, err := s.cfg.App.UpdateSavedSearch(ctx, cur.ID, exp, upd, p.RotateFeedToken); err != nil {
				return nil, s.fail(ctx, err)
			}
			return s.savedSearchResponse(ctx, cur.ID, http.StatusOK)
		})
	huma.Register(s.api, huma.Operation{OperationID: "deleteSavedSearch", Method: http.MethodDelete, Path: "/api/v1/saved-searches/{savedSearchId}", Summary: "Delete a saved search",
		Description: "Its notifications and feeds go with it.", Tags: tags, Metadata: access(PolicySavedSearchOwner, "")},
		func(ctx context.Context, in *deleteSavedSearchIn) (*struct{}, error) {
			exp, err := in.Expected()
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			if _, err := s.cfg.App.DeleteSavedSearch(ctx, in.SavedSearchID, exp); err != nil {
				return nil, s.fail(ctx, err)
			}
			return nil, nil
		})
	huma.Register(s.api, huma.Operation{OperationID: "listNotifications", Method: http.MethodGet, Path: "/api/v1/notifications", Summary: "List your notifications",
		Description: "Postings that matched your saved searches (those whose alert is not off), newest first.", Tags: tags, Metadata: access(PolicySignedIn, "")},
		func(ctx context.Context, in *Paging) (*notificationPageOut, error) {
			page, err := s.cfg.App.Notifications(ctx, in.Cursor, in.Limit)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			return &notificationPageOut{Body: page}, nil
		})
	huma.Register(s.api, huma.Operation{OperationID: "markNotificationsRead", Method: http.MethodPost, Path: "/api/v1/notifications/read", Summary: "Mark notifications read",
		Tags: tags, DefaultStatus: http.StatusNoContent, MaxBodyBytes: s.cfg.BodyLimit, Metadata: access(PolicySignedIn, "")},
		func(ctx context.Context, in *markReadIn) (*struct{}, error) {
			if _, err := s.cfg.App.MarkNotificationsRead(ctx, in.Body.IDs, in.Body.All); err != nil {
				return nil, s.fail(ctx, err)
			}
			return nil, nil
		})
	feed := func(contentType string, render func(*feeds.Feed) (string, error)) func(context.Context, *feedIn) (*feedOut, error) {
		return func(ctx context.Context, in *feedIn) (*feedOut, error) {
			ss, entries, err := s.cfg.App.FeedEntries(ctx, in.SavedSearchID, in.Token)
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			text, err := render(savedSearchFeed(strings.TrimSuffix(s.cfg.PublicURL, "/"), ss, entries))
			if err != nil {
				return nil, s.fail(ctx, err)
			}
			return &feedOut{ContentType: contentType + "; charset=utf-8", CacheControl: "private, max-age=300", Body: []byte(text)}, nil
		}
	}
	huma.Register(s.api, huma.Operation{OperationID: "savedSearchFeedAtom", Method: http.MethodGet, Path: "/api/v1/saved-searches/{savedSearchId}/feed.atom", Summary: "Atom feed of a saved search",
		Description: "For feed readers: authorized by the saved search's feed token instead of credentials.", Tags: tags, Responses: feedResponse("application/atom+xml"), Metadata: access(PolicyFeedToken, "")},
		feed("application/atom+xml", (*feeds.Feed).ToAtom))
	huma.Register(s.api, huma.Operation{OperationID: "savedSearchFeedRss", Method: http.MethodGet, Path: "/api/v1/saved-searches/{savedSearchId}/feed.rss", Summary: "RSS feed of a saved search",
		Description: "For feed readers: authorized by the saved search's feed token instead of credentials.", Tags: tags, Responses: feedResponse("application/rss+xml"), Metadata: access(PolicyFeedToken, "")},
		feed("application/rss+xml", (*feeds.Feed).ToRss))
}

// savedSearchFeed builds the feed of a saved search's matches.
func savedSearchFeed(base string, ss alerts.SavedSearch, entries []alerts.Notification) *feeds.Feed {
	updated := ss.UpdatedAt
	if len(entries) > 0 && entries[0].CreatedAt.After(updated) {
		updated = entries[0].CreatedAt
	}
	f := &feeds.Feed{
		Id:          "urn:uuid:" + ss.ID,
		Title:       "Meridian: " + ss.Name,
		Link:        &feeds.Link{Href: base + "/jobs"},
		Description: "New remote postings matching your saved search " + ss.Name,
		Created:     ss.CreatedAt,
		Updated:     updated,
	}
	for _, n := range entries {
		link := base + "/jobs/" + n.JobID
		title := n.Title
		if n.OrgName != "" {
			title += " at " + n.OrgName
		}
		f.Items = append(f.Items, &feeds.Item{
			Id:          "urn:uuid:" + n.ID,
			Title:       title,
			Link:        &feeds.Link{Href: link},
			Description: title,
			Created:     n.CreatedAt,
			Updated:     n.CreatedAt,
		})
	}
	return f
}

// mergeSavedSearch applies an RFC 7396 merge patch to a saved search.
func mergeSavedSearch(cur alerts.SavedSearch, patch []byte) (savedSearchPatch, error) {
	base, err := json.Marshal(savedSearchPatch{Name: cur.Name, Query: cur.Query, Alert: cur.Alert})
	if err != nil {
		return savedSearchPatch{}, err
	}
	merged, err := jsonpatch.MergePatch(base, patch)
	if err != nil {
		return savedSearchPatch{}, meridian.Errorf(meridian.EInvalid, "the body is not a JSON merge patch: %v", err)
	}
	var out savedSearchPatch
	dec := json.NewDecoder(bytes.NewReader(merged))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&out); err != nil {
		return savedSearchPatch{}, meridian.Errorf(meridian.EInvalid, "the patched saved search is not valid: %v", err)
	}
	return out, nil
}
