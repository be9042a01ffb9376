package requestid_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/orderflow/orderflow/platform/auth"
	"github.com/orderflow/orderflow/platform/logtest"
	"github.com/orderflow/orderflow/platform/requestid"
)

func TestLogHandlerAddsRequestIDAndUser(t *testing.T) {
	var logs logtest.Sink
	logger := slog.New(requestid.NewLogHandler(slog.NewJSONHandler(&logs, nil))).With("component", "api")
	secret := []byte("0123456789abcdef0123456789abcdef-test")
	v, err := auth.NewVerifier(auth.Config{Secret: secret, Issuer: "orderflow", Audience: "orderflow-api"})
	if err != nil {
		t.Fatal(err)
	}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		logger.InfoContext(r.Context(), "handled", "path", r.URL.Path)
		logger.WithGroup("db").InfoContext(r.Context(), "queried", "rows", 1)
	})
	srv := httptest.NewServer(requestid.Middleware(v.Middleware(h)))
	defer srv.Close()

	token, err := auth.Mint(secret, "orderflow", "orderflow-api", "c-9", auth.RoleCustomer, time.Hour, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	for _, req := range []struct{ id, authorization string }{{"req-1", "Bearer " + token}, {"req-2", ""}} {
		r, err := http.NewRequest(http.MethodGet, srv.URL+"/orders", nil)
		if err != nil {
			t.Fatal(err)
		}
		r.Header.Set(requestid.Header, req.id)
		if req.authorization != "" {
			r.Header.Set("Authorization", req.authorization)
		}
		resp, err := http.DefaultClient.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}

	lines := logs.Records(t)
	if len(lines) != 4 {
		t.Fatalf("%d log lines, want 4: %v", len(lines), lines)
	}
	handled, grouped := lines[0], lines[1]
	if handled["request_id"] != "req-1" || handled["user"] != "c-9" || handled["component"] != "api" || handled["path"] != "/orders" {
		t.Errorf("authenticated request's line %v, want request_id req-1 and user c-9 beside its own attributes", handled)
	}
	db, _ := grouped["db"].(map[string]any)
	if db["request_id"] != "req-1" || db["user"] != "c-9" || db["rows"] != 1.0 {
		t.Errorf("grouped line %v, want request_id and user in the group", grouped)
	}
	if anon := lines[2]; anon["request_id"] != "req-2" || anon["user"] != nil {
		t.Errorf("anonymous request's line %v, want request_id req-2 and no user", anon)
	}
}

func TestLogHandlerLeavesOtherRecordsAlone(t *testing.T) {
	var logs logtest.Sink
	logger := slog.New(requestid.NewLogHandler(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelWarn})))
	logger.InfoContext(requestid.NewContext(context.Background(), "req-x"), "below the level")
	logger.Warn("no context")
	lines := logs.Records(t)
	if len(lines) != 1 || lines[0]["msg"] != "no context" || lines[0]["request_id"] != nil || lines[0]["user"] != nil {
		t.Fatalf("lines %v, want only the warning, without request_id or user", lines)
	}
}

func TestAttr(t *testing.T) {
	if a := requestid.Attr(context.Background()); !a.Equal(slog.Attr{}) {
		t.Errorf("Attr without an id = %v, want the empty Attr", a)
	}
	a := requestid.Attr(requestid.NewContext(context.Background(), "req-7"))
	if a.Key != "request_id" || a.Value.String() != "req-7" {
		t.Errorf("Attr = %v, want request_id=req-7", a)
	}
}
