package adminapi

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pgw/pgw/internal/auth"
	"github.com/pgw/pgw/internal/httpx"
	"github.com/pgw/pgw/internal/notify"
	"github.com/pgw/pgw/internal/store"
)

// eventView is an event as webhook endpoints receive it.
type eventView struct {
	ID      string    `json:"id"`
	Type    string    `json:"type"`
	Created time.Time `json:"created"`
	Data    any       `json:"data"`
}

// listEvents answers the key's typed events from since (RFC 3339,
// inclusive), oldest first, for catching up after an outage; receivers
// dedupe on id as they do for webhooks.
func (a *API) listEvents(w http.ResponseWriter, r *http.Request, key *auth.APIKey) {
	q := r.URL.Query()
	f := store.EventFilter{OrganizationID: key.OrganizationID, Mode: key.Mode, Types: notify.EventTypes, Limit: defaultLimit}
	if t := q.Get("type"); t != "" {
		f.Types = nil
		for _, one := range strings.Split(t, ",") {
			if !notify.ValidEventType(one) || slices.Contains(f.Types, one) {
				httpx.WriteFieldError(w, r, http.StatusBadRequest, "invalid_request", "type",
					"type must be one or more of "+strings.Join(notify.EventTypes, ", ")+", separated by commas")
				return
			}
			f.Types = append(f.Types, one)
		}
	}
	if v := q.Get("since"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			httpx.WriteFieldError(w, r, http.StatusBadRequest, "invalid_request", "since", "since must be an RFC 3339 time")
			return
		}
		f.Since = t
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxLimit {
			httpx.WriteFieldError(w, r, http.StatusBadRequest, "invalid_request", "limit", "limit must be from 1 to 100")
			return
		}
		f.Limit = n
	}
	evs, err := a.store.ListEvents(r.Context(), f)
	if err != nil {
		httpx.Internal(w, r, a.log, err)
		return
	}
	more := len(evs) > f.Limit
	if more {
		evs = evs[:f.Limit]
	}
	out := make([]eventView, 0, len(evs))
	for _, e := range evs {
		out = append(out, eventView{ID: e.ID, Type: e.Type, Created: e.CreatedAt.UTC(),
			Data: map[string]any{"object": json.RawMessage(e.Payload)}})
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"data": out, "hasMore": more})
}
