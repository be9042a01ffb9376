package main

import (
	"cmp"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"time"
)

// Environment variables orderflow reads, all here and nowhere else.
const (
	envDatabaseURL    = "DATABASE_URL"
	envEventStoreURL  = "EVENTSTORE_URL"
	envAddr           = "ORDERFLOW_ADDR"
	envLogLevel       = "ORDERFLOW_LOG_LEVEL"
	envDemo           = "ORDERFLOW_DEMO"
	envSandboxAddr    = "ORDERFLOW_SANDBOX_ADDR"
	envPaymentTimeout = "ORDERFLOW_PAYMENT_TIMEOUT"
	envPaymentURL     = "PAYMENT_PROVIDER_URL"
	envRoles          = "ORDERFLOW_ROLES"
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

// Config is orderflow's configuration. A flag wins over its environment
// variable, which wins over the default.
type Config struct {
	// DatabaseURL locates the PostgreSQL database of read models, migrations
	// and, unless EventStoreURL is set, events.
	DatabaseURL string
	// EventStoreURL is the EventStoreDB connection string; empty means the
	// PostgreSQL event store.
	EventStoreURL string
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
	// Roles are what serve runs.
	Roles Roles
}

// settings says which parts of Config a subcommand takes.
type settings uint8

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
		if v := getenv(envPaymentTimeout); v != "" {
			d, err := time.ParseDuration(v)
			if err != nil || d <= 0 {
				return Config{}, fmt.Errorf("%w %s: want a positive duration such as 5m, got %q", errBadEnv, envPaymentTimeout, v)
			}
			cfg.PaymentTimeout = d
		}
		fs.DurationVar(&cfg.PaymentTimeout, "payment-timeout", cfg.PaymentTimeout, "how long a payment may take before the order is compensated (env "+envPaymentTimeout+")")
	}
	roles := cmp.Or(getenv(envRoles), allRoles)
	if want&withRoles != 0 {
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
	if want&withRoles != 0 {
		r, err := parseRoles(roles)
		if err != nil {
			return Config{}, fmt.Errorf("%w: --roles: %v", errUsage, err)
		}
		cfg.Roles = r
	}
	return cfg, nil
}
