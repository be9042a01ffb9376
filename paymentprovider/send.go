package paymentprovider

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/failsafe-go/failsafe-go"
	"github.com/failsafe-go/failsafe-go/circuitbreaker"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/orderflow/orderflow/platform/tracing"
)

// maxAnswerBytes bounds the provider's answers.
const maxAnswerBytes = 1 << 20

// errMalformedAnswer marks an answer the client cannot read; it is not
// retried.
var errMalformedAnswer = errors.New("malformed answer from the payment provider")

// request is one HTTP request to the provider.
type request struct {
	method string
	path   string
	query  url.Values
	key    string // Idempotency-Key; empty for none
	body   []byte // JSON; nil for none
}

// errAttemptTimeout is an attempt that got no answer within
// Config.Timeout. It is retried, counts against the circuit and leaves the
// outcome unknown; its exchange may still be under way, holding its slot.
var errAttemptTimeout = errors.New("payment provider: no answer within the attempt's timeout")

// send makes one attempt: it waits its turn for a slot of the bulkhead,
// sends req and returns the answer with its body read, so that it outlives
// the attempt's context. It waits at most Config.Timeout for the answer
// and then returns errAttemptTimeout; the exchange itself goes on, holding
// its slot, until the answer has been read or Config.ExchangeTimeout cuts
// it off, so that the provider never handles more of our requests than the
// bulkhead allows. A late answer is dropped: the charge's idempotency key
// and the lookup that follows an ambiguous attempt make it harmless.
func (c *Client) send(ctx context.Context, req request) (*http.Response, error) {
	if err := ctx.Err(); err != nil {
		return nil, err // no new exchange for a caller that gave up
	}
	if err := c.slots.acquire(ctx); err != nil {
		return nil, err
	}
	type answer struct {
		resp *http.Response
		err  error
	}
	done := make(chan answer, 1)
	xctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.exchangeTimeout)
	go func() {
		defer c.slots.release()
		defer cancel()
		resp, err := c.exchange(xctx, req)
		done <- answer{resp, err}
	}()
	timer := time.NewTimer(c.timeout)
	defer timer.Stop()
	select {
	case a := <-done:
		return a.resp, a.err
	case <-timer.C:
		c.failures.note(nil, errAttemptTimeout)
		return nil, errAttemptTimeout
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// exchange sends req and reads its answer, under ctx alone.
func (c *Client) exchange(ctx context.Context, req request) (*http.Response, error) {
	target := c.base + req.path
	if len(req.query) > 0 {
		target += "?" + req.query.Encode()
	}
	var body io.Reader
	if req.body != nil {
		body = bytes.NewReader(req.body)
	}
	ctx, span := c.tracer.Start(ctx, "payment provider "+req.method+" "+req.path, trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(attribute.String("http.request.method", req.method), attribute.String("url.path", req.path)))
	defer span.End()
	hr, err := http.NewRequestWithContext(ctx, req.method, target, body)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidRequest, err)
	}
	tracing.Inject(ctx, propagation.HeaderCarrier(hr.Header))
	hr.Header.Set("Accept", "application/json, application/problem+json")
	if req.body != nil {
		hr.Header.Set("Content-Type", "application/json")
	}
	if req.key != "" {
		hr.Header.Set("Idempotency-Key", req.key)
	}
	c.counters.attempts.Add(1)
	c.counters.inFlight.Add(1)
	defer c.counters.inFlight.Add(-1)
	began := time.Now()
	resp, err := c.http.Do(hr)
	if err != nil {
		if ctx.Err() == nil {
			c.failures.note(nil, err)
		}
		span.SetStatus(codes.Error, err.Error())
		return nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswerBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read the answer: %w", err)
	}
	c.latency.observe(time.Since(began))
	c.failures.note(resp, nil)
	span.SetAttributes(attribute.Int("http.response.status_code", resp.StatusCode))
	if resp.StatusCode >= 500 {
		span.SetStatus(codes.Error, resp.Status)
	}
	if len(raw) > maxAnswerBytes {
		return nil, fmt.Errorf("%w: longer than %d bytes", errMalformedAnswer, maxAnswerBytes)
	}
	resp.Body = io.NopCloser(bytes.NewReader(raw))
	return resp, nil
}

// execute runs attempt under the client's policies. It returns the final
// answer when there is one to read: a 2xx, or a 4xx other than 429. It
// returns ErrCircuitOpen, ErrBulkheadFull, ErrUnavailable (after the
// retries) or the context's error otherwise.
func (c *Client) execute(ctx context.Context, attempt func(ctx context.Context) (*http.Response, error)) (*http.Response, error) {
	c.counters.calls.Add(1)
	resp, err := c.executor.WithContext(ctx).GetWithExecution(func(exec failsafe.Execution[*http.Response]) (*http.Response, error) {
		return attempt(exec.Context())
	})
	switch {
	case err == nil && !retryable(resp, nil):
		c.counters.answered.Add(1)
		return resp, nil
	case ctx.Err() != nil:
		return nil, ctx.Err()
	case errors.Is(err, circuitbreaker.ErrOpen):
		c.counters.rejectedByBreaker.Add(1)
		return nil, ErrCircuitOpen
	case errors.Is(err, ErrBulkheadFull):
		c.counters.rejectedByBulkhead.Add(1)
		return nil, ErrBulkheadFull
	case err != nil && !retryable(nil, err):
		return nil, err
	default:
		c.counters.unavailable.Add(1)
		return nil, fmt.Errorf("%w: %s", ErrUnavailable, describe(resp, err))
	}
}

// describe says what an attempt's outcome was, for errors and logs.
func describe(resp *http.Response, err error) string {
	if err != nil {
		return err.Error()
	}
	if resp == nil {
		return "no answer"
	}
	p := readProblem(resp)
	if p.Code == "" {
		return resp.Status
	}
	return fmt.Sprintf("%s %s: %s", resp.Status, p.Code, p.Detail)
}

// problem is the part of a problem+json answer the client reads.
type problem struct {
	Code        string `json:"code"`
	Detail      string `json:"detail"`
	DeclineCode string `json:"declineCode"`
	Charge      string `json:"charge"`
}

// readProblem decodes resp's body as a problem, leaving the body readable
// again; a body that is not one gives the zero problem.
func readProblem(resp *http.Response) problem {
	raw, _ := io.ReadAll(resp.Body)
	resp.Body = io.NopCloser(bytes.NewReader(raw))
	var p problem
	_ = json.Unmarshal(raw, &p)
	return p
}

// decodeAnswer decodes resp's JSON body into dst.
func decodeAnswer(resp *http.Response, dst any) error {
	if err := json.NewDecoder(resp.Body).Decode(dst); err != nil {
		return fmt.Errorf("%w: %s: %v", errMalformedAnswer, resp.Status, err)
	}
	return nil
}
