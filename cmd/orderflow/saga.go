package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"go.opentelemetry.io/otel/trace"

	"github.com/orderflow/orderflow/eventstore"
	"github.com/orderflow/orderflow/paymentprovider"
	"github.com/orderflow/orderflow/projections"
	"github.com/orderflow/orderflow/sagas/fulfillment/runner"
	"github.com/orderflow/orderflow/write/service"
)

// sagaIntake is the fulfillment saga's intake as a consumer of the
// projections runtime, for the Managers that report on it (status, dead
// letters, redrive) without running it: the saga's runner runs it.
func sagaIntake(store eventstore.Store, pool *pgxpool.Pool, logger *slog.Logger, paymentTimeout time.Duration) projections.Projection {
	return runner.New(runner.Config{Store: store, Pool: pool, Logger: logger, PaymentTimeout: paymentTimeout}).Intake()
}

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
