package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/orderflow/orderflow/platform/logtest"
)

func TestPaymentSettings(t *testing.T) {
	tests := []struct {
		name    string
		want    settings
		args    []string
		env     map[string]string
		addr    string
		payment string
	}{
		{name: "defaults", want: withSandbox | withPaymentProvider, addr: "127.0.0.1:8081", payment: "http://127.0.0.1:8081"},
		{
			name: "environment", want: withSandbox | withPaymentProvider,
			env:  map[string]string{"ORDERFLOW_SANDBOX_ADDR": "0.0.0.0:9001", "PAYMENT_PROVIDER_URL": "https://pay.example", "ORDERFLOW_ADDR": ":1"},
			addr: "0.0.0.0:9001", payment: "https://pay.example",
		},
		{
			name: "flags win", want: withSandbox | withPaymentProvider,
			args: []string{"--addr", ":2", "--payment-provider-url", "http://flag"},
			env:  map[string]string{"ORDERFLOW_SANDBOX_ADDR": "0.0.0.0:9001", "PAYMENT_PROVIDER_URL": "https://pay.example"},
			addr: ":2", payment: "http://flag",
		},
		{name: "not asked for", want: 0, env: map[string]string{"ORDERFLOW_SANDBOX_ADDR": ":3", "PAYMENT_PROVIDER_URL": "http://x"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := loadConfig("test", tt.want, tt.args, envOf(tt.env), io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			if cfg.SandboxAddr != tt.addr || cfg.PaymentProviderURL != tt.payment {
				t.Fatalf("got %+v, want sandbox address %q and payment provider %q", cfg, tt.addr, tt.payment)
			}
		})
	}
}

// TestPaymentsSandbox runs `orderflow payments-sandbox`, charges through it,
// and stops it while it holds a charge's answer: the shutdown answers it.
func TestPaymentsSandbox(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	logs := &logtest.Sink{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"payments-sandbox", "--addr", "127.0.0.1:0"}, envOf(nil), io.Discard, logs)
	}()
	base := "http://" + logs.WaitFor(t, "http server listening", 30*time.Second)["addr"].(string)

	post := func(path, key, body string) (*http.Response, error) {
		req, err := http.NewRequest(http.MethodPost, base+path, bytes.NewReader([]byte(body)))
		if err != nil {
			return nil, err
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Idempotency-Key", key)
		return http.DefaultClient.Do(req)
	}
	resp, err := post("/v1/charges", "k1", `{"amount":1999,"currency":"EUR","reference":"order-1"}`)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("charge: %s", resp.Status)
	}

	req, _ := http.NewRequest(http.MethodPut, base+"/v1/sandbox/controls", bytes.NewReader([]byte(`{"timeoutAfterCharge":true}`)))
	req.Header.Set("Content-Type", "application/json")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	held := make(chan int, 1)
	go func() {
		resp, err := post("/v1/charges", "k2", `{"amount":500,"currency":"EUR","reference":"order-2"}`)
		if err != nil {
			held <- 0
			return
		}
		resp.Body.Close()
		held <- resp.StatusCode
	}()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var stats struct {
			ChargesMade int `json:"chargesMade"`
			InFlight    int `json:"inFlight"`
		}
		resp, err := http.Get(base + "/v1/sandbox/stats")
		if err != nil {
			t.Fatal(err)
		}
		err = json.NewDecoder(resp.Body).Decode(&stats)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		if stats.ChargesMade == 2 && stats.InFlight == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the second charge was never made and held: %+v", stats)
		}
		time.Sleep(10 * time.Millisecond)
	}

	cancel()
	if err := <-done; err != nil {
		t.Fatalf("payments-sandbox: %v", err)
	}
	if status := <-held; status != http.StatusCreated {
		t.Fatalf("the held charge was answered %d, want 201", status)
	}
	logs.WaitFor(t, "payments sandbox stopped", time.Second)
}
