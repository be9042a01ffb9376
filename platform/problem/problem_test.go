package problem_test

import (
	"encoding/json"
	"math"
	"net/http"
	"net/http/httptest"
	"reflect"
	"testing"

	"github.com/orderflow/orderflow/platform/problem"
)

func TestDetailsMarshalJSON(t *testing.T) {
	tests := []struct {
		name string
		in   problem.Details
		want map[string]any
	}{
		{
			name: "defaults from the status",
			in:   problem.Details{Status: http.StatusNotFound},
			want: map[string]any{"type": "about:blank", "title": "Not Found", "status": 404.0},
		},
		{
			name: "every member",
			in: problem.Details{
				Type: "https://orderflow.example/problems/out-of-stock", Title: "Out of stock", Status: 409,
				Detail: "sku A-1 has 0 left", Instance: "/api/v1/orders/7",
			},
			want: map[string]any{
				"type": "https://orderflow.example/problems/out-of-stock", "title": "Out of stock", "status": 409.0,
				"detail": "sku A-1 has 0 left", "instance": "/api/v1/orders/7",
			},
		},
		{
			name: "extensions beside, never over, the standard members",
			in: problem.Details{Status: 503, Extensions: map[string]any{
				"checks": map[string]string{"database": "ok"}, "status": 200, "title": "x", "detail": "y",
			}},
			want: map[string]any{
				"type": "about:blank", "title": "Service Unavailable", "status": 503.0,
				"checks": map[string]any{"database": "ok"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := json.Marshal(tt.in)
			if err != nil {
				t.Fatalf("marshal: %v", err)
			}
			var got map[string]any
			if err := json.Unmarshal(b, &got); err != nil {
				t.Fatalf("unmarshal %s: %v", b, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %s, want %v", b, tt.want)
			}
		})
	}
}

func TestWrite(t *testing.T) {
	rec := httptest.NewRecorder()
	problem.Write(rec, problem.Details{Status: http.StatusConflict, Detail: "stale revision"})
	if rec.Code != http.StatusConflict {
		t.Errorf("status = %d, want 409", rec.Code)
	}
	if got := rec.Header().Get("Content-Type"); got != "application/problem+json" {
		t.Errorf("Content-Type = %q", got)
	}
	want := `{"detail":"stale revision","status":409,"title":"Conflict","type":"about:blank"}` + "\n"
	if rec.Body.String() != want {
		t.Errorf("body = %q, want %q", rec.Body.String(), want)
	}
}

func TestWriteUnencodableExtension(t *testing.T) {
	rec := httptest.NewRecorder()
	problem.Write(rec, problem.Details{Status: http.StatusBadRequest, Extensions: map[string]any{"x": math.Inf(1)}})
	if rec.Code != http.StatusInternalServerError {
		t.Errorf("status = %d, want 500", rec.Code)
	}
}
