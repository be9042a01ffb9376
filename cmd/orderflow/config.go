package main

import (
	"cmp"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/orderflow/orderflow/charts"
	"github.com/orderflow/orderflow/paymentprovider"
	"github.com/orderflow/orderflow/write/api"
)

// Environment variables orderflow reads, all here and nowhere else.
const (
	envDatabaseURL    = "DATABASE_URL"
	envEventStoreURL  = "EVENTSTORE_URL"
	envMaxAppendSize  = "EVENTSTORE_MAX_APPEND_SIZE"
	envAddr           = "ORDERFLOW_ADDR"
	envLogLevel       = "ORDERFLOW_LOG_LEVEL"
	envDemo           = "ORDERFLOW_DEMO"
	envSandboxAddr    = "ORDERFLOW_SANDBOX_ADDR"
	envPaymentTimeout = "ORDERFLOW_PAYMENT_TIMEOUT"
	envPaymentURL     = "PAYMENT_PROVIDER_URL"
	envPaymentSlots   = "ORDERFLOW_PAYMENT_CONCURRENCY"
	envPaymentWait    = "ORDERFLOW_PAYMENT_QUEUE_WAIT"
	envOrderCapacity  = "ORDERFLOW_ORDER_CAPACITY"
	envRoles          = "ORDERFLOW_ROLES"
	envCarrier        = "ORDERFLOW_CARRIER"
	envCountries      = "ORDERFLOW_SERVED_COUNTRIES"
	envChartsStep     = "ORDERFLOW_CHARTS_STEP"

	envJWTSecret        = "ORDERFLOW_JWT_SECRET"
	envJWTPublicKeyFile = "ORDERFLOW_JWT_PUBLIC_KEY_FILE"
	envJWTIssuer        = "ORDERFLOW_JWT_ISSUER"
	envJWTAudience      = "ORDERFLOW_JWT_AUDIENCE"
	envRateLimit        = "ORDERFLOW_RATE_LIMIT"
	envAnonRateLimit    = "ORDERFLOW_RATE_LIMIT_ANONYMOUS"
	envRateLimitRamp    = "ORDERFLOW_RATE_LIMIT_RAMP"
	envMaxResponseBytes = "ORDERFLOW_GRAPHQL_MAX_RESPONSE_BYTES"
	envTrustedProxies   = "ORDERFLOW_TRUSTED_PROXIES"
	envCORSOrigins      = "ORDERFLOW_CORS_ORIGINS"
	envRequestTimeout   = "ORDERFLOW_REQUEST_TIMEOUT"
	envIdempotencyKeep  = "ORDERFLOW_IDEMPOTENCY_RETENTION"
	envIntrospection    = "ORDERFLOW_GRAPHQL_INTROSPECTION"
	envReadWait         = "ORDERFLOW_READ_WAIT"
	envOTLPEndpoint     = "OTEL_EXPORTER_OTLP_ENDPOINT"
	envTraceSampleRatio = "ORDERFLOW_TRACE_SAMPLE_RATIO"
)

// Gateway defaults.
const (
	defaultRateLimit      = 600 // requests per minute per client
	defaultAnonRateLimit  = 120 // requests per minute per anonymous client (address)
	defaultRequestTimeout = 10 * time.Second
	defaultReadWait       = 2 * time.Second
)

// defaultAddr is where serve listens when neither --addr nor ORDERFLOW_ADDR
// says otherwise.
const defaultAddr = "127.0.0.1:8080"

// defaultSandboxAddr is where payments-sandbox listens by default, and
// defaultPaymentURL where the payment provider is looked for: the same
// place, so the two meet with no configuration.
const (
	defaultSandboxAddr = "127.0.0.1:8081"
	defaultPaymentURL  = "http://" + defaultSandboxAddr
	// defaultPaymentTimeout is how long a payment may take by default.
	defaultPaymentTimeout = 5 * time.Minute
)

// The shipping carrier the saga books by default, and the countries it
// delivers to.
const (
	defaultCarrier   = "DHL"
	defaultCountries = "AT,BE,DE,DK,ES,FR,IE,IT,LU,NL,PL,PT,SE"
)

