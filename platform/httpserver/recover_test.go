package httpserver_test

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/orderflow/orderflow/platform/httpserver"
)

func TestRecoverAnswers500AndLogs(t *testing.T) {
	var logs bytes.Buffer
	h := httpserver.Recover(slog.New(slog.NewJSONHandler(&logs, nil)))(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		panic("boom")
	}))
	srv := httptest.NewServer(h)
	defer srv.Close()

	resp, err := http.Get(srv.URL + "/orders")
	if err != nil {
		t.Fatalf("GET: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusInternalServerError || resp.Header.Get("Content-Type") != "application/problem+json" {
		t.Errorf("got %d %s %s, want a 500 problem", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	if !strings.Contains(logs.String(), `"msg":"handler panicked"`) || !strings.Contains(logs.String(), `"panic":"boom"`) {
		t.Errorf("logs = %s, want the panic logged", logs.String())
	}
}

func TestRecoverLetsAbortHandlerThrough(t *testing.T) {
	defer func() {
		if v := recover(); v != http.ErrAbortHandler {
			t.Errorf("recovered %v, want http.ErrAbortHandler to pass through", v)
		}
	}()
	h := httpserver.Recover(slog.New(slog.NewTextHandler(io.Discard, nil)))(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		panic(http.ErrAbortHandler)
	}))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil))
}
