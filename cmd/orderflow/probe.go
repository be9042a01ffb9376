package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode"
)

// Defaults of orderflow probe: serve's readiness endpoint at serve's
// default address, and a timeout within the usual health-check timeout of
// a container runtime.
const (
	defaultProbeURL     = "http://" + defaultAddr + "/readyz"
	defaultProbeTimeout = 3 * time.Second
	// probeBodyLimit is how much of a failed answer's body is read for
	// the reason.
	probeBodyLimit = 4 << 10
	// probeReasonLimit caps the part of the reason taken from a body that
	// is not problem+json.
	probeReasonLimit = 200
)

// runProbe is `orderflow probe [--url URL] [--timeout D]`: the health check
// of a container with no curl or wget in it. It GETs URL once, without
// following redirects or using a proxy, and returns nil when the answer is
// a 2xx. Otherwise it returns an error whose message is one line saying why:
// the status and the problem's detail (or the start of the body, or where a
// redirect points), the connection error, or that no answer came within the
// timeout. It prints
// nothing on success and reads no environment variable.
func runProbe(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("orderflow probe", flag.ContinueOnError)
	fs.SetOutput(stderr)
	rawURL := fs.String("url", defaultProbeURL, "URL to GET; a 2xx answer is healthy")
	timeout := fs.Duration("timeout", defaultProbeTimeout, "how long to wait for the answer, connecting included")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	bad := func(format string, args ...any) error {
		msg := fmt.Sprintf(format, args...)
		fmt.Fprintf(stderr, "orderflow probe: %s\n", msg)
		fs.Usage()
		return fmt.Errorf("%w: %s", errUsage, msg)
	}
	if fs.NArg() > 0 {
		return bad("unexpected argument %q", fs.Arg(0))
	}
	u, err := url.Parse(*rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return bad("--url %q: want an absolute http or https URL", *rawURL)
	}
	if *timeout <= 0 {
		return bad("--timeout %s: want a positive duration", *timeout)
	}
	return probe(ctx, u.String(), *timeout)
}

// probe GETs rawURL and returns nil on a 2xx answer within timeout, and an
// error of one line saying why not otherwise.
func probe(ctx context.Context, rawURL string, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return fmt.Errorf("probe %s: %w", rawURL, err)
	}
	req.Header.Set("Accept", "application/json, application/problem+json")
	client := &http.Client{
		// A health endpoint answers itself; a redirect is a wrong URL.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		// No proxy: the endpoint is this container's or a neighbour's.
		Transport: &http.Transport{Proxy: nil, DisableKeepAlives: true},
	}
	resp, err := client.Do(req)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			return fmt.Errorf("probe %s: no answer within %s", rawURL, timeout)
		}
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err // the URL is already in the message
		}
		return fmt.Errorf("probe %s: %w", rawURL, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 200 && resp.StatusCode <= 299 {
		return nil
	}
	reason := resp.Status
	if loc := resp.Header.Get("Location"); loc != "" && resp.StatusCode >= 300 && resp.StatusCode <= 399 {
		reason += ": redirect to " + oneLine(loc, probeReasonLimit)
	} else {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, probeBodyLimit))
		if why := bodyReason(body); why != "" {
			reason += ": " + why
		}
	}
	return fmt.Errorf("probe %s: %s", rawURL, reason)
}

// bodyReason returns what a failed answer's body says, on one line: the
// detail (else the title) of a problem+json body, else the start of the
// body with its whitespace and control characters collapsed.
func bodyReason(body []byte) string {
	var p struct {
		Title  string `json:"title"`
		Detail string `json:"detail"`
	}
	if json.Unmarshal(body, &p) == nil && (p.Detail != "" || p.Title != "") {
		if p.Detail != "" {
			return oneLine(p.Detail, probeBodyLimit)
		}
		return oneLine(p.Title, probeBodyLimit)
	}
	return oneLine(string(body), probeReasonLimit)
}

// oneLine collapses runs of whitespace and control characters in s to one
// space and cuts the result to at most limit runes, marking a cut with "…".
func oneLine(s string, limit int) string {
	s = strings.Join(strings.FieldsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }), " ")
	if r := []rune(s); len(r) > limit {
		return string(r[:limit]) + "…"
	}
	return s
}
