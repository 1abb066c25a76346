package domain

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/meridianhq/meridian/internal/eventstore"
	"github.com/meridianhq/meridian/internal/meridian"
)

// Saved-search event types. A person's saved searches live in one stream
// per person (SavedSearchesID), so that the per-person limit is an
// invariant of one aggregate rather than a count read from a read model.
// Name, query and feed token are personal data (they tell what job a
// person is looking for): they travel in the events' sealed part under the
// owner's key, and erasing the owner erases them.
const (
	SavedSearchCreated = "saved_search.created.v1"
	SavedSearchUpdated = "saved_search.updated.v1"
	SavedSearchDeleted = "saved_search.deleted.v1"
	// NotificationsRead marks the owner's saved-search notifications read.
	NotificationsRead = "saved_search.notifications_read.v1"
)

// Alert frequencies of a saved search: instant (notify on every new
// matching posting), daily (collect them for a daily digest) or off (the
// feed only).
const (
	AlertInstant = "instant"
	AlertDaily   = "daily"
	AlertOff     = "off"
)

// AlertFrequencies lists the alert frequencies.
var AlertFrequencies = []string{AlertInstant, AlertDaily, AlertOff}

// Saved-search limits.
const (
	MaxSavedSearches      = 50   // per person
	MaxSavedSearchName    = 100  // characters
	MaxSavedSearchQuery   = 8192 // bytes of the query's JSON
	MaxNotificationsMarks = 500  // ids per NotificationsRead event
)

// SavedSearchesID is the stream id of a person's saved searches.
func SavedSearchesID(ownerID string) string { return meridian.DerivedID("saved-searches", ownerID) }

// SavedSearchInput is what a person chooses for a saved search. Query is
// the stored form of a search.Query (validated by the application layer,
// which knows the search engine).
type SavedSearchInput struct {
	Name  string
	Query json.RawMessage
	Alert string // default instant
}

// SavedSearchEvent is the public payload of saved_search.created.v1 and
// saved_search.updated.v1.
type SavedSearchEvent struct {
	SavedSearchID string    `json:"savedSearchId"`
	OwnerID       string    `json:"ownerId"`
	Alert         string    `json:"alert"`
	At            time.Time `json:"at"`
}

// SavedSearchPersonal is the sealed part of saved_search.created.v1 and
// saved_search.updated.v1.
type SavedSearchPersonal struct {
	Name      string          `json:"name"`
	Query     json.RawMessage `json:"query"`
	FeedToken string          `json:"feedToken"`
}

// SavedSearchDeletedEvent is the payload of saved_search.deleted.v1.
type SavedSearchDeletedEvent struct {
	SavedSearchID string    `json:"savedSearchId"`
	OwnerID       string    `json:"ownerId"`
	At            time.Time `json:"at"`
}

// NotificationsReadEvent is the payload of
// saved_search.notifications_read.v1: the notifications named, or (All)
// every notification the owner had when it was recorded.
type NotificationsReadEvent struct {
	OwnerID string    `json:"ownerId"`
	IDs     []string  `json:"ids,omitempty"`
	All     bool      `json:"all,omitempty"`
	At      time.Time `json:"at"`
}

// SavedSearch is one saved search as its aggregate holds it.
type SavedSearch struct {
	ID        string
	Name      string
	Query     json.RawMessage
	Alert     string
	FeedToken string
	// Version counts the events that created and changed it (its ETag).
	Version int64
	// Erased is true when the owner's personal data has been erased.
	Erased bool
}

// SavedSearches is one person's saved searches.
type SavedSearches struct {
	Root
	ownerID string
	items   map[string]*SavedSearch
}

// NewSavedSearches returns an empty aggregate.
func NewSavedSearches() *SavedSearches { return &SavedSearches{items: map[string]*SavedSearch{}} }

// StreamType implements Aggregate.
func (s *SavedSearches) StreamType() string { return "saved_searches" }

// OwnerID returns the person (user id) whose saved searches these are.
func (s *SavedSearches) OwnerID() string { return s.ownerID }

// Len returns the number of saved searches.
func (s *SavedSearches) Len() int { return len(s.items) }

// Get returns a saved search by id.
func (s *SavedSearches) Get(id string) (SavedSearch, bool) {
	it, ok := s.items[id]
	if !ok {
		return SavedSearch{}, false
	}
	return *it, true
}

func savedSearchNotFound(id string) error {
	return meridian.Errorf(meridian.ENotFound, "saved search %s not found", id)
}

func (in *SavedSearchInput) normalize() error {
	p := problems{}
	in.Name = strings.TrimSpace(in.Name)
	if n := len([]rune(in.Name)); n < 1 || n > MaxSavedSearchName {
		p.add("name", "must be 1 to %d characters", MaxSavedSearchName)
	}
	if in.Alert == "" {
		in.Alert = AlertInstant
	}
	if !oneOf(in.Alert, AlertFrequencies) {
		p.add("alert", "must be one of %s", strings.Join(AlertFrequencies, ", "))
	}
	switch {
	case len(in.Query) > MaxSavedSearchQuery:
		p.add("query", "must be at most %d bytes of JSON", MaxSavedSearchQuery)
	case len(in.Query) == 0 || !json.Valid(in.Query) || strings.TrimSpace(string(in.Query))[0] != '{':
		p.add("query", "must be a JSON object")
	}
	return p.err("saved search")
}