// Config is orderflow's configuration. A flag wins over its environment
// variable, which wins over the default.
type Config struct {
	// DatabaseURL locates the PostgreSQL database of read models, migrations
	// and, unless EventStoreURL is set, events.
	DatabaseURL string
	// EventStoreURL is the EventStoreDB connection string; empty means the
	// PostgreSQL event store.
	EventStoreURL string
	// MaxAppendSize is EventStoreDB's maximum append size in bytes, the
	// server's own setting of the same name; zero means the server's
	// default. A batch of commands over it is appended in smaller parts.
	MaxAppendSize int
	// Addr is the HTTP listen address of serve.
	Addr string
	// LogLevel is the least severe level logged.
	LogLevel slog.Level
	// Demo makes serve put demo products and stock in the catalog.
	Demo bool
	// SandboxAddr is the HTTP listen address of payments-sandbox.
	SandboxAddr string
	// PaymentProviderURL is the base URL of the payment provider the
	// saga charges and refunds through.
	PaymentProviderURL string
	// PaymentTimeout is how long after an order is placed its payment may
	// take before the saga gives up and compensates.
	PaymentTimeout time.Duration
	// PaymentConcurrency is the payment client's bulkhead: the most
	// requests in flight to the provider from this process. It should be
	// the provider's rate limit times its latency (Little's law; see
	// package paymentprovider); default paymentprovider.DefaultMaxConcurrent.
	PaymentConcurrency int
	// PaymentQueueWait bounds how long a charge waits its turn for a slot
	// of the bulkhead before its step is parked; default
	// paymentprovider.DefaultMaxWait.
	PaymentQueueWait time.Duration
	// OrderCapacity, when positive, is the most orders in flight the API
	// accepts before it sheds new ones (503 overloaded); 0 derives it
	// from the saga processes' bulkheads, the provider's latency and
	// PaymentTimeout (see api.Shedder).
	OrderCapacity int
	// Carrier is the shipping carrier the saga books, and
	// ServedCountries the ISO 3166-1 alpha-2 codes of the countries it
	// delivers to; the saga compensates an order shipped elsewhere.
	Carrier         string
	ServedCountries []string
	// Roles are what serve runs.
	Roles Roles
	// ChartsStep is the interval of the console's charts: how often the
	// charts recorder samples, and what the charts count per; default
	// charts.DefaultStep. Every process of a deployment must agree.
	ChartsStep time.Duration
	// Gateway configures what stands in front of the APIs.
	Gateway Gateway
}

// Gateway is the configuration of authentication, rate limits, CORS,
// timeouts, the GraphQL API and tracing.
type Gateway struct {
	// JWTSecret is the HS256 key tokens are signed with;
	// JWTPublicKeyFile a PEM file holding an RS256 or Ed25519 public key
	// instead. With neither, serve refuses to start unless InsecureDev.
	JWTSecret        string
	JWTPublicKeyFile string
	JWTIssuer        string
	JWTAudience      string
	// InsecureDev lets serve start without a configured key: it signs
	// with the development secret kept in DevSecretFile (made once,
	// reused after) and logs an admin and a customer token signed with it.
	InsecureDev bool
	// DevSecretFile is the file of the development secret.
	DevSecretFile string
	// RateLimit is requests per minute per client.
	RateLimit int
	// AnonymousRateLimit is requests per minute per client without a
	// token, counted by address.
	AnonymousRateLimit int
	// RateLimitRamp is how long an api process's share of the limits,
	// shared with the other api processes, takes to grow when it joins
	// them or they leave (ratelimit.ReplicasConfig.Ramp).
	RateLimitRamp time.Duration
	// MaxResponseBytes caps a GraphQL response body; zero means the read
	// package's default.
	MaxResponseBytes int
	// TrustedProxies are the peers whose X-Forwarded-For is believed.
	TrustedProxies []netip.Prefix
	// CORSOrigins are the origins browsers may call the APIs from; none
	// means no cross-origin access.
	CORSOrigins []string
	// RequestTimeout bounds each API request.
	RequestTimeout time.Duration
	// IdempotencyRetention is how long the command API keeps a response
	// to replay to retries of its Idempotency-Key.
	IdempotencyRetention time.Duration
	// Introspection enables GraphQL introspection.
	Introspection bool
	// ReadWait bounds how long a query waits for the projections to reach
	// the position in X-Min-Position.
	ReadWait time.Duration
	// OTLPEndpoint is the OTLP/HTTP collector spans go to; empty turns
	// tracing off. TraceSampleRatio is the share of new traces recorded.
	OTLPEndpoint     string
	TraceSampleRatio float64
}

// settings says which parts of Config a subcommand takes.
type settings uint16

