package main

import (
	"errors"
	"flag"
	"io"
	"log/slog"
	"net/netip"
	"reflect"
	"testing"
	"time"
)

func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestLoadConfig(t *testing.T) {
	all := withDatabase | withEventStore | withHTTP
	tests := []struct {
		name string
		want settings
		args []string
		env  map[string]string
		cfg  Config
		err  error // matched with errors.Is; nil means success
	}{
		{
			name: "defaults",
			want: all,
			env:  map[string]string{"DATABASE_URL": "postgres://db"},
			cfg:  Config{DatabaseURL: "postgres://db", Addr: "127.0.0.1:8080", LogLevel: slog.LevelInfo},
		},
		{
			name: "environment",
			want: all,
			env: map[string]string{
				"DATABASE_URL": "postgres://db", "EVENTSTORE_URL": "esdb://es:2113?tls=false",
				"ORDERFLOW_ADDR": "0.0.0.0:9000", "ORDERFLOW_LOG_LEVEL": "debug",
			},
			cfg: Config{DatabaseURL: "postgres://db", EventStoreURL: "esdb://es:2113?tls=false", Addr: "0.0.0.0:9000", LogLevel: slog.LevelDebug},
		},
		{
			name: "flags win over the environment",
			want: all,
			args: []string{"--database-url", "postgres://flag", "--eventstore-url", "esdb://flag", "--addr", ":1", "--log-level", "WARN"},
			env: map[string]string{
				"DATABASE_URL": "postgres://env", "EVENTSTORE_URL": "esdb://env",
				"ORDERFLOW_ADDR": "0.0.0.0:9000", "ORDERFLOW_LOG_LEVEL": "debug",
			},
			cfg: Config{DatabaseURL: "postgres://flag", EventStoreURL: "esdb://flag", Addr: ":1", LogLevel: slog.LevelWarn},
		},
		{
			name: "a flag may empty EVENTSTORE_URL",
			want: all,
			args: []string{"--eventstore-url="},
			env:  map[string]string{"DATABASE_URL": "postgres://db", "EVENTSTORE_URL": "esdb://env"},
			cfg:  Config{DatabaseURL: "postgres://db", Addr: "127.0.0.1:8080"},
		},
		{
			name: "EventStoreDB's maximum append size",
			want: all,
			args: []string{"--eventstore-max-append-size", "4096"},
			env:  map[string]string{"DATABASE_URL": "postgres://db", "EVENTSTORE_MAX_APPEND_SIZE": "2097152"},
			cfg:  Config{DatabaseURL: "postgres://db", MaxAppendSize: 4096, Addr: "127.0.0.1:8080", LogLevel: slog.LevelInfo},
		},
		{
			name: "a maximum append size that is not a number of bytes",
			want: all,
			env:  map[string]string{"DATABASE_URL": "postgres://db", "EVENTSTORE_MAX_APPEND_SIZE": "2MiB"},
			err:  errBadEnv,
		},
		{
			name: "no database",
			want: all,
			err:  errMissingDatabase,
		},
		{
			name: "every role by default",
			want: all | withRoles,
			env:  map[string]string{"DATABASE_URL": "postgres://db"},
			cfg:  Config{DatabaseURL: "postgres://db", Addr: "127.0.0.1:8080", Roles: Roles{API: true, Projections: true, Sagas: true}, ChartsStep: 5 * time.Second},
		},
		{
			name: "roles from the environment",
			want: all | withRoles,
			env:  map[string]string{"DATABASE_URL": "postgres://db", "ORDERFLOW_ROLES": "sagas", "ORDERFLOW_CHARTS_STEP": "2s"},
			cfg:  Config{DatabaseURL: "postgres://db", Addr: "127.0.0.1:8080", Roles: Roles{Sagas: true}, ChartsStep: 2 * time.Second},
		},
		{
			name: "roles flag",
			want: all | withRoles,
			args: []string{"--roles", "api, projections"},
			env:  map[string]string{"DATABASE_URL": "postgres://db", "ORDERFLOW_ROLES": "sagas"},
			cfg:  Config{DatabaseURL: "postgres://db", Addr: "127.0.0.1:8080", Roles: Roles{API: true, Projections: true}, ChartsStep: 5 * time.Second},
		},
		{
			name: "gateway defaults",
			want: withGateway,
			cfg: Config{Addr: "127.0.0.1:8080", Gateway: Gateway{JWTIssuer: "orderflow", JWTAudience: "orderflow-api", DevSecretFile: ".data/dev-jwt-secret", RateLimit: 600, AnonymousRateLimit: 120, RateLimitRamp: time.Minute,
				RequestTimeout: 10 * time.Second, IdempotencyRetention: 24 * time.Hour, ReadWait: 2 * time.Second, TraceSampleRatio: 1}},
		},
		{
			name: "gateway environment and flags",
			want: withGateway,
			args: []string{"--insecure-dev", "--rate-limit", "30", "--rate-limit-anonymous", "7"},
			env: map[string]string{
				"ORDERFLOW_JWT_SECRET": "s", "ORDERFLOW_JWT_ISSUER": "iss", "ORDERFLOW_JWT_AUDIENCE": "aud", "ORDERFLOW_RATE_LIMIT": "100",
				"ORDERFLOW_RATE_LIMIT_ANONYMOUS": "50", "ORDERFLOW_GRAPHQL_MAX_RESPONSE_BYTES": "1048576",
				"ORDERFLOW_TRUSTED_PROXIES": "10.0.0.0/8, 192.168.1.7", "ORDERFLOW_CORS_ORIGINS": "https://a.example, https://b.example",
				"ORDERFLOW_REQUEST_TIMEOUT": "3s", "ORDERFLOW_GRAPHQL_INTROSPECTION": "true", "ORDERFLOW_READ_WAIT": "500ms", "ORDERFLOW_IDEMPOTENCY_RETENTION": "72h",
				"ORDERFLOW_RATE_LIMIT_RAMP":   "5s",
				"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318", "ORDERFLOW_TRACE_SAMPLE_RATIO": "0.25",
			},
			cfg: Config{Addr: "127.0.0.1:8080", Gateway: Gateway{JWTSecret: "s", JWTIssuer: "iss", JWTAudience: "aud", DevSecretFile: ".data/dev-jwt-secret", InsecureDev: true, RateLimit: 30, AnonymousRateLimit: 7, RateLimitRamp: 5 * time.Second, MaxResponseBytes: 1 << 20,
				TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("192.168.1.7/32")},
				CORSOrigins:    []string{"https://a.example", "https://b.example"}, RequestTimeout: 3 * time.Second, IdempotencyRetention: 72 * time.Hour, Introspection: true,
				ReadWait: 500 * time.Millisecond, OTLPEndpoint: "http://collector:4318", TraceSampleRatio: 0.25}},
		},
		{
			name: "payment provider defaults",
			want: withPaymentProvider,
			cfg: Config{Addr: "127.0.0.1:8080", PaymentProviderURL: "http://127.0.0.1:8081", PaymentTimeout: 5 * time.Minute,
				PaymentConcurrency: 32, PaymentQueueWait: 10 * time.Second},
		},
		{
			name: "payment provider environment and flags",
			want: withPaymentProvider,
			args: []string{"--order-capacity", "500"},
			env:  map[string]string{"ORDERFLOW_PAYMENT_CONCURRENCY": "30", "ORDERFLOW_PAYMENT_QUEUE_WAIT": "3s", "ORDERFLOW_ORDER_CAPACITY": "40"},
			cfg: Config{Addr: "127.0.0.1:8080", PaymentProviderURL: "http://127.0.0.1:8081", PaymentTimeout: 5 * time.Minute,
				PaymentConcurrency: 30, PaymentQueueWait: 3 * time.Second, OrderCapacity: 500},
		},
		{
			name: "carrier defaults",
			want: withCarrier,
			cfg: Config{Addr: "127.0.0.1:8080", Carrier: "DHL",
				ServedCountries: []string{"AT", "BE", "DE", "DK", "ES", "FR", "IE", "IT", "LU", "NL", "PL", "PT", "SE"}},
		},
		{
			name: "carrier environment and flags",
			want: withCarrier,
			args: []string{"--served-countries", "de, at,ch"},
			env:  map[string]string{"ORDERFLOW_CARRIER": "UPS", "ORDERFLOW_SERVED_COUNTRIES": "FR"},
			cfg:  Config{Addr: "127.0.0.1:8080", Carrier: "UPS", ServedCountries: []string{"DE", "AT", "CH"}},
		},
		{name: "bad served country", want: withCarrier, env: map[string]string{"ORDERFLOW_SERVED_COUNTRIES": "DE,Germany"}, err: errUsage},
		{name: "no served country", want: withCarrier, args: []string{"--served-countries", " , "}, err: errUsage},
		{name: "empty carrier", want: withCarrier, args: []string{"--carrier", " "}, err: errUsage},
		{name: "bad payment concurrency", want: withPaymentProvider, env: map[string]string{"ORDERFLOW_PAYMENT_CONCURRENCY": "0"}, err: errBadEnv},
		{name: "bad payment queue wait", want: withPaymentProvider, env: map[string]string{"ORDERFLOW_PAYMENT_QUEUE_WAIT": "-1s"}, err: errBadEnv},
		{name: "bad order capacity flag", want: withPaymentProvider, args: []string{"--order-capacity", "-1"}, err: errUsage},
		{name: "bad rate limit", want: withGateway, env: map[string]string{"ORDERFLOW_RATE_LIMIT": "-1"}, err: errBadEnv},
		{name: "bad anonymous rate limit", want: withGateway, env: map[string]string{"ORDERFLOW_RATE_LIMIT_ANONYMOUS": "0"}, err: errBadEnv},
		{name: "bad response cap", want: withGateway, env: map[string]string{"ORDERFLOW_GRAPHQL_MAX_RESPONSE_BYTES": "4MiB"}, err: errBadEnv},
		{name: "bad proxy", want: withGateway, env: map[string]string{"ORDERFLOW_TRUSTED_PROXIES": "proxy.local"}, err: errBadEnv},
		{name: "bad read wait", want: withGateway, env: map[string]string{"ORDERFLOW_READ_WAIT": "soon"}, err: errBadEnv},
		{name: "bad idempotency retention", want: withGateway, env: map[string]string{"ORDERFLOW_IDEMPOTENCY_RETENTION": "0s"}, err: errBadEnv},
		{name: "bad charts step", want: withRoles, env: map[string]string{"ORDERFLOW_CHARTS_STEP": "1500ms"}, err: errBadEnv},
		{name: "bad sample ratio", want: withGateway, env: map[string]string{"ORDERFLOW_TRACE_SAMPLE_RATIO": "2"}, err: errBadEnv},
		{name: "zero rate limit flag", want: withGateway, args: []string{"--rate-limit", "0"}, err: errUsage},
		{name: "zero anonymous rate limit flag", want: withGateway, args: []string{"--rate-limit-anonymous", "0"}, err: errUsage},
		{
			name: "unknown role",
			want: all | withRoles,
			args: []string{"--roles", "api,web"},
			env:  map[string]string{"DATABASE_URL": "postgres://db"},
			err:  errUsage,
		},
		{
			name: "no database needed",
			want: 0,
			cfg:  Config{Addr: "127.0.0.1:8080"},
		},
		{
			name: "bad log level in the environment",
			want: all,
			env:  map[string]string{"DATABASE_URL": "postgres://db", "ORDERFLOW_LOG_LEVEL": "loud"},
			err:  errBadEnv,
		},
		{
			name: "flag of another command",
			want: withDatabase,
			args: []string{"--addr", ":1"},
			env:  map[string]string{"DATABASE_URL": "postgres://db"},
			err:  errUsage,
		},
		{
			name: "stray argument",
			want: withDatabase,
			args: []string{"now"},
			env:  map[string]string{"DATABASE_URL": "postgres://db"},
			err:  errUsage,
		},
		{
			name: "help",
			want: all,
			args: []string{"-h"},
			err:  flag.ErrHelp,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := loadConfig("test", tt.want, tt.args, envOf(tt.env), io.Discard)
			if tt.err != nil {
				if !errors.Is(err, tt.err) {
					t.Fatalf("err = %v, want %v", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("loadConfig: %v", err)
			}
			if !reflect.DeepEqual(cfg, tt.cfg) {
				t.Errorf("got %+v, want %+v", cfg, tt.cfg)
			}
		})
	}
}
