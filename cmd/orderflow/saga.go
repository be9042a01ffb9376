package main

import (
	"context"
	"log/slog"

	"github.com/jackc/pgx/v5/pgxpool"
	"go.opentelemetry.io/otel/trace"

	"github.com/orderflow/orderflow/eventstore"
	"github.com/orderflow/orderflow/paymentprovider"
	"github.com/orderflow/orderflow/sagas/fulfillment/runner"
	"github.com/orderflow/orderflow/write/service"
)

// startSaga starts the fulfillment saga as a part of p, its leases held
// as owner. It returns the payment provider's client, whose state the
// metrics report.
func startSaga(p *parts, cfg Config, owner string, store eventstore.Store, svc *service.Service, pool *pgxpool.Pool, logger *slog.Logger, observer runner.Observer, tp trace.TracerProvider) (*paymentprovider.Client, error) {
	client, err := paymentprovider.New(paymentprovider.Config{BaseURL: cfg.PaymentProviderURL, MaxConcurrent: cfg.PaymentConcurrency,
		MaxWait: cfg.PaymentQueueWait, Logger: logger, TracerProvider: tp})
	if err != nil {
		return nil, err
	}
	sagaCfg := runner.Config{
		Store: store, Service: svc, Payments: runner.ProviderPayments(client), Pool: pool,
		PaymentTimeout: cfg.PaymentTimeout, Carrier: cfg.Carrier, Logger: logger, Observer: observer, TracerProvider: tp,
		Owner:           owner,
		ServedCountries: cfg.ServedCountries,
	}
	p.supervise("fulfillment saga", func(ctx context.Context) error {
		return runner.New(sagaCfg).Run(ctx)
	})
	return client, nil
}
