// Package dnstest is a DNS server on loopback for tests: it answers the
// CNAME and TXT records a test sets, over UDP and TCP.
package dnstest

import (
	"net"
	"strings"
	"sync"
	"testing"

	"github.com/miekg/dns"
)

// Server answers from its records.
type Server struct {
	// Addr is its host:port (UDP and TCP).
	Addr  string
	mu    sync.Mutex
	cname map[string]string
	txt   map[string][]string
}

// Start runs a server until the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	s := &Server{cname: map[string]string{}, txt: map[string][]string{}}
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("dns: %v", err)
	}
	ln, err := net.Listen("tcp", pc.LocalAddr().String())
	if err != nil {
		t.Fatalf("dns: %v", err)
	}
	s.Addr = pc.LocalAddr().String()
	udp := &dns.Server{PacketConn: pc, Handler: dns.HandlerFunc(s.answer)}
	tcp := &dns.Server{Listener: ln, Handler: dns.HandlerFunc(s.answer)}
	go udp.ActivateAndServe()                            //nolint:errcheck // ends with the test
	go tcp.ActivateAndServe()                            //nolint:errcheck // ends with the test
	t.Cleanup(func() { udp.Shutdown(); tcp.Shutdown() }) //nolint:errcheck // the test is over
	return s
}

func fqdn(name string) string { return dns.Fqdn(strings.ToLower(name)) }

// CNAME points name at target ("" removes it).
func (s *Server) CNAME(name, target string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if target == "" {
		delete(s.cname, fqdn(name))
		return
	}
	s.cname[fqdn(name)] = fqdn(target)
}

// TXT sets name's TXT records.
func (s *Server) TXT(name string, values ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.txt[fqdn(name)] = values
}

func (s *Server) answer(w dns.ResponseWriter, req *dns.Msg) {
	m := new(dns.Msg)
	m.SetReply(req)
	m.Authoritative = true
	s.mu.Lock()
	for _, q := range req.Question {
		name := strings.ToLower(q.Name)
		if target, ok := s.cname[name]; ok && (q.Qtype == dns.TypeCNAME || q.Qtype == dns.TypeA || q.Qtype == dns.TypeAAAA) {
			m.Answer = append(m.Answer, &dns.CNAME{Hdr: dns.RR_Header{Name: q.Name, Rrtype: dns.TypeCNAME, Class: dns.ClassINET, Ttl: 60}, Target: target})
			continue
		}
		if q.Qtype == dns.TypeTXT {
			for _, v := range s.txt[name] {
				m.Answer = append(m.Answer, &dns.TXT{Hdr: dns.RR_Header{Name: q.Name, Rrtype: dns.TypeTXT, Class: dns.ClassINET, Ttl: 60}, Txt: []string{v}})
			}
		}
	}
	s.mu.Unlock()
	if len(m.Answer) == 0 {
		m.Rcode = dns.RcodeNameError
	}
	w.WriteMsg(m) //nolint:errcheck // the client went away
}
