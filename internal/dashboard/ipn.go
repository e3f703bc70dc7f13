package dashboard

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/pgw/pgw/internal/ids"
	"github.com/pgw/pgw/internal/notify"
	"github.com/pgw/pgw/internal/store"
	"github.com/pgw/pgw/internal/tenant"
)

// setIPNVersion moves a site's notifications to IPN version 1 or 2.
func (d *Dashboard) setIPNVersion(w http.ResponseWriter, r *http.Request, s *signedIn) {
	id := r.PathValue("id")
	v, err := strconv.Atoi(r.PostFormValue("ipn_version"))
	if err != nil || (v != tenant.IPNv1 && v != tenant.IPNv2) {
		d.renderSite(w, r, s, http.StatusUnprocessableEntity, nil, "Choose IPN version 1 or 2.")
		return
	}
	if _, err := d.store.UpdateSite(r.Context(), s.orgID, id, store.SiteSettings{IPNVersion: &v}); err != nil {
		d.fail(w, r, s, err)
		return
	}
	d.log.Info("IPN version changed from the dashboard", "site", id, "version", v, "user", s.user.ID)
	d.back(w, r, s, "/dashboard/sites/"+url.PathEscape(id)+"#ipn", fmt.Sprintf("Notifications now speak IPN version %d.", v), "")
}

// sendIPNTest posts a signed v2 test notification to a URL the operator
// names and shows the answer. Like every notification it reaches only public
// addresses unless the configuration allows others.
func (d *Dashboard) sendIPNTest(w http.ResponseWriter, r *http.Request, s *signedIn) {
	id := r.PathValue("id")
	back := "/dashboard/sites/" + url.PathEscape(id) + "#ipn"
	site, err := d.store.GetSite(r.Context(), s.orgID, id)
	if err != nil {
		d.fail(w, r, s, err)
		return
	}
	target := strings.TrimSpace(r.PostFormValue("url"))
	if u, err := url.Parse(target); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || len(target) > 2048 {
		d.back(w, r, s, back, "", "The test notification needs the absolute http or https URL of the shop's IPN endpoint.")
		return
	}
	status, answer, elapsed, err := d.postIPNTest(r.Context(), site, target)
	if err != nil {
		d.back(w, r, s, back, "", "The test notification could not be delivered: "+err.Error()+".")
		return
	}
	msg := fmt.Sprintf("Test notification answered HTTP %d in %d ms: %q.", status, elapsed.Milliseconds(), answer)
	if status >= 400 && status < 500 {
		msg += " The official plugins do not support test notifications yet, so a 4xx from them is expected and does not mean notifications fail."
	}
	d.back(w, r, s, back, msg, "")
}

// maxTestAnswer is how much of the answer is shown.
const maxTestAnswer = 300

func (d *Dashboard) postIPNTest(ctx context.Context, site *tenant.Site, target string) (int, string, time.Duration, error) {
	now := d.opts.Now()
	deliveryID := "test." + ids.Token(20)
	body, err := json.Marshal(notify.IPNTest{SchemaVersion: 2, EventType: "ipn.test", DeliveryID: deliveryID,
		OccurredAt: now.UTC().Format(time.RFC3339)})
	if err != nil {
		return 0, "", 0, err
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, strings.NewReader(string(body)))
	if err != nil {
		return 0, "", 0, fmt.Errorf("bad URL")
	}
	current, previous := site.SigningSecrets(now)
	ts := now.Unix()
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(notify.HeaderTimestamp, strconv.FormatInt(ts, 10))
	req.Header.Set(notify.HeaderSignature, notify.Sign(current, ts, body))
	if previous != "" {
		req.Header.Set(notify.HeaderPreviousSignature, notify.Sign(previous, ts, body))
	}
	req.Header.Set(notify.HeaderIPNVersion, "2")
	req.Header.Set(notify.HeaderIPNDeliveryID, deliveryID)
	start := time.Now()
	resp, err := d.notifyClient.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return 0, "", 0, fmt.Errorf("no answer within 10 seconds")
		}
		return 0, "", 0, fmt.Errorf("%s", strings.TrimPrefix(err.Error(), "Post \""+target+"\": "))
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, maxTestAnswer))
	return resp.StatusCode, strings.ToValidUTF8(string(answer), "?"), time.Since(start), nil
}
