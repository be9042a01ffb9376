package report

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/orderflow/orderflow/platform/problem"
)

// Path is where cmd/orderflow serves Handler (admins only).
const Path = "/api/v1/admin/payment-provider"

// Handler answers GET with the reports of the live processes:
// {"clients": [...]}, each with the circuit state, bulkhead use, counters
// and recent failures. Reports older than maxAge are left out.
func Handler(pool *pgxpool.Pool, maxAge time.Duration, logger *slog.Logger) http.Handler {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet {
			w.Header().Set("Allow", http.MethodGet)
			problem.Write(w, problem.Details{Status: http.StatusMethodNotAllowed})
			return
		}
		reports, err := Read(r.Context(), pool, maxAge)
		if err != nil && problem.Transient(err) {
			logger.WarnContext(r.Context(), "payment provider reports not served, service briefly unavailable; the client may retry", "err", err)
			problem.WriteUnavailable(w, r.URL.Path)
			return
		}
		if err != nil {
			logger.ErrorContext(r.Context(), "payment provider reports", "err", err)
			problem.Write(w, problem.Details{Type: "urn:orderflow:problem:internal", Status: http.StatusInternalServerError,
				Detail: "the request failed; the server log has the details"})
			return
		}
		if reports == nil {
			reports = []Report{}
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		_ = json.NewEncoder(w).Encode(map[string]any{"clients": reports})
	})
}