const (
	withDatabase settings = 1 << iota
	withEventStore
	withHTTP
	withDemo
	// withSandbox takes --addr as payments-sandbox's address; never
	// together with withHTTP.
	withSandbox
	withPaymentProvider
	withRoles
	withGateway
	withCarrier
)

var (
	// errUsage marks a command line that could not be understood; the
	// usage has already been printed.
	errUsage = errors.New("usage")
	// errMissingDatabase means a command that needs PostgreSQL was given no
	// URL.
	errMissingDatabase = errors.New("no database: set " + envDatabaseURL + " or --database-url")
	// errBadEnv marks an environment variable whose value is malformed.
	errBadEnv = errors.New("bad environment variable")
)

// loadConfig reads the configuration of subcommand name from its flags
// (args) and the environment (getenv). It returns errUsage, wrapped, for
// bad flags, and flag.ErrHelp when help was asked for.
func loadConfig(name string, want settings, args []string, getenv func(string) string, stderr io.Writer) (Config, error) {
	cfg := Config{
		DatabaseURL:   getenv(envDatabaseURL),
		EventStoreURL: getenv(envEventStoreURL),
		Addr:          getenv(envAddr),
	}
	if cfg.Addr == "" {
		cfg.Addr = defaultAddr
	}
	if v := getenv(envDemo); v != "" {
		demo, err := strconv.ParseBool(v)
		if err != nil {
			return Config{}, fmt.Errorf("%w %s: %v", errBadEnv, envDemo, err)
		}
		cfg.Demo = demo
	}
	if lvl := getenv(envLogLevel); lvl != "" {
		if err := cfg.LogLevel.UnmarshalText([]byte(lvl)); err != nil {
			return Config{}, fmt.Errorf("%w %s: %v", errBadEnv, envLogLevel, err)
		}
	}

	fs := flag.NewFlagSet("orderflow "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.TextVar(&cfg.LogLevel, "log-level", cfg.LogLevel, "least severe level logged: debug, info, warn or error (env "+envLogLevel+")")
	if want&withDatabase != 0 {
		fs.StringVar(&cfg.DatabaseURL, "database-url", cfg.DatabaseURL, "PostgreSQL URL (env "+envDatabaseURL+")")
	}
	if want&withEventStore != 0 {
		fs.StringVar(&cfg.EventStoreURL, "eventstore-url", cfg.EventStoreURL, "EventStoreDB connection string; empty for the PostgreSQL event store (env "+envEventStoreURL+")")
		if err := positiveIntEnv(getenv, envMaxAppendSize, "number of bytes, the EventStoreDB server's setting", &cfg.MaxAppendSize); err != nil {
			return Config{}, err
		}
		fs.IntVar(&cfg.MaxAppendSize, "eventstore-max-append-size", cfg.MaxAppendSize, "EventStoreDB's maximum append size in bytes, as the server is configured; 0 for its default, 1 MiB (env "+envMaxAppendSize+")")
	}
	if want&withHTTP != 0 {
		fs.StringVar(&cfg.Addr, "addr", cfg.Addr, "HTTP listen address (env "+envAddr+")")
	}
	if want&withDemo != 0 {
		fs.BoolVar(&cfg.Demo, "demo", cfg.Demo, "put demo products and stock in the catalog at start-up (env "+envDemo+")")
	}
	if want&withSandbox != 0 {
		cfg.SandboxAddr = cmp.Or(getenv(envSandboxAddr), defaultSandboxAddr)
		fs.StringVar(&cfg.SandboxAddr, "addr", cfg.SandboxAddr, "HTTP listen address of the sandbox payment provider (env "+envSandboxAddr+")")
	}
	if want&withPaymentProvider != 0 {
		cfg.PaymentProviderURL = cmp.Or(getenv(envPaymentURL), defaultPaymentURL)
		fs.StringVar(&cfg.PaymentProviderURL, "payment-provider-url", cfg.PaymentProviderURL, "base URL of the payment provider (env "+envPaymentURL+")")
		cfg.PaymentTimeout = defaultPaymentTimeout
		if err := positiveDurationEnv(getenv, envPaymentTimeout, "5m", &cfg.PaymentTimeout); err != nil {
			return Config{}, err
		}
		fs.DurationVar(&cfg.PaymentTimeout, "payment-timeout", cfg.PaymentTimeout, "how long a payment may take before the order is compensated (env "+envPaymentTimeout+")")
		cfg.PaymentConcurrency, cfg.PaymentQueueWait = paymentprovider.DefaultMaxConcurrent, paymentprovider.DefaultMaxWait
		for name, n := range map[string]*int{envPaymentSlots: &cfg.PaymentConcurrency, envOrderCapacity: &cfg.OrderCapacity} {
			if v := getenv(name); v != "" {
				parsed, err := strconv.Atoi(v)
				if err != nil || parsed < 0 || (parsed == 0 && name == envPaymentSlots) {
					return Config{}, fmt.Errorf("%w %s: want a positive number, got %q", errBadEnv, name, v)
				}
				*n = parsed
			}
		}
		if err := positiveDurationEnv(getenv, envPaymentWait, "10s", &cfg.PaymentQueueWait); err != nil {
			return Config{}, err
		}
		fs.IntVar(&cfg.PaymentConcurrency, "payment-concurrency", cfg.PaymentConcurrency, "most requests in flight to the payment provider: its rate limit times its latency (env "+envPaymentSlots+")")
		fs.DurationVar(&cfg.PaymentQueueWait, "payment-queue-wait", cfg.PaymentQueueWait, "how long a charge waits its turn for the payment provider before its step is parked (env "+envPaymentWait+")")
		fs.IntVar(&cfg.OrderCapacity, "order-capacity", cfg.OrderCapacity, "most orders in flight before new ones are refused with 503; 0 derives it from the payment provider's observed latency (env "+envOrderCapacity+")")
	}
	countries := cmp.Or(getenv(envCountries), defaultCountries)
	if want&withCarrier != 0 {
		cfg.Carrier = cmp.Or(getenv(envCarrier), defaultCarrier)
		fs.StringVar(&cfg.Carrier, "carrier", cfg.Carrier, "the shipping carrier the saga books (env "+envCarrier+")")
		fs.StringVar(&countries, "served-countries", countries, "comma-separated ISO country codes the carrier delivers to (env "+envCountries+")")
	}
	if want&withGateway != 0 {
		g, err := gatewayFromEnv(getenv)
		if err != nil {
			return Config{}, err
		}
		cfg.Gateway = g
		fs.BoolVar(&cfg.Gateway.InsecureDev, "insecure-dev", false, "start without a configured JWT key: sign with the development secret of "+envDevSecretFile+" ("+defaultDevSecretFile+"), made once, and log an admin and a customer token (development only)")
		fs.IntVar(&cfg.Gateway.RateLimit, "rate-limit", cfg.Gateway.RateLimit, "requests per minute per client (env "+envRateLimit+")")
		fs.IntVar(&cfg.Gateway.AnonymousRateLimit, "rate-limit-anonymous", cfg.Gateway.AnonymousRateLimit, "requests per minute per client without a token (env "+envAnonRateLimit+")")
	}
	roles := cmp.Or(getenv(envRoles), allRoles)
	if want&withRoles != 0 {
		cfg.ChartsStep = charts.DefaultStep
		if v := getenv(envChartsStep); v != "" {
			d, err := time.ParseDuration(v)
			if err != nil || d < time.Second || d%time.Second != 0 {
				return Config{}, fmt.Errorf("%w %s: want a whole number of seconds such as 5s, got %q", errBadEnv, envChartsStep, v)
			}
			cfg.ChartsStep = d
		}
		fs.StringVar(&roles, "roles", roles, "what this process runs: a comma-separated list of api, projections and sagas, or all (env "+envRoles+")")
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return Config{}, err
		}
		return Config{}, fmt.Errorf("%w: %v", errUsage, err)
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "orderflow %s: unexpected argument %q\n", name, fs.Arg(0))
		fs.Usage()
		return Config{}, fmt.Errorf("%w: unexpected argument %q", errUsage, fs.Arg(0))
	}
	if want&withDatabase != 0 && cfg.DatabaseURL == "" {
		return Config{}, errMissingDatabase
	}
	if want&withPaymentProvider != 0 && (cfg.PaymentConcurrency <= 0 || cfg.PaymentQueueWait <= 0 || cfg.OrderCapacity < 0) {
		return Config{}, fmt.Errorf("%w: --payment-concurrency and --payment-queue-wait must be positive, --order-capacity at least 0", errUsage)
	}
	if want&withGateway != 0 && cfg.Gateway.RateLimit <= 0 {
		return Config{}, fmt.Errorf("%w: --rate-limit must be positive", errUsage)
	}
	if want&withGateway != 0 && cfg.Gateway.AnonymousRateLimit <= 0 {
		return Config{}, fmt.Errorf("%w: --rate-limit-anonymous must be positive", errUsage)
	}
	if want&withCarrier != 0 {
		if strings.TrimSpace(cfg.Carrier) == "" {
			return Config{}, fmt.Errorf("%w: --carrier must not be empty", errUsage)
		}
		c, err := parseCountries(countries)
		if err != nil {
			return Config{}, fmt.Errorf("%w: --served-countries: %v", errUsage, err)
		}
		cfg.ServedCountries = c
	}
	if want&withRoles != 0 {
		r, err := parseRoles(roles)
		if err != nil {
			return Config{}, fmt.Errorf("%w: --roles: %v", errUsage, err)
		}
		cfg.Roles = r
	}
	return cfg, nil
}