// Create records a new saved search of ownerID with id. feedToken is the
// secret that authorizes its feed.
func (s *SavedSearches) Create(ownerID, id string, in SavedSearchInput, feedToken string, now time.Time) error {
	if s.ownerID != "" && s.ownerID != ownerID {
		return ruleErr("these saved searches belong to someone else")
	}
	if _, ok := s.items[id]; ok {
		return ruleErr("saved search %s already exists", id)
	}
	if len(s.items) >= MaxSavedSearches {
		return ruleErr("at most %d saved searches per person; delete one first", MaxSavedSearches)
	}
	if err := in.normalize(); err != nil {
		return err
	}
	if feedToken == "" {
		return ruleErr("a saved search needs a feed token")
	}
	return record(s, SavedSearchCreated, SavedSearchEvent{SavedSearchID: id, OwnerID: ownerID, Alert: in.Alert, At: now}, ownerID,
		SavedSearchPersonal{Name: in.Name, Query: in.Query, FeedToken: feedToken})
}

// Update replaces a saved search's name, query and alert frequency. A
// non-empty feedToken replaces the feed token (rotation); empty keeps it.
func (s *SavedSearches) Update(id string, in SavedSearchInput, feedToken string, now time.Time) error {
	it, ok := s.items[id]
	if !ok {
		return savedSearchNotFound(id)
	}
	if it.Erased {
		return ruleErr("this saved search has been erased")
	}
	if err := in.normalize(); err != nil {
		return err
	}
	if feedToken == "" {
		feedToken = it.FeedToken
	}
	if in.Name == it.Name && in.Alert == it.Alert && feedToken == it.FeedToken && jsonEqual(in.Query, it.Query) {
		return nil
	}
	return record(s, SavedSearchUpdated, SavedSearchEvent{SavedSearchID: id, OwnerID: s.ownerID, Alert: in.Alert, At: now}, s.ownerID,
		SavedSearchPersonal{Name: in.Name, Query: in.Query, FeedToken: feedToken})
}

// Delete removes a saved search (its notifications and feed go with it).
func (s *SavedSearches) Delete(id string, now time.Time) error {
	if _, ok := s.items[id]; !ok {
		return savedSearchNotFound(id)
	}
	return record(s, SavedSearchDeleted, SavedSearchDeletedEvent{SavedSearchID: id, OwnerID: s.ownerID, At: now}, "", nil)
}

// MarkRead records that the owner read the notifications named by ids, or
// all of them.
func (s *SavedSearches) MarkRead(ownerID string, ids []string, all bool, now time.Time) error {
	if s.ownerID != "" && s.ownerID != ownerID {
		return ruleErr("these saved searches belong to someone else")
	}
	if !all && len(ids) == 0 {
		return (problems{"ids": "name the notifications to mark read, or pass all"}).err("notifications")
	}
	if len(ids) > MaxNotificationsMarks {
		return (problems{"ids": "at most 500 per request"}).err("notifications")
	}
	for _, id := range ids {
		if !meridian.ValidID(id) {
			return (problems{"ids": "must be notification ids"}).err("notifications")
		}
	}
	if all {
		ids = nil
	}
	return record(s, NotificationsRead, NotificationsReadEvent{OwnerID: ownerID, IDs: ids, All: all, At: now}, "", nil)
}

func jsonEqual(a, b json.RawMessage) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	xa, _ := json.Marshal(x)
	ya, _ := json.Marshal(y)
	return string(xa) == string(ya)
}

// Apply implements Aggregate.
func (s *SavedSearches) Apply(e eventstore.Event) error {
	switch e.Type {
	case SavedSearchCreated, SavedSearchUpdated:
		var p SavedSearchEvent
		if err := decode(e, e.Payload, &p); err != nil {
			return err
		}
		s.ownerID = p.OwnerID
		it := s.items[p.SavedSearchID]
		if it == nil {
			it = &SavedSearch{ID: p.SavedSearchID}
			s.items[p.SavedSearchID] = it
		}
		it.Alert = p.Alert
		it.Version++
		if e.Erased {
			it.Erased, it.Name, it.Query, it.FeedToken = true, "", nil, ""
			return nil
		}
		var d SavedSearchPersonal
		if err := decode(e, e.Personal, &d); err != nil {
			return err
		}
		it.Name, it.Query, it.FeedToken = d.Name, d.Query, d.FeedToken
	case SavedSearchDeleted:
		var p SavedSearchDeletedEvent
		if err := decode(e, e.Payload, &p); err != nil {
			return err
		}
		s.ownerID = p.OwnerID
		delete(s.items, p.SavedSearchID)
	case NotificationsRead:
		var p NotificationsReadEvent
		if err := decode(e, e.Payload, &p); err != nil {
			return err
		}
		s.ownerID = p.OwnerID
	}
	return nil
}
