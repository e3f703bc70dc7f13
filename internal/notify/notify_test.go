package notify

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/netip"
	"strconv"
	"testing"
	"time"
)

func TestSignMatchesIndependentHMAC(t *testing.T) {
	secret, body, ts := "whsec_abc", []byte(`{"id":"txn_1","externalReference":"1042","status":1}`), int64(1763700000)
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(strconv.FormatInt(ts, 10) + "." + string(body)))
	if got, want := Sign(secret, ts, body), hex.EncodeToString(m.Sum(nil)); got != want {
		t.Fatalf("Sign = %s, want %s", got, want)
	}
	now := time.Unix(ts, 0)
	sig := Sign(secret, ts, body)
	if !Verify(secret, strconv.FormatInt(ts, 10), sig, body, now.Add(299*time.Second), 300*time.Second) {
		t.Fatal("fresh signature refused")
	}
	for name, ok := range map[string]bool{
		"old":       Verify(secret, strconv.FormatInt(ts, 10), sig, body, now.Add(301*time.Second), 300*time.Second),
		"future":    Verify(secret, strconv.FormatInt(ts, 10), sig, body, now.Add(-301*time.Second), 300*time.Second),
		"body":      Verify(secret, strconv.FormatInt(ts, 10), sig, append(body, ' '), now, 300*time.Second),
		"secret":    Verify("whsec_abd", strconv.FormatInt(ts, 10), sig, body, now, 300*time.Second),
		"timestamp": Verify(secret, "x", sig, body, now, 300*time.Second),
	} {
		if ok {
			t.Errorf("%s: bad signature accepted", name)
		}
	}
}

func TestBackoff(t *testing.T) {
	base, max := 10*time.Second, time.Hour
	for attempt, want := range map[int]time.Duration{1: 10 * time.Second, 2: 20 * time.Second, 5: 160 * time.Second, 12: time.Hour, 40: time.Hour} {
		for range 50 {
			d := Backoff(attempt, base, max)
			if d < want/2 || d > want {
				t.Fatalf("attempt %d: %s not in [%s, %s]", attempt, d, want/2, want)
			}
		}
	}
	seen := map[time.Duration]bool{}
	for range 20 {
		seen[Backoff(3, base, max)] = true
	}
	if len(seen) < 5 {
		t.Fatal("no jitter")
	}
}

func TestPublic(t *testing.T) {
	for addr, want := range map[string]bool{
		"93.184.216.34": true, "2606:2800:220:1:248:1893:25c8:1946": true,
		"127.0.0.1": false, "10.1.2.3": false, "172.16.0.1": false, "192.168.1.1": false,
		"169.254.169.254": false, "100.64.0.1": false, "0.0.0.0": false, "::1": false,
		"fd00::1": false, "fe80::1": false, "::ffff:127.0.0.1": false, "224.0.0.1": false,
		"64:ff9b::a00:1": false, "64:ff9b::7f00:1": false, "2002:a00:1::1": false, "2001:0:a00:1::1": false,
		"198.18.0.1": false, "198.19.255.255": false, "100.127.255.255": false, "239.255.255.250": false,
		"ff02::1": false, "ff05::2": false, "240.0.0.1": false, "255.255.255.255": false, "192.0.0.8": false,
		"203.0.113.7": false, "2001:db8::1": false, "100.63.255.255": true, "198.20.0.1": true, "2003::1": true,
	} {
		if got := Public(netip.MustParseAddr(addr)); got != want {
			t.Errorf("Public(%s) = %v", addr, got)
		}
	}
}
