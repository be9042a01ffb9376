package main

import (
	"bufio"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/orderflow/orderflow/platform/dbtest"
)

// runMainEnv makes the test binary act as orderflow itself (see TestMain),
// so tests can send it real signals.
const runMainEnv = "ORDERFLOW_TEST_RUN_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(runMainEnv) == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func TestSignalsShutDownGracefully(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			dbURL := dbtest.New(t)
			cmd := exec.Command(os.Args[0], "serve", "--addr", "127.0.0.1:0")
			cmd.Env = append(os.Environ(), runMainEnv+"=1", "DATABASE_URL="+dbURL, "EVENTSTORE_URL=", "ORDERFLOW_JWT_SECRET="+testJWTSecret)
			stderr, err := cmd.StderrPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = cmd.Process.Kill() })

			lines := make(chan map[string]any, 100)
			go func() {
				defer close(lines)
				sc := bufio.NewScanner(stderr)
				for sc.Scan() {
					var rec map[string]any
					if json.Unmarshal(sc.Bytes(), &rec) == nil {
						lines <- rec
					}
				}
			}()
			next := func(msg string) map[string]any {
				t.Helper()
				timeout := time.After(30 * time.Second)
				for {
					select {
					case rec, ok := <-lines:
						if !ok {
							t.Fatalf("orderflow exited before logging %q", msg)
						}
						if rec["msg"] == msg {
							return rec
						}
					case <-timeout:
						t.Fatalf("no %q log within 30s", msg)
					}
				}
			}

			addr := next("http server listening")["addr"].(string)
			resp, err := http.Get("http://" + addr + "/healthz")
			if err != nil || resp.StatusCode != http.StatusOK {
				t.Fatalf("/healthz: %v %v", resp, err)
			}
			resp.Body.Close()

			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			next("orderflow stopped")
			for range lines { // drain until stderr closes
			}
			if err := cmd.Wait(); err != nil {
				t.Fatalf("orderflow exited with %v after %v, want status 0", err, sig)
			}
			if _, err := http.Get("http://" + addr + "/healthz"); err == nil || !strings.Contains(err.Error(), "refused") {
				t.Errorf("after shutdown /healthz gave err %v, want connection refused", err)
			}
		})
	}
}