// gatewayFromEnv reads the gateway's environment variables.
func gatewayFromEnv(getenv func(string) string) (Gateway, error) {
	g := Gateway{
		JWTSecret:            getenv(envJWTSecret),
		JWTPublicKeyFile:     getenv(envJWTPublicKeyFile),
		JWTIssuer:            cmp.Or(getenv(envJWTIssuer), tokenDefaultIssuer),
		JWTAudience:          cmp.Or(getenv(envJWTAudience), tokenDefaultAudience),
		DevSecretFile:        cmp.Or(getenv(envDevSecretFile), defaultDevSecretFile),
		RateLimit:            defaultRateLimit,
		AnonymousRateLimit:   defaultAnonRateLimit,
		RateLimitRamp:        time.Minute,
		RequestTimeout:       defaultRequestTimeout,
		IdempotencyRetention: api.DefaultIdempotencyRetention,
		ReadWait:             defaultReadWait,
		OTLPEndpoint:         getenv(envOTLPEndpoint),
		TraceSampleRatio:     1,
	}
	for name, limit := range map[string]*int{envRateLimit: &g.RateLimit, envAnonRateLimit: &g.AnonymousRateLimit} {
		if err := positiveIntEnv(getenv, name, "number of requests per minute", limit); err != nil {
			return Gateway{}, err
		}
	}
	if err := positiveIntEnv(getenv, envMaxResponseBytes, "number of bytes", &g.MaxResponseBytes); err != nil {
		return Gateway{}, err
	}
	for _, raw := range splitList(getenv(envTrustedProxies)) {
		p, err := netip.ParsePrefix(raw)
		if err != nil {
			a, aerr := netip.ParseAddr(raw)
			if aerr != nil {
				return Gateway{}, fmt.Errorf("%w %s: %q is neither an address nor a CIDR prefix", errBadEnv, envTrustedProxies, raw)
			}
			p = netip.PrefixFrom(a, a.BitLen())
		}
		g.TrustedProxies = append(g.TrustedProxies, p.Masked())
	}
	g.CORSOrigins = splitList(getenv(envCORSOrigins))
	for name, d := range map[string]*time.Duration{envRequestTimeout: &g.RequestTimeout, envReadWait: &g.ReadWait, envIdempotencyKeep: &g.IdempotencyRetention,
		envRateLimitRamp: &g.RateLimitRamp} {
		if err := positiveDurationEnv(getenv, name, "2s", d); err != nil {
			return Gateway{}, err
		}
	}
	if v := getenv(envIntrospection); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return Gateway{}, fmt.Errorf("%w %s: %v", errBadEnv, envIntrospection, err)
		}
		g.Introspection = b
	}
	if v := getenv(envTraceSampleRatio); v != "" {
		r, err := strconv.ParseFloat(v, 64)
		if err != nil || r <= 0 || r > 1 {
			return Gateway{}, fmt.Errorf("%w %s: want a ratio in (0, 1], got %q", errBadEnv, envTraceSampleRatio, v)
		}
		g.TraceSampleRatio = r
	}
	return g, nil
}

// parseCountries reads a comma-separated list of ISO 3166-1 alpha-2
// country codes, at least one; lower case is taken as upper case.
func parseCountries(s string) ([]string, error) {
	var out []string
	for _, c := range splitList(s) {
		c = strings.ToUpper(c)
		if len(c) != 2 || c[0] < 'A' || c[0] > 'Z' || c[1] < 'A' || c[1] > 'Z' {
			return nil, fmt.Errorf("%q is not a two-letter country code", c)
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, errors.New("name at least one country")
	}
	return out, nil
}

// splitList splits a comma-separated list, dropping blanks.
func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}
